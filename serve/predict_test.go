package serve

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"twolayer/experiments/picture"
	"twolayer/matrix"
	"twolayer/network"
)

// answerOf is the JSON of a prediction as the page reads it.
type answerOf struct {
	Model         string
	Members       int
	Source        string
	Input         string
	Classes       []string
	Probabilities []float64
	Label         int
	Truth         *int
	Hidden        int
	Units         []struct {
		Unit       int
		Activation float64
		Weights    string
	}
	Error string
}

// post sends body to the prediction endpoint with model.
func post(t *testing.T, url, model string, body io.Reader) (int, answerOf) {
	t.Helper()
	r, err := http.Post(url+"/api/predict?model="+model, "application/octet-stream", body)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var a answerOf
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("answer %d %q: %v", r.StatusCode, b, err)
	}
	return r.StatusCode, a
}

// randomPicture is a w×h image of random colours.
func randomPicture(w, h int, seed uint64) *image.NRGBA {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(256))
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// referenceForward is the report's EvaluateClassifier for one image,
// written out here as the test's own reference (the panel computes with
// package network): x normalised with the model's statistics, then
// h = max(0, W1·x + b1), s = W2·h + b2, p = softmax(s). The sums run in
// another order than the matrix kernels', so it agrees with the network
// to about 1e-15.
func referenceForward(m *network.Model, x []float64) (h, p []float64) {
	d, hidden, k := m.Params.Dims()
	xn := make([]float64, d)
	for j, v := range x {
		if len(m.Norm.Mean) > 0 {
			v = (v - m.Norm.Mean[j]) / m.Norm.Std[j]
		}
		xn[j] = v
	}
	h = make([]float64, hidden)
	for i := range h {
		s := m.Params.B1[i]
		for j, w := range m.Params.W1.Row(i) {
			s += w * xn[j]
		}
		h[i] = max(0, s)
	}
	p = make([]float64, k)
	top := math.Inf(-1)
	for c := range p {
		s := m.Params.B2[c]
		for j, w := range m.Params.W2.Row(c) {
			s += w * h[j]
		}
		p[c] = s
		top = max(top, s)
	}
	sum := 0.0
	for c := range p {
		p[c] = math.Exp(p[c] - top)
		sum += p[c]
	}
	for c := range p {
		p[c] /= sum
	}
	return h, p
}

// The try-it panel's classification is wired to package network: its
// probabilities and class are network.Predict's on the normalised image,
// averaged over an ensemble's members, bit for bit; its hidden
// activations are the first model's (the written-out reference agrees to
// rounding).
func TestClassifyIsNetworks(t *testing.T) {
	for _, file := range [][]byte{testModel(t, 20, 1), testEnsemble(t)} {
		models, err := network.UnmarshalModels(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkModels(models, imageValues); err != nil {
			t.Fatal(err)
		}
		for i := range 30 {
			x := picture.ToCIFAR(randomPicture(40, 40, uint64(i)))
			var meanProbs []float64
			for j, m := range models {
				X := matrix.New(1, imageValues)
				copy(X.Row(0), x)
				m.Norm.Apply(X)
				_, p := network.Predict(m.Params, X)
				if j == 0 {
					meanProbs = append([]float64(nil), p.Row(0)...)
				} else {
					for k, v := range p.Row(0) {
						meanProbs[k] += v
					}
				}
			}
			probs, label, hidden := classify(models, x)
			want := 0
			for k := range meanProbs {
				meanProbs[k] /= float64(len(models))
				if meanProbs[k] > meanProbs[want] {
					want = k
				}
				if probs[k] != meanProbs[k] {
					t.Fatalf("image %d class %d: %v, network %v", i, k, probs[k], meanProbs[k])
				}
			}
			if label != want {
				t.Fatalf("image %d: class %d, network %d", i, label, want)
			}
			h, _ := referenceForward(models[0], x)
			if len(hidden) != len(h) {
				t.Fatalf("image %d: %d hidden activations, want %d", i, len(hidden), len(h))
			}
			for u := range h {
				if math.Abs(hidden[u]-h[u]) > 1e-12 {
					t.Fatalf("image %d unit %d: activation %v, reference %v", i, u, hidden[u], h[u])
				}
			}
		}
	}
}

// An ensemble whose members normalise their inputs differently is refused
// in one line: one normalised image cannot serve them all.
func TestEnsembleOfTwoTrainingSets(t *testing.T) {
	a, b := randomModel(6, 1), randomModel(6, 2) // statistics drawn from their seeds
	file, err := network.MarshalEnsemble([]*network.Model{a, b})
	if err != nil {
		t.Fatal(err)
	}
	models, err := network.UnmarshalModels(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkModels(models, imageValues); err == nil || !strings.Contains(err.Error(), "model 2 normalises its inputs otherwise") {
		t.Fatalf("checkModels: %v", err)
	}
}

// An uploaded image of any size, PNG or JPEG, becomes the 32×32 input
// picture.ToCIFAR makes of it (the predict command's), and is classified
// from exactly that input.
func TestUploadSizes(t *testing.T) {
	results, data := fixtures(t)
	_, ts := newTestSite(t, Options{Results: results, Private: []string{data}, limits: testLimits()})
	models, err := network.UnmarshalModels(testModel(t, 20, 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{1, 1}, {32, 32}, {640, 480}, {3000, 17}, {17, 300}} {
		img := randomPicture(size[0], size[1], uint64(size[0]))
		for _, enc := range []struct {
			name string
			b    []byte
		}{{"PNG", encodePNG(t, img)}, {"JPEG", encodeJPEG(t, img)}} {
			// what the predict command does with the file
			decoded, _, err := image.Decode(bytes.NewReader(enc.b))
			if err != nil {
				t.Fatal(err)
			}
			x := picture.ToCIFAR(decoded)
			// what the server does with it
			got, source, _, err := decodeImage(enc.b, MaxUploadPixels)
			if err != nil {
				t.Fatal(err)
			}
			if gx := picture.ToCIFAR(got); !equal(gx, x) {
				t.Fatalf("%dx%d %s: the input differs from picture.ToCIFAR's", size[0], size[1], enc.name)
			}
			code, a := post(t, ts.URL, "train/model.bin", bytes.NewReader(enc.b))
			if code != 200 {
				t.Fatalf("%dx%d %s: %d %s", size[0], size[1], enc.name, code, a.Error)
			}
			wantPNG, _ := picture.PNG(picture.FromPixels(x))
			if a.Input != "data:image/png;base64,"+base64.StdEncoding.EncodeToString(wantPNG) {
				t.Errorf("%dx%d %s: the input picture is not ToCIFAR's", size[0], size[1], enc.name)
			}
			probs, label, hidden := classify(models, x)
			for k := range probs {
				if a.Probabilities[k] != probs[k] {
					t.Fatalf("%dx%d %s: probabilities %v, want %v", size[0], size[1], enc.name, a.Probabilities, probs)
				}
			}
			wantSource := "a " + strconv.Itoa(size[0]) + "×" + strconv.Itoa(size[1]) + " " + enc.name + " image"
			if a.Label != label || a.Truth != nil || a.Source != wantSource || source != wantSource || a.Members != 1 || a.Hidden != 20 || len(a.Classes) != 10 {
				t.Errorf("%dx%d %s: %+v", size[0], size[1], enc.name, a)
			}
			checkUnits(t, a, hidden, models[0])
		}
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkUnits checks that the units of an answer are the most excited, in
// order, with the pictures of their weights.
func checkUnits(t *testing.T, a answerOf, hidden []float64, m *network.Model) {
	t.Helper()
	positive := 0
	for _, v := range hidden {
		if v > 0 {
			positive++
		}
	}
	if len(a.Units) != min(TopUnits, positive) {
		t.Fatalf("%d units shown, want %d", len(a.Units), min(TopUnits, positive))
	}
	for i, u := range a.Units {
		if u.Activation != hidden[u.Unit] || i > 0 && u.Activation > a.Units[i-1].Activation {
			t.Fatalf("unit %d: activation %v (h = %v), not in order", u.Unit, u.Activation, hidden[u.Unit])
		}
		for j, v := range hidden {
			if v > u.Activation && !shown(a, j) {
				t.Fatalf("unit %d (h = %v) more excited than shown unit %d", j, v, u.Unit)
			}
		}
		want, _ := picture.PNG(picture.FromWeights(m.Params.W1.Row(u.Unit)))
		if u.Weights != dataURL(want) {
			t.Fatalf("unit %d: wrong picture", u.Unit)
		}
	}
}

func shown(a answerOf, unit int) bool {
	for _, u := range a.Units {
		if u.Unit == unit {
			return true
		}
	}
	return false
}

// hugePNG is the start of a PNG file declaring width × height pixels: the
// signature and a valid IHDR chunk (8-bit RGBA), then nothing.
func hugePNG(width, height uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32([]byte("IHDR"), width)
	ihdr = binary.BigEndian.AppendUint32(ihdr, height)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // depth, colour type RGBA, compression, filter, interlace
	b = binary.BigEndian.AppendUint32(b, 13)
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}

// Uploads that must be refused are, with one line for the page, and a
// huge image is refused from its header, before anything is allocated.
func TestUploadRefused(t *testing.T) {
	results, data := fixtures(t)
	_, ts := newTestSite(t, Options{Results: results, Private: []string{data}, limits: testLimits()})
	valid := encodePNG(t, randomPicture(64, 64, 1))
	var gifImage bytes.Buffer
	gif.Encode(&gifImage, image.NewPaletted(image.Rect(0, 0, 4, 4), []color.Color{color.Black}), nil)
	rng := rand.New(rand.NewPCG(1, 1))
	noise := make([]byte, 5000)
	for i := range noise {
		noise[i] = byte(rng.IntN(256))
	}
	for _, c := range []struct {
		name, model string
		body        []byte
		code        int
		msg         string
	}{
		{"huge header", "train/model.bin", hugePNG(100_000, 100_000), 413, "has 100000×100000 pixels, more than the 25 megapixels"},
		{"too large a file", "train/model.bin", append(bytes.Clone(valid), make([]byte, 1<<20)...), 413, "larger than 1 MB"},
		{"empty body", "train/model.bin", nil, 400, "no image"},
		{"noise", "train/model.bin", noise, 415, "not a PNG or JPEG image"},
		{"GIF", "train/model.bin", gifImage.Bytes(), 415, "a GIF image; give a PNG or JPEG"},
		{"truncated PNG", "train/model.bin", valid[:len(valid)/2], 422, "this PNG image is damaged"},
		{"truncated JPEG", "train/model.bin", encodeJPEG(t, randomPicture(64, 64, 2))[:300], 422, "this JPEG image is damaged"},
		{"zero width", "train/model.bin", hugePNG(0, 10), 422, "damaged"},
		{"no model", "", valid, 400, "choose a model"},
		{"model not there", "final/model.bin", valid, 400, "no model file final/model.bin"},
		{"model outside", "../outside/model.bin", valid, 400, "refused"},
		{"model behind a link", "out/model.bin", valid, 400, "no model file out/model.bin"},
		{"model in the data folder", "data/cifar-10-batches-bin/model.bin", valid, 400, "refused"},
		{"not a model", "one-cycle/summary.json", valid, 400, "is not a model or ensemble file"},
	} {
		code, a := post(t, ts.URL, c.model, bytes.NewReader(c.body))
		if code != c.code || !strings.Contains(a.Error, c.msg) || strings.Contains(a.Error, "\n") {
			t.Errorf("%s: %d %q, want %d with %q", c.name, code, a.Error, c.code, c.msg)
		}
	}
	// unknown length, beyond the limit
	r, err := http.Post(ts.URL+"/api/predict?model=train/model.bin", "image/png", io.MultiReader(bytes.NewReader(valid), &endless{}))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 413 || !strings.Contains(string(b), "larger than 1 MB") {
		t.Errorf("endless upload: %d %s", r.StatusCode, b)
	}
	// the huge header costs no allocation beyond reading the header
	huge := hugePNG(100_000, 100_000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, _, err = decodeImage(huge, MaxUploadPixels)
	runtime.ReadMemStats(&after)
	if err == nil || after.TotalAlloc-before.TotalAlloc > 1<<20 {
		t.Errorf("huge header: %v, %d bytes allocated", err, after.TotalAlloc-before.TotalAlloc)
	}
}

// endless is a body that never ends.
type endless struct{}

func (*endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// A damaged or foreign model file is one line on the page.
func TestBadModelFiles(t *testing.T) {
	results, _ := fixtures(t)
	good := testModel(t, 6, 1)
	bad := bytes.Clone(good)
	bad[100] ^= 1
	os.WriteFile(filepath.Join(results, "bad.bin"), bad, 0o644)
	os.WriteFile(filepath.Join(results, "short.bin"), good[:50], 0o644)
	_, ts := newTestSite(t, Options{Results: results})
	for name, msg := range map[string]string{"bad.bin": "checksum", "short.bin": "truncated"} {
		code, a := post(t, ts.URL, name, bytes.NewReader(encodePNG(t, randomPicture(8, 8, 1))))
		if code != 400 || !strings.Contains(a.Error, name+": ") || !strings.Contains(a.Error, msg) || strings.Contains(a.Error, "\n") {
			t.Errorf("%s: %d %q", name, code, a.Error)
		}
	}
}

// An ensemble's probabilities are its members' mean; the units are the
// first member's.
func TestPredictEnsemble(t *testing.T) {
	results, _ := fixtures(t)
	_, ts := newTestSite(t, Options{Results: results})
	img := encodeJPEG(t, randomPicture(100, 80, 5))
	code, a := post(t, ts.URL, "bonus/ensemble.bin", bytes.NewReader(img))
	if code != 200 || a.Members != 2 || a.Hidden != 12 {
		t.Fatalf("ensemble: %d %+v", code, a)
	}
	models, _ := network.UnmarshalModels(testEnsemble(t))
	decoded, _, _ := image.Decode(bytes.NewReader(img))
	x := picture.ToCIFAR(decoded)
	probs, _, hidden := classify(models, x)
	_, p0 := referenceForward(models[0], x)
	_, p1 := referenceForward(models[1], x)
	for k := range probs {
		if a.Probabilities[k] != probs[k] || math.Abs(probs[k]-(p0[k]+p1[k])/2) > 1e-15 {
			t.Fatalf("class %d: %v, members %v %v", k, a.Probabilities[k], p0[k], p1[k])
		}
	}
	checkUnits(t, a, hidden, models[0])
}

// Test images: their number, each as a PNG, and classified with its label.
func TestTestImages(t *testing.T) {
	results, _ := fixtures(t)
	_, ts := newTestSite(t, Options{Results: results, Test: fakeTest{n: 20}})
	var info struct{ Count int }
	getJSON(t, ts.URL+"/api/test", &info)
	if info.Count != 20 {
		t.Fatalf("count %d", info.Count)
	}
	r, err := http.Get(ts.URL + "/api/test/7")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(r.Body)
	r.Body.Close()
	if err != nil || img.Bounds().Dx() != 32 || img.Bounds().Dy() != 32 {
		t.Fatalf("test image 7: %v", err)
	}
	pixels, label := fakeTest{n: 20}.Image(7)
	if c := color.NRGBAModel.Convert(img.At(5, 3)).(color.NRGBA); c.R != pixels[3*32+5] || c.G != pixels[1024+3*32+5] || c.B != pixels[2048+3*32+5] {
		t.Fatalf("test image 7, pixel (5, 3): %v", c)
	}
	var a answerOf
	getJSON(t, ts.URL+"/api/predict?model=train/model.bin&test=7", &a)
	x := make([]float64, imageValues)
	for j, v := range pixels {
		x[j] = float64(v) / 255
	}
	models, _ := network.UnmarshalModels(testModel(t, 20, 1))
	probs, want, hidden := classify(models, x)
	if a.Truth == nil || *a.Truth != label || a.Label != want || a.Probabilities[3] != probs[3] || a.Source != "test image 7" {
		t.Fatalf("test image 7: %+v", a)
	}
	checkUnits(t, a, hidden, models[0])
	for _, path := range []string{"/api/test/20", "/api/test/-1", "/api/test/x", "/api/predict?model=train/model.bin&test=20", "/api/predict?model=train/model.bin"} {
		code, body := get(t, ts.URL+path)
		if code != 404 || !strings.Contains(body, "give an index from 0 to 19") {
			t.Errorf("%s: %d %s", path, code, body)
		}
	}
	// without a test set
	_, ts2 := newTestSite(t, Options{Results: results})
	getJSON(t, ts2.URL+"/api/test", &info)
	if code, body := get(t, ts2.URL+"/api/test/0"); info.Count != 0 || code != 404 || !strings.Contains(body, "no test images") {
		t.Errorf("no test set: count %d, %d %s", info.Count, code, body)
	}
}

// A model file read once is kept, and read again when it changes.
func TestModelCache(t *testing.T) {
	results, _ := fixtures(t)
	s, _ := newTestSite(t, Options{Results: results})
	a, err := s.loadModel("train/model.bin")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.loadModel("train/model.bin")
	if &a[0] != &b[0] {
		t.Error("the model was read again")
	}
	os.WriteFile(filepath.Join(results, "train", "model.bin"), testModel(t, 7, 9), 0o644)
	c, err := s.loadModel("train/model.bin")
	if err != nil {
		t.Fatalf("after the file changed: %v", err)
	}
	if _, m, _ := c[0].Params.Dims(); m != 7 {
		t.Errorf("after the file changed: m = %d, want 7", m)
	}
}

// SnapshotOf copies the network's rows as they are.
func TestSnapshotOf(t *testing.T) {
	p := network.InitializeWeights(imageValues, 5, 10, network.InitSmall, 1)
	truth := []int{1, 2, 3}
	s := SnapshotOf(p, nil, nil, []int{1, 0, 3}, truth)
	for i := range 5 {
		if !equal(s.W1[i*imageValues:(i+1)*imageValues], p.W1.Row(i)) {
			t.Fatalf("row %d of W1 differs", i)
		}
	}
	for i := range 10 {
		if !equal(s.W2[i*5:(i+1)*5], p.W2.Row(i)) {
			t.Fatalf("row %d of W2 differs", i)
		}
	}
	p.W1.Row(0)[0] = 42
	if s.W1[0] == 42 || s.Inputs != imageValues || s.Hidden != 5 || s.Classes != 10 || &s.ValTrue[0] != &truth[0] {
		t.Fatal("the snapshot is not a copy")
	}
}
