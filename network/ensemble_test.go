package network

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPredictEnsemble: one network gives Predict's answer; two give the mean
// of their probabilities, entry by entry, and its argmax.
func TestPredictEnsemble(t *testing.T) {
	s := randomSet(30, 12, 4, 1)
	a, b := InitializeWeights(12, 6, 4, InitSqrt, 1), InitializeWeights(12, 9, 4, InitSqrt, 2)
	la, pa := Predict(a, s.X)
	l1, p1 := PredictEnsemble([]*Params{a}, s.X)
	for i := range la {
		if l1[i] != la[i] || !sameBits(p1.Row(i), pa.Row(i)) {
			t.Fatalf("image %d: one-network ensemble %d %v, Predict %d %v", i, l1[i], p1.Row(i), la[i], pa.Row(i))
		}
	}
	_, pb := Predict(b, s.X)
	l2, p2 := PredictEnsemble([]*Params{a, b}, s.X)
	disagree := 0
	for i := range l2 {
		best := 0
		for k := range 4 {
			want := (pa.At(i, k) + pb.At(i, k)) / 2
			if got := p2.At(i, k); !(math.Abs(got-want) <= 1e-15) {
				t.Errorf("image %d class %d: %g, want %g", i, k, got, want)
			}
			if want > (pa.At(i, best)+pb.At(i, best))/2 {
				best = k
			}
		}
		if l2[i] != best {
			t.Errorf("image %d: label %d, want %d", i, l2[i], best)
		}
		if l2[i] != la[i] {
			disagree++
		}
	}
	if disagree == 0 {
		t.Error("the second network changed no label: the test shows nothing")
	}
	y := append([]int(nil), l2...)
	y[0] = (y[0] + 1) % 4
	if acc := EnsembleAccuracy([]*Params{a, b}, Set{X: s.X, Labels: y}); acc != 29.0/30 {
		t.Errorf("EnsembleAccuracy = %g, want 29/30", acc)
	}
}

// TestEnsembleFile: an ensemble file round-trips its models; a model file
// reads as one model; bad ensembles are refused with one line.
func TestEnsembleFile(t *testing.T) {
	a := testModel()
	b := testModel()
	b.Params = InitializeWeights(12, 7, 3, InitSqrt, 9)
	b.Config.KeepProb = 0.5
	data, err := MarshalEnsemble([]*Model{a, b})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ensemble.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadModels(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !paramsEqual(got[0].Params, a.Params) || !paramsEqual(got[1].Params, b.Params) || got[1].Config != b.Config {
		t.Fatalf("read %d models, not the two written", len(got))
	}
	one, err := UnmarshalModels(mustMarshal(t, a))
	if err != nil || len(one) != 1 || !paramsEqual(one[0].Params, a.Params) {
		t.Fatalf("a model file: %v, %d models", err, len(one))
	}

	other := testModel()
	other.Params = InitializeWeights(12, 5, 4, InitSqrt, 1)
	if _, err := MarshalEnsemble([]*Model{a, other}); err == nil || !strings.Contains(err.Error(), "member 2") {
		t.Errorf("members with 3 and 4 classes: %v", err)
	}
	if _, err := MarshalEnsemble(nil); err == nil {
		t.Error("an empty ensemble was accepted")
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"flipped bit", func() []byte { d := append([]byte(nil), data...); d[100] ^= 1; return d }(), "checksum"},
		{"truncated", data[:len(data)-9], "checksum"},
		{"short", data[:10], "truncated"},
		{"text", []byte("hello, world"), "neither"},
	} {
		_, err := UnmarshalModels(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line containing %q", c.name, err, c.want)
		}
	}
}

// FuzzUnmarshalModels: no input makes UnmarshalModels panic.
//
//	go test -run '^$' -fuzz FuzzUnmarshalModels -fuzztime 30s ./network
func FuzzUnmarshalModels(f *testing.F) {
	a := testModel()
	data, err := MarshalEnsemble([]*Model{a, a})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:40])
	f.Fuzz(func(t *testing.T, b []byte) {
		models, err := UnmarshalModels(b)
		if err == nil && len(models) == 0 {
			t.Fatal("no error and no model")
		}
	})
}
