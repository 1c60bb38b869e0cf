package network

import (
	"fmt"
	"math/rand/v2"

	"twolayer/matrix"
)

// The images the augmentation understands: CIFAR-10's, d = 3·32·32 values
// per image, three planes R, G, B of 32 rows of 32 pixels, row-major, so that
// pixel (row r, column c) of plane ch is value ch·32·32 + r·32 + c.
const (
	ImageChannels = 3
	ImageSide     = 32
)

// Augment says which random transformations the trainer applies to every
// training image each time it enters a batch (once per epoch): the zero
// value applies none.
type Augment struct {
	Flip  bool // mirror the image left to right with probability 1/2
	Shift int  // translate by (dx, dy), each uniform in −Shift..Shift pixels
}

// On reports whether a applies any transformation.
func (a Augment) On() bool { return a.Flip || a.Shift > 0 }

// String describes a, e.g. "flip, shift ±4" or "none".
func (a Augment) String() string {
	switch {
	case a.Flip && a.Shift > 0:
		return fmt.Sprintf("flip, shift ±%d", a.Shift)
	case a.Flip:
		return "flip"
	case a.Shift > 0:
		return fmt.Sprintf("shift ±%d", a.Shift)
	}
	return "none"
}

// fits returns an error unless a can transform images of d values: any d
// when a is off, d = 3·32·32 otherwise.
func (a Augment) fits(d int) error {
	if want := ImageChannels * ImageSide * ImageSide; a.On() && d != want {
		return fmt.Errorf("augmentation works on %d×%d×%d images (d = %d), not on d = %d", ImageChannels, ImageSide, ImageSide, want, d)
	}
	return nil
}

// draw returns one image's random transformation: flip with probability 1/2
// (if a.Flip), then dx and dy uniform in −Shift..Shift, in that order from r.
func (a Augment) draw(r *rand.Rand) (flip bool, dx, dy int) {
	if a.Flip {
		flip = r.Uint64()&1 == 1
	}
	if a.Shift > 0 {
		dx = r.IntN(2*a.Shift+1) - a.Shift
		dy = r.IntN(2*a.Shift+1) - a.Shift
	}
	return flip, dx, dy
}

// TransformImage writes into dst the image src (channels planes of h rows of
// w pixels, row-major, as described at ImageChannels) mirrored left to right
// if flip, then translated dx pixels to the right and dy pixels down:
//
//	dst[ch][r][c] = src[ch][r−dy][c′],  c′ = w−1−(c−dx) if flip, else c−dx,
//
// and dst[ch][r][c] = 0 where (r−dy, c−dx) lies outside the image. On
// normalised images (each value minus the training mean of its position,
// divided by its std) 0 is the mean training image's value there, so the
// uncovered border is filled with the mean image. (Moving a normalised
// value moves it away from the mean and std it was normalised with; for
// CIFAR-10, whose per-position statistics vary slowly and are nearly
// symmetric left to right, that is a small difference from normalising the
// moved raw image.) dst and src have
// channels·h·w values and must not overlap. It panics if their lengths are
// wrong.
func TransformImage(dst, src []float64, channels, h, w int, flip bool, dx, dy int) {
	n := channels * h * w
	if len(dst) != n || len(src) != n {
		panic(fmt.Sprintf("network.TransformImage: %d and %d values for a %d×%d×%d image", len(dst), len(src), channels, h, w))
	}
	// the destination columns c whose source column c−dx lies in 0..w−1
	c0, c1 := max(0, dx), min(w, w+dx)
	for ch := range channels {
		for r := range h {
			out := dst[(ch*h+r)*w : (ch*h+r+1)*w]
			sr := r - dy
			if sr < 0 || sr >= h || c0 >= c1 {
				clear(out)
				continue
			}
			in := src[(ch*h+sr)*w : (ch*h+sr+1)*w]
			clear(out[:c0])
			clear(out[c1:])
			if flip {
				for c := c0; c < c1; c++ {
					out[c] = in[w-1-(c-dx)]
				}
			} else {
				copy(out[c0:c1], in[c0-dx:c1-dx])
			}
		}
	}
}

// augmenter transforms the images of a training batch: each time a batch is
// loaded, it draws every image's transformation in order and applies them
// on every core.
type augmenter struct {
	a     Augment
	src   *matrix.Dense // B×d: the batch as loaded, before its transformations
	dst   *matrix.Dense // during apply: where the transformed images go
	moves []move        // the transformation of each image of the batch
	rng   *rand.Rand
}

// move is one image's random transformation (see Augment.draw).
type move struct {
	flip   bool
	dx, dy int
}

// newAugmenter returns an augmenter for batches of B images of d values.
func newAugmenter(a Augment, B, d int, rng *rand.Rand) *augmenter {
	return &augmenter{a: a, src: matrix.New(B, d), moves: make([]move, B), rng: rng}
}

// apply draws a transformation for each image of the batch in g.src, in
// order, and writes the transformed images into the rows of X.
func (g *augmenter) apply(X *matrix.Dense) {
	for i := range g.moves {
		mv := &g.moves[i]
		mv.flip, mv.dx, mv.dy = g.a.draw(g.rng)
	}
	g.dst = X
	B, d := X.Dims()
	matrix.ParallelFor(B, chunkOf(B, d), g, transformRows)
	g.dst = nil
}

// transformRows writes rows lo..hi−1 of g.dst, each the transformation of
// the same row of g.src (a pass).
func transformRows(g *augmenter, lo, hi int) {
	for i := lo; i < hi; i++ {
		mv := g.moves[i]
		TransformImage(g.dst.Row(i), g.src.Row(i), ImageChannels, ImageSide, ImageSide, mv.flip, mv.dx, mv.dy)
	}
}
