package network

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twolayer/matrix"
)

func testModel() *Model {
	d, m, k := 12, 5, 3
	p := InitializeWeights(d, m, k, InitSqrt, 4)
	for i := range p.B1 {
		p.B1[i] = float64(i) / 10
	}
	p.B2[2] = -0.5
	mean, std := make([]float64, d), make([]float64, d)
	for j := range mean {
		mean[j], std[j] = float64(j)/float64(d), 1+float64(j)
	}
	cfg := smallConfig()
	return &Model{Params: p, Norm: Normalization{Mean: mean, Std: std}, Config: cfg, Classes: []string{"cat", "dog", "ship ⛵"}}
}

// mustMarshal returns m's file format.
func mustMarshal(t *testing.T, m *Model) []byte {
	t.Helper()
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeModel writes m's file format to path.
func writeModel(t *testing.T, path string, m *Model) {
	t.Helper()
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestModelRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.2lnn")
	m := testModel()
	writeModel(t, path, m)
	got, err := LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	if !paramsEqual(got.Params, m.Params) || !sameBits(got.Norm.Mean, m.Norm.Mean) || !sameBits(got.Norm.Std, m.Norm.Std) ||
		got.Config != m.Config || strings.Join(got.Classes, "|") != strings.Join(m.Classes, "|") {
		t.Fatalf("loaded model differs:\n got %+v\nwant %+v", got, m)
	}

	// Predict with the loaded model equals EvaluateClassifier with the saved
	// one, for many images and for one.
	s := randomSet(7, 12, 3, 5)
	labels, probs := Predict(got.Params, s.X)
	P, _ := EvaluateClassifier(m.Params, s.X)
	for i := 0; i < 7; i++ {
		best := 0
		for k := 0; k < 3; k++ {
			if probs.At(i, k) != P.At(k, i) {
				t.Fatalf("probs[%d][%d] = %g, P = %g", i, k, probs.At(i, k), P.At(k, i))
			}
			if P.At(k, i) > P.At(best, i) {
				best = k
			}
		}
		if labels[i] != best {
			t.Errorf("image %d: label %d, most probable %d", i, labels[i], best)
		}
		one, oneP := Predict(got.Params, s.X.RowRange(i, i+1))
		if one[0] != labels[i] || !sameBits(oneP.Row(0), probs.Row(i)) {
			t.Errorf("image %d alone: %d %v, in the batch: %d %v", i, one[0], oneP.Row(0), labels[i], probs.Row(i))
		}
	}

	// Dropout, augmentation and RecordTrain need version 2, and round-trip;
	// without them the file is version 1.
	if v := binary.LittleEndian.Uint32(mustMarshal(t, m)[4:]); v != 1 {
		t.Errorf("a model without dropout or augmentation is written as version %d, want 1", v)
	}
	for _, c := range []Config{{KeepProb: 0.5}, {Augment: Augment{Flip: true}}, {Augment: Augment{Shift: 3}}, {RecordTrain: 7}} {
		m2 := testModel()
		m2.Config.KeepProb, m2.Config.Augment, m2.Config.RecordTrain = c.KeepProb, c.Augment, c.RecordTrain
		b := mustMarshal(t, m2)
		if v := binary.LittleEndian.Uint32(b[4:]); v != 2 {
			t.Errorf("%+v: version %d, want 2", c, v)
		}
		got, err := UnmarshalModel(b)
		if err != nil {
			t.Fatal(err)
		}
		if got.Config != m2.Config || !paramsEqual(got.Params, m2.Params) || !sameBits(got.Norm.Std, m2.Norm.Std) {
			t.Errorf("version 2 model differs:\n got %+v\nwant %+v", got.Config, m2.Config)
		}
	}

	// A model without statistics or class names round-trips too.
	bare := &Model{Params: m.Params}
	writeModel(t, path, bare)
	if got, err := LoadModel(path); err != nil || got.Norm.Mean != nil || got.Classes != nil || !paramsEqual(got.Params, bare.Params) {
		t.Errorf("bare model: %v, %+v", err, got)
	}
}

// TestModelNormalize: a loaded model's statistics normalise new images as
// x_j ← (x_j − Mean[j]) / Std[j].
func TestModelNormalize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.2lnn")
	writeModel(t, path, testModel())
	m, err := LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	X := matrix.New(2, 12)
	for j := range X.Row(1) {
		X.Row(1)[j] = 1
	}
	m.Norm.Apply(X)
	for j := 0; j < 12; j++ {
		if want := (1 - m.Norm.Mean[j]) / m.Norm.Std[j]; X.At(1, j) != want {
			t.Errorf("column %d: %g, want %g", j, X.At(1, j), want)
		}
	}
}

func TestModelBadFiles(t *testing.T) {
	good, err := testModel().MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	type tc struct {
		name string
		data []byte
		want string
	}
	cases := []tc{
		{"empty", nil, "not a model file"},
		{"png", []byte("\x89PNG\r\n\x1a\n...."), "not a model file"},
		{"version 3", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], 3); return b }), "version 3"},
		{"version 0", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], 0); return b }), "version 0"},
		{"zero d", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 0); return b }), "impossible dimensions"},
		{"huge m", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], 1<<30); return b }), "impossible dimensions"},
		{"big K", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[16:], 1000); return b }), "truncated"},
		{"bad stats length", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[70:], 5); return b }), "normalisation values"},
		{"flipped bit", edit(func(b []byte) []byte { b[200] ^= 1; return b }), "checksum"},
		{"extra bytes", append(append([]byte(nil), good...), 0), "after the checksum"},
	}
	// Truncated at several points: inside the magic, the header, the
	// statistics, the weights, the class names and the checksum.
	for _, n := range []int{2, 6, 30, 80, 300, len(good) - 30, len(good) - 1} {
		cases = append(cases, tc{"truncated", good[:n], "truncated"})
	}
	cases[len(cases)-7].want = "not a model file" // 2 bytes: not even the magic
	dir := t.TempDir()
	for i, c := range cases {
		path := filepath.Join(dir, "bad.model")
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadModel(path)
		if err == nil {
			t.Errorf("%d %s: no error", i, c.name)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, c.want) || !strings.Contains(msg, path) || strings.Contains(msg, "\n") {
			t.Errorf("%d %s: error %q, want one line naming the file and containing %q", i, c.name, msg, c.want)
		}
	}
	if _, err := LoadModel(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
}

func TestModelMarshalErrors(t *testing.T) {
	m := testModel()
	m.Classes = m.Classes[:2]
	if _, err := m.MarshalBinary(); err == nil || !strings.Contains(err.Error(), "2 class names for 3 classes") {
		t.Errorf("2 class names: %v", err)
	}
	m = testModel()
	m.Norm.Std = m.Norm.Std[:5]
	if _, err := m.MarshalBinary(); err == nil || !strings.Contains(err.Error(), "12 means and 5 standard deviations") {
		t.Errorf("5 standard deviations: %v", err)
	}
}

// FuzzUnmarshalModel: no input makes UnmarshalModel panic, and whatever it
// accepts marshals back to the same bytes (a version 2 file whose version 2
// fields are all zero marshals as version 1: to the same model).
//
//	go test -run '^$' -fuzz FuzzUnmarshalModel -fuzztime 30s ./network
func FuzzUnmarshalModel(f *testing.F) {
	good, err := testModel().MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:100])
	f.Add([]byte("2LNN\x01\x00\x00\x00"))
	v2 := testModel()
	v2.Config.KeepProb, v2.Config.Augment = 0.5, Augment{Flip: true, Shift: 2}
	if b, err := v2.MarshalBinary(); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := UnmarshalModel(b)
		if err != nil {
			return
		}
		again, err := m.MarshalBinary()
		if err != nil {
			t.Fatalf("accepted model does not marshal: %v", err)
		}
		if string(again) == string(b) {
			return
		}
		if binary.LittleEndian.Uint32(b[4:]) != 2 || binary.LittleEndian.Uint32(again[4:]) != 1 {
			t.Fatal("accepted model marshals to other bytes")
		}
		c := m.Config
		if c.KeepProb != 0 || c.Augment != (Augment{}) || c.RecordTrain != 0 {
			t.Fatalf("a version 2 model with dropout or augmentation was written as version 1: %+v", c)
		}
		// the same bytes but for the version, the 17 bytes only version 2
		// has, and the checksum
		if string(again[8:len(again)-4]) != string(b[8:70])+string(b[87:len(b)-4]) {
			t.Fatal("a version 2 file written again as version 1 has other contents")
		}
	})
}
