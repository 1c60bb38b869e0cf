package experiments

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"twolayer/cifar"
	"twolayer/experiments/picture"
	"twolayer/experiments/report"
	"twolayer/experiments/store"
	"twolayer/matrix"
	"twolayer/network"
)

// fakeTestSet returns a test set of 300 random images with the labels
// 0, 1, ..., 9, 0, 1, ... normalised with its own statistics, a model with
// random weights and those statistics, and the images before
// normalisation.
func fakeTestSet(t *testing.T, hidden int) (*network.Model, cifar.Images, *matrix.Dense) {
	t.Helper()
	const n = 300
	rng := rand.New(rand.NewPCG(8, 9))
	pix, labels := make([]byte, n*cifar.ImageSize), make([]byte, n)
	for i := range n {
		labels[i] = byte(i % cifar.NumClasses)
	}
	for j := range pix {
		pix[j] = byte(rng.IntN(256))
	}
	images, err := cifar.NewImages(pix, labels)
	if err != nil {
		t.Fatal(err)
	}
	stats := images.ComputeStats()
	p := network.InitializeWeights(cifar.ImageSize, hidden, cifar.NumClasses, network.InitSqrt, 5)
	m := &network.Model{Params: p, Norm: network.Normalization(stats), Classes: cifar.DefaultClassNames()}
	return m, images.WithStats(stats), images.Matrix()
}

func TestInspectConfusionMatrix(t *testing.T) {
	m, test, _ := fakeTestSet(t, 8)
	in, err := Inspect(m, test)
	if err != nil {
		t.Fatal(err)
	}
	n := test.Len()
	total, diag := 0, 0
	rows := make([]int, cifar.NumClasses)
	for i, row := range in.Confusion {
		for _, c := range row {
			total += c
			rows[i] += c
		}
		diag += in.Confusion[i][i]
	}
	if total != n || in.N != n {
		t.Errorf("the confusion matrix sums to %d (N = %d), want the %d test images", total, in.N, n)
	}
	for k := range rows {
		want := 0
		for _, l := range test.Labels() {
			if l == k {
				want++
			}
		}
		if rows[k] != want {
			t.Errorf("row %d sums to %d, want the %d images of class %d", k, rows[k], want, k)
		}
		if a := float64(in.Confusion[k][k]) / float64(want); in.ClassAccuracy[k] != a {
			t.Errorf("class %d accuracy %g, want %g", k, in.ClassAccuracy[k], a)
		}
	}
	// the diagonal is accuracy × n, with the accuracy computed by the network
	acc := network.ComputeAccuracy(m.Params, test.Matrix(), test.Labels())
	if want := acc * float64(n); !(math.Abs(float64(diag)-want) < 1e-9) || in.Accuracy != acc {
		t.Errorf("diagonal %d, accuracy %g; network.ComputeAccuracy %g gives %g right", diag, in.Accuracy, acc, want)
	}
	if diag == 0 || diag == n {
		t.Fatalf("degenerate test: %d of %d right", diag, n)
	}
}

func TestInspectMistakesSortedByConfidence(t *testing.T) {
	m, test, _ := fakeTestSet(t, 8)
	in, err := Inspect(m, test)
	if err != nil {
		t.Fatal(err)
	}
	// the same product Inspect runs, on the images normalised beforehand
	labels, probs := network.PredictData(m.Params, network.Set{X: test.Matrix(), Labels: test.Labels()})
	truth := test.Labels()
	wrong := 0
	least := math.Inf(1) // the smallest probability in the gallery
	for i, mk := range in.Mistakes {
		if mk.Predicted == mk.True || truth[mk.Index] != mk.True || labels[mk.Index] != mk.Predicted {
			t.Errorf("mistake %d: %+v is not a misclassified image (label %d, predicted %d)", i, mk, truth[mk.Index], labels[mk.Index])
		}
		if mk.Probability != probs.At(mk.Index, mk.Predicted) || mk.TrueProbability != probs.At(mk.Index, mk.True) {
			t.Errorf("mistake %d: probabilities %g, %g, want %g, %g", i, mk.Probability, mk.TrueProbability,
				probs.At(mk.Index, mk.Predicted), probs.At(mk.Index, mk.True))
		}
		if i > 0 && mk.Probability > in.Mistakes[i-1].Probability {
			t.Errorf("mistake %d (p = %g) is more confident than mistake %d (p = %g)", i, mk.Probability, i-1, in.Mistakes[i-1].Probability)
		}
		least = min(least, mk.Probability)
	}
	for i, l := range labels {
		if l == truth[i] {
			continue
		}
		wrong++
		if p := probs.At(i, l); p > least && !slices.ContainsFunc(in.Mistakes, func(mk store.Mistake) bool { return mk.Index == i }) {
			t.Errorf("image %d, wrong with p = %g, is left out of a gallery whose least confident mistake has p = %g", i, p, least)
		}
	}
	// without the limit: every misclassified image, and nothing else
	all := ConfidentMistakes(truth, labels, probs, len(labels))
	for _, mk := range all {
		if mk.Predicted == mk.True || labels[mk.Index] == truth[mk.Index] {
			t.Errorf("%+v is in the list of mistakes but is classified right", mk)
		}
	}
	if len(all) != wrong {
		t.Errorf("%d mistakes listed, want the %d misclassified images", len(all), wrong)
	}
	if len(in.Mistakes) != min(wrong, GalleryMistakes) {
		t.Errorf("gallery of %d, want %d (%d misclassified)", len(in.Mistakes), min(wrong, GalleryMistakes), wrong)
	}
}

// redBox returns the bounding box of the pure red pixels of img and the
// top-left corner of the first tile (the first black pixel, row by row).
func redBox(img image.Image) (box image.Rectangle, tile image.Point) {
	b := img.Bounds()
	first := true
	tile = image.Pt(-1, -1)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if c == (color.NRGBA{0, 0, 0, 255}) && tile.X < 0 {
				tile = image.Pt(x, y)
			}
			if c == (color.NRGBA{255, 0, 0, 255}) {
				if first {
					box, first = image.Rect(x, y, x+1, y+1), false
				}
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box, tile
}

// TestWritePicturesRedSquare gives hidden unit 1 the weights of a red
// square in the top right (rows 4..11, columns 20..27 of the red plane) and
// makes class 0's template that unit alone; weights.png and templates.png
// must show a red square there, enlarged, in the first tile.
func TestWritePicturesRedSquare(t *testing.T) {
	m, test, raw := fakeTestSet(t, 4)
	p := m.Params
	p.W1.Row(0)[0] = 0
	for j := range p.W1.Row(0) {
		p.W1.Row(0)[j] = 0
	}
	for r := 4; r < 12; r++ {
		for c := 20; c < 28; c++ {
			p.W1.Row(0)[r*32+c] = 0.5 // red plane
		}
	}
	for k := range p.W2.Rows() {
		for j := range p.W2.Row(k) {
			p.W2.Row(k)[j] = 0
		}
	}
	p.W2.Set(0, 0, 2) // template of class 0 = 2 · row 0 of W1
	in, err := Inspect(m, test)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WritePictures(dir, m, test, in); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file string
		k    int // enlargement
	}{{store.WeightsPNG, 3}, {store.TemplatesPNG, 4}} {
		img := readPNG(t, filepath.Join(dir, tc.file))
		box, tile := redBox(img)
		want := image.Rect(tile.X+20*tc.k, tile.Y+4*tc.k, tile.X+28*tc.k, tile.Y+12*tc.k)
		if box != want {
			t.Errorf("%s: red pixels in %v, want the square %v (tile at %v)", tc.file, box, want, tile)
		}
	}
	// the gallery draws the test images as they were before normalisation
	if len(in.Mistakes) == 0 {
		t.Fatal("no mistakes to draw")
	}
	i := in.Mistakes[0].Index
	if got, want := picture.FromPixels(pixelValues(test.Pixels(i))), picture.FromPixels(raw.Row(i)); !bytes.Equal(got.Pix, want.Pix) {
		t.Error("the gallery's image differs from the test image before normalisation")
	}
	if !slices.Equal(in.Files, []string{store.WeightsPNG, store.TemplatesPNG, store.ConfusionPNG, store.MistakesPNG}) {
		t.Errorf("files %v", in.Files)
	}
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// outsideRef finds the attributes and CSS that load something: src, href,
// srcset, poster, action, data= and xlink:href attributes, url(...) and
// @import.
var outsideRef = regexp.MustCompile(`(?i)(?:\s(?:src|href|xlink:href|srcset|poster|action|data|background)\s*=\s*["']?([^"'\s>]*))|url\(\s*["']?([^"')]*)|@import\s+["']?([^"';\s]*)`)

// outsideRefs returns what page refers to outside itself: every reference
// that is neither a data: URI nor a link to an anchor in the page.
func outsideRefs(page string) []string {
	var refs []string
	for _, m := range outsideRef.FindAllStringSubmatch(page, -1) {
		v := m[1] + m[2] + m[3]
		if !strings.HasPrefix(v, "data:") && !strings.HasPrefix(v, "#") {
			ref := strings.TrimSpace(m[0])
			refs = append(refs, ref[:min(len(ref), 60)])
		}
	}
	if strings.Contains(strings.ToLower(page), "<link") || strings.Contains(strings.ToLower(page), "<script") {
		refs = append(refs, "<link or <script")
	}
	return refs
}

func TestOutsideRefs(t *testing.T) {
	for _, page := range []string{`<img src="a.png">`, `<img class="pic" src='x/y.png'>`, `<a href="http://x">`, `<style>body{background:url(b.png)}</style>`,
		`<style>@import "c.css";</style>`, `<link rel="stylesheet" href="s.css">`, `<image xlink:href="i.png"/>`, `<object data="o.svg">`} {
		if len(outsideRefs(page)) == 0 {
			t.Errorf("outsideRefs(%q) finds nothing", page)
		}
	}
	for _, page := range []string{`<img src="data:image/png;base64,AAA">`, `<a href="#final">`, `<svg xmlns="http://www.w3.org/2000/svg"><g data-name="x">`} {
		if refs := outsideRefs(page); len(refs) != 0 {
			t.Errorf("outsideRefs(%q) = %q", page, refs)
		}
	}
}

// TestFinalReportPictures runs the final training on fake data and checks
// its pictures, its summary and the report made from it: the pictures are
// embedded, the page refers to nothing outside itself, has a table of
// contents and names the functions of each section.
func TestFinalReportPictures(t *testing.T) {
	o := tinyOptions(t, writeFakeCIFAR(t))
	r, err := Final(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Insight == nil || len(r.Insight.Confusion) != 10 {
		t.Fatalf("final has no insight: %+v", r.Insight)
	}
	for _, name := range []string{store.WeightsPNG, store.TemplatesPNG, store.ConfusionPNG} {
		if !slices.Contains(r.Files, name) {
			t.Errorf("final's files %v lack %s", r.Files, name)
		}
		readPNG(t, filepath.Join(r.Dir, name))
	}
	back, err := store.Read[store.Final](filepath.Join(r.Dir, "summary.json"))
	if err != nil || back.Insight == nil || back.Insight.N != r.Insight.N {
		t.Fatalf("summary.json does not keep the insight: %v", err)
	}
	// the report, rebuilt from the summaries
	a, err := report.Rebuild(o.OutDir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Finished(), []string{"final"}) {
		t.Fatalf("report of %v", a.Finished())
	}
	page, err := os.ReadFile(filepath.Join(o.OutDir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if refs := outsideRefs(string(page)); len(refs) > 0 {
		t.Errorf("report.html refers to outside files: %q", refs)
	}
	if n := bytes.Count(page, []byte(`src="data:image/png;base64,`)); n != len(r.Insight.Files) {
		t.Errorf("report.html embeds %d PNGs, want %d", n, len(r.Insight.Files))
	}
	for _, want := range []string{`<nav class="toc">`, `<a href="#3-4-final-training">`, `id="the-most-confident-mistakes"`,
		"<code>experiments.Final</code>", "<code>experiments.ConfusionMatrix</code>", `<meta name="viewport"`, "missing"} {
		if !bytes.Contains(page, []byte(want)) && want != "missing" {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if bytes.Contains(page, []byte("picture final/")) {
		t.Error("report.html says a picture is missing")
	}
	md, _ := os.ReadFile(filepath.Join(o.OutDir, "report.md"))
	if !bytes.Contains(md, []byte("(final/confusion.png)")) {
		t.Error("report.md does not link final/confusion.png")
	}
}

// TestShowPage checks the page of the show command on a model file.
func TestShowPage(t *testing.T) {
	dir := writeFakeCIFAR(t)
	m, _, _ := fakeTestSet(t, 6)
	m.Classes = nil // show takes the names from the data directory
	model := filepath.Join(t.TempDir(), "m.bin")
	if err := store.SaveModel(model, m); err != nil {
		t.Fatal(err)
	}
	o := tinyOptions(t, dir)
	in, err := Show(context.Background(), o, model)
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(o.OutDir, "show.html"))
	if err != nil {
		t.Fatal(err)
	}
	if refs := outsideRefs(string(page)); len(refs) > 0 {
		t.Errorf("show.html refers to outside files: %q", refs)
	}
	if n := bytes.Count(page, []byte(`src="data:image/png;base64,`)); n != 4 || len(in.Files) != 4 {
		t.Errorf("show.html embeds %d PNGs (%d files), want 4", n, len(in.Files))
	}
	for _, name := range append(slices.Clone(ShowFiles), in.Files...) {
		if _, err := os.Stat(filepath.Join(o.OutDir, name)); err != nil {
			t.Error(err)
		}
	}
	if _, err := Show(context.Background(), o, filepath.Join(dir, cifar.TestFile)); err == nil || !strings.Contains(err.Error(), "not a model file") {
		t.Errorf("Show on a batch file: %v", err)
	}
}
