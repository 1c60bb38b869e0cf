package serve

import (
	"bytes"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"twolayer/experiments/picture"
)

// livePictures is the answer of /api/live/{run}/pictures.
type livePictures struct {
	Step, Hidden, Shown int
	Classes             []string
	Confusion           [][]int
	Error               string
	Wait                int
}

// The pictures of a run's latest snapshot: the confusion matrix counts the
// validation labels, the units' PNG draws the rows of W1 where the grid
// puts them, and the weights are let go once drawn.
func TestLivePictures(t *testing.T) {
	h := NewHub()
	_, ts := newTestSite(t, Options{Hub: h, Results: t.TempDir()})
	run := h.Start(RunStart{ID: "r", Classes: fakeClasses})
	if code, body := get(t, ts.URL+"/api/live/r/pictures"); code != 404 || !strings.Contains(body, `no pictures of run \"r\" yet`) {
		t.Fatalf("before a snapshot: %d %s", code, body)
	}
	if code, _ := get(t, ts.URL+"/api/live/r/units.png"); code != 404 {
		t.Fatalf("units before a snapshot: %d", code)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	truth := make([]int, 500)
	for i := range truth {
		truth[i] = i % 10
	}
	snap := fakeSnapshot(23, 0.7, 0.5, rng, truth)
	run.Record(Recording{Step: 100, Snapshot: snap})
	var p livePictures
	getJSON(t, ts.URL+"/api/live/r/pictures", &p)
	if p.Step != 100 || p.Hidden != 23 || p.Shown != 23 || len(p.Classes) != 10 || p.Error != "" || p.Wait != 0 {
		t.Fatalf("pictures: %+v", p)
	}
	want := confusion(snap.ValPredicted, truth, 10)
	total := 0
	for i := range want {
		for j := range want[i] {
			total += p.Confusion[i][j]
			if p.Confusion[i][j] != want[i][j] {
				t.Fatalf("confusion[%d][%d] = %d, want %d", i, j, p.Confusion[i][j], want[i][j])
			}
		}
	}
	if total != len(truth) {
		t.Fatalf("the confusion matrix counts %d images of %d", total, len(truth))
	}
	r, err := http.Get(ts.URL + "/api/live/r/units.png?step=100")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(r.Body)
	r.Body.Close()
	if err != nil || r.Header.Get("X-Step") != "100" {
		t.Fatalf("units.png: %v, step %s", err, r.Header.Get("X-Step"))
	}
	// unit 12 is in row 1, column 2 of the grid: cells of 32 pixels and
	// their captions, 6 pixels apart
	unit := picture.FromWeights(snap.W1[12*imageValues : 13*imageValues])
	cellH := (img.Bounds().Dy() - 6) / 3
	x0, y0 := 6+2*(32+6), 6+cellH
	for _, xy := range [][2]int{{0, 0}, {5, 20}, {31, 31}} {
		got := color.NRGBAModel.Convert(img.At(x0+xy[0], y0+xy[1])).(color.NRGBA)
		if got != unit.NRGBAAt(xy[0], xy[1]) {
			t.Fatalf("unit 12 pixel %v: %v, want %v", xy, got, unit.NRGBAAt(xy[0], xy[1]))
		}
	}
	if code, body := get(t, ts.URL+"/api/live/r/templates.png"); code != 200 || !strings.HasPrefix(body, "\x89PNG") {
		t.Fatalf("templates.png: %d", code)
	}
	if f := h.byID["r"].frame; f.snap != nil {
		t.Fatal("the weights were kept after drawing")
	}
	if code, body := get(t, ts.URL+"/api/live/nothing/pictures"); code != 404 || !strings.Contains(body, "no pictures") {
		t.Fatalf("unknown run: %d %s", code, body)
	}
}

// A run's pictures are drawn at most every DrawInterval: within it, a page
// gets the pictures drawn last and when to ask again.
func TestDrawInterval(t *testing.T) {
	h := NewHub()
	clock := time.Unix(0, 0)
	h.now = func() time.Time { return clock }
	_, ts := newTestSite(t, Options{Hub: h, Results: t.TempDir()})
	run := h.Start(RunStart{ID: "r"})
	rng := rand.New(rand.NewPCG(1, 2))
	run.Record(Recording{Step: 100, Snapshot: fakeSnapshot(3, 0.5, 0.5, rng, nil)})
	var p livePictures
	getJSON(t, ts.URL+"/api/live/r/pictures", &p)
	clock = clock.Add(300 * time.Millisecond)
	run.Record(Recording{Step: 200, Snapshot: fakeSnapshot(3, 0.5, 0.5, rng, nil)})
	getJSON(t, ts.URL+"/api/live/r/pictures", &p)
	if p.Step != 100 || p.Wait != 701 {
		t.Fatalf("within the interval: step %d, wait %d; want 100, 701", p.Step, p.Wait)
	}
	clock = clock.Add(700 * time.Millisecond)
	p = livePictures{}
	getJSON(t, ts.URL+"/api/live/r/pictures", &p)
	if p.Step != 200 || p.Wait != 0 {
		t.Fatalf("after the interval: step %d, wait %d; want 200, 0", p.Step, p.Wait)
	}
	r, _ := http.Get(ts.URL + "/api/live/r/units.png")
	r.Body.Close()
	if r.Header.Get("X-Step") != "200" {
		t.Fatalf("units.png of step %s, want 200", r.Header.Get("X-Step"))
	}
}

// A snapshot that cannot be drawn says why; the confusion matrix does not
// need 32×32 images.
func TestPicturesErrors(t *testing.T) {
	p := newFrame(1, &Snapshot{Inputs: 4, Hidden: 2, Classes: 2, W1: make([]float64, 8), W2: make([]float64, 4),
		ValPredicted: []int{0, 1, 1, 5}, ValTrue: []int{0, 1, 0, 1}}, nil).draw()
	if !strings.Contains(p.Error, "not 32×32 colour images") || p.units != nil || len(p.Confusion) != 2 || p.Confusion[0][1] != 1 || p.Confusion[1][1] != 1 {
		t.Fatalf("small inputs: %+v", p)
	}
	p = newFrame(1, &Snapshot{Inputs: imageValues, Hidden: 2, Classes: 10, W1: make([]float64, 5)}, nil).draw()
	if !strings.Contains(p.Error, "do not fit") || p.units != nil {
		t.Fatalf("wrong sizes: %+v", p)
	}
	// a wide layer: only the first MaxUnitsShown units are drawn
	rng := rand.New(rand.NewPCG(1, 2))
	p = newFrame(1, fakeSnapshot(MaxUnitsShown+20, 0.5, 0.5, rng, nil), fakeClasses).draw()
	img, err := png.Decode(bytes.NewReader(p.units))
	if err != nil || p.Shown != MaxUnitsShown || p.Hidden != MaxUnitsShown+20 || img.Bounds().Dx() != 6+10*(32+6) || img.Bounds().Dy() < 6+10*(32+6) {
		t.Fatalf("wide layer: shown %d of %d, %v", p.Shown, p.Hidden, err)
	}
}

// The weights of finished runs' snapshots are kept up to rawFrameBudget,
// the newest first; a running run keeps its own.
func TestFramesTrimmed(t *testing.T) {
	h := NewHub()
	rng := rand.New(rand.NewPCG(1, 2))
	perFrame := newFrame(0, fakeSnapshot(50, 0.5, 0.5, rng, nil), nil).bytes()
	n := rawFrameBudget/perFrame + 3
	var runs []*Run
	for range n {
		r := h.Start(RunStart{})
		r.Record(Recording{Snapshot: fakeSnapshot(50, 0.5, 0.5, rng, nil)})
		runs = append(runs, r)
	}
	for _, r := range runs[1:] {
		r.Finish(RunEnd{})
	}
	kept := 0
	for i, st := range h.runs {
		if st.frame.bytes() > 0 {
			kept++
		} else if i == 0 || i > 2 {
			t.Errorf("run %d's snapshot was dropped", i)
		}
	}
	if kept != n-2 { // the running one, and the budget's worth of the newest finished
		t.Fatalf("%d snapshots kept of %d, want %d", kept, n, n-2)
	}
	var p livePictures
	_, ts := newTestSite(t, Options{Hub: h, Results: t.TempDir()})
	getJSON(t, ts.URL+"/api/live/"+runs[1].ID()+"/pictures", &p)
	if p.Error != "the pictures of this recording are no longer kept" {
		t.Fatalf("dropped snapshot: %+v", p)
	}
}
