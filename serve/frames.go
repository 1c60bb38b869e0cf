package serve

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"sync"
	"time"

	"twolayer/experiments/picture"
)

// A frame is a run's latest snapshot and what is drawn from it: the
// pictures of the hidden units and of the class templates (PNG), and the
// confusion matrix of the validation set (counts). They are drawn once, on
// the first request for any of them, by a server goroutine, whatever the
// number of pages that ask; the snapshot's weights are let go then, since
// everything the pages need is drawn. Nothing is drawn for a snapshot that
// no page asks for before the next one replaces it.
type frame struct {
	step    int
	classes []string

	once sync.Once
	mu   sync.Mutex
	snap *Snapshot // nil once drawn, or dropped (see shrink)
	pics *pictures // set by draw
}

// pictures is what is drawn from a snapshot.
type pictures struct {
	Step      int      `json:"step"`
	Hidden    int      `json:"hidden"` // m
	Shown     int      `json:"shown"`  // units drawn: the first min(m, MaxUnitsShown)
	Classes   []string `json:"classes"`
	Confusion [][]int  `json:"confusion"` // [true][predicted], null without labels
	Error     string   `json:"error,omitempty"`

	units, templates []byte // PNG files
}

// MaxUnitsShown is the number of hidden units drawn at most (the first
// ones): 100 pictures already make a page-wide grid, and a wide hidden
// layer of 1,000 would make a PNG too large to send at every recording.
const MaxUnitsShown = 100

// rawFrameBudget is how many bytes of weights the hub keeps for the
// snapshots of finished runs that no page has looked at yet: beyond it, the
// oldest are dropped (running runs keep theirs). 64 MB is 50 snapshots of
// the report's network (m = 50), or 2 of the ablation's widest (m = 1,000).
const rawFrameBudget = 64 << 20

func newFrame(step int, s *Snapshot, classes []string) *frame {
	return &frame{step: step, snap: s, classes: classes}
}

// bytes is the memory the frame's weights take, 0 once they are let go.
func (f *frame) bytes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.snap == nil {
		return 0
	}
	s := f.snap
	return 8 * (len(s.W1) + len(s.B1) + len(s.W2) + len(s.B2) + len(s.Mean) + len(s.Std) + len(s.ValPredicted))
}

// shrink lets the weights go without drawing them; a later request gets a
// message saying so.
func (f *frame) shrink() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snap = nil
}

// DrawInterval is the shortest time between two drawings of a run's
// pictures, and between two snapshots that Progress takes. Drawing (laying
// the pictures out and encoding them) takes a core that training would
// use, and a run of the report records several times a second; drawn at
// most once a second, the pictures of a watched run cost training little
// (docs/performance.md, "serve") and change as often as the eye can follow.
const DrawInterval = time.Second

// frameToDraw returns the snapshot of run id whose pictures a page gets
// now: the latest, unless the run's pictures were drawn less than
// DrawInterval ago; then the snapshot drawn then, and the time after which
// the latest may be drawn. It returns nil if the run has no snapshot.
func (h *Hub) frameToDraw(id string) (f *frame, wait time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.byID[id]
	if st == nil || st.frame == nil {
		return nil, 0
	}
	now := h.now()
	if st.drawn != nil && st.drawn != st.frame {
		if since := now.Sub(st.drawnAt); since < DrawInterval {
			return st.drawn, DrawInterval - since
		}
	}
	if st.drawn != st.frame {
		st.drawn, st.drawnAt = st.frame, now
	}
	return st.drawn, 0
}

// drawnFrame returns the snapshot of run id whose pictures pages got last,
// the one the PNGs are served from, or nil.
func (h *Hub) drawnFrame(id string) *frame {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st := h.byID[id]; st != nil {
		return st.drawn
	}
	return nil
}

// trimFramesLocked drops the snapshots of finished runs, oldest first,
// beyond rawFrameBudget bytes.
func (h *Hub) trimFramesLocked() {
	total := 0
	for i := len(h.runs) - 1; i >= 0; i-- {
		st := h.runs[i]
		if st.frame == nil || st.end == nil {
			continue
		}
		n := st.frame.bytes()
		if total+n > rawFrameBudget {
			st.frame.shrink()
			continue
		}
		total += n
	}
}

// draw returns the pictures of the frame, drawing them the first time.
func (f *frame) draw() *pictures {
	f.once.Do(func() {
		f.mu.Lock()
		s := f.snap
		f.mu.Unlock()
		p := &pictures{Step: f.step, Classes: f.classes}
		if s == nil {
			p.Error = "the pictures of this recording are no longer kept"
		} else if err := drawSnapshot(p, s); err != nil {
			p.Error = err.Error()
		}
		f.mu.Lock()
		f.pics, f.snap = p, nil
		f.mu.Unlock()
	})
	return f.pics
}

// drawSnapshot fills p from s: the units' and the templates' pictures, if
// the inputs are 32×32 colour images, and the confusion matrix, if s has
// the validation labels.
func drawSnapshot(p *pictures, s *Snapshot) error {
	d, m, k := s.Inputs, s.Hidden, s.Classes
	p.Hidden = m
	if d < 1 || m < 1 || k < 1 || len(s.W1) != m*d || len(s.W2) != k*m {
		return fmt.Errorf("the snapshot's weights do not fit its sizes (d=%d, m=%d, K=%d, W1 %d values, W2 %d)", d, m, k, len(s.W1), len(s.W2))
	}
	if len(s.ValPredicted) > 0 && len(s.ValPredicted) == len(s.ValTrue) {
		p.Confusion = confusion(s.ValPredicted, s.ValTrue, k)
	}
	if d != picture.Size {
		return errors.New("the inputs are not 32×32 colour images, so the weights are not drawn")
	}
	var err error
	p.Shown = min(m, MaxUnitsShown)
	if p.units, err = unitsPNG(s.W1[:p.Shown*d]); err != nil {
		return err
	}
	p.templates, err = templatesPNG(s.W1, s.W2, k, m, p.Classes)
	return err
}

// confusion counts the images of each true class i that were predicted as
// class j, skipping labels outside [0, k).
func confusion(predicted, truth []int, k int) [][]int {
	c := make([][]int, k)
	for i := range c {
		c[i] = make([]int, k)
	}
	for n, p := range predicted {
		if t := truth[n]; p >= 0 && p < k && t >= 0 && t < k {
			c[t][p]++
		}
	}
	return c
}

// unitsPNG draws the rows of w1 (each 3,072 weights of one hidden unit) as
// 32×32 pictures (picture.FromWeights), each enlarged twice, ten to a
// row, numbered in letters large enough to read on the page.
func unitsPNG(w1 []float64) ([]byte, error) { return fastPNG(unitsGrid(w1)) }

// unitsGrid lays out the pictures of unitsPNG.
func unitsGrid(w1 []float64) image.Image {
	n := len(w1) / picture.Size
	tiles := make([]picture.Tile, n)
	for i := range tiles {
		tiles[i] = picture.Tile{
			Image:   picture.FromWeights(w1[i*picture.Size : (i+1)*picture.Size]),
			Caption: []picture.Line{{Text: fmt.Sprint(i), Color: picture.Grey}},
		}
	}
	return picture.Grid(tiles, 10, 1, 1)
}

// templatesPNG draws the class templates, the rows of W2·W1 (K×d: what
// each class's score responds to, through the hidden layer, ignoring the
// ReLU), five to a row, captioned with the class names.
func templatesPNG(w1, w2 []float64, k, m int, classes []string) ([]byte, error) {
	d := picture.Size
	tiles := make([]picture.Tile, k)
	for c := range k {
		t := make([]float64, d)
		for j := range m {
			a := w2[c*m+j]
			for i, w := range w1[j*d : (j+1)*d] {
				t[i] += a * w
			}
		}
		name := fmt.Sprint(c)
		if c < len(classes) {
			name = classes[c]
		}
		tiles[c] = picture.Tile{Image: picture.FromWeights(t), Caption: []picture.Line{{Text: name, Color: picture.Black}}}
	}
	return fastPNG(picture.Grid(tiles, 5, 1, 1))
}

// fastPNG encodes img as PNG without compression: the pictures of a live
// run are drawn again every DrawInterval, on cores that training uses, and
// go to a browser on this machine or its network, where a few hundred KB
// cost less than compressing them (docs/performance.md, "serve").
func fastPNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.NoCompression}
	if err := enc.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// weightsPicture is the PNG of one 32×32 picture of 3,072 weights, for the
// try-it panel's units.
func weightsPicture(w []float64) ([]byte, error) {
	return picture.PNG(picture.FromWeights(w))
}

// pixelsPicture is the PNG of a CIFAR-10 image of 3,072 values in [0, 1].
func pixelsPicture(x []float64) ([]byte, error) {
	return picture.PNG(picture.FromPixels(x))
}
