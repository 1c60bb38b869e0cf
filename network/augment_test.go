package network

import (
	"fmt"
	"testing"
)

// indexImage returns a channels×h×w image whose value at (ch, r, c) is
// 1 + its index, so every value is distinct and none is the fill value 0.
func indexImage(channels, h, w int) []float64 {
	img := make([]float64, channels*h*w)
	for i := range img {
		img[i] = float64(i + 1)
	}
	return img
}

// TestTransformImageKnownPixels checks single pixels of a flip, of a shift
// and of both against the positions worked out by hand on a 3×32×32 image.
func TestTransformImageKnownPixels(t *testing.T) {
	const C, S = ImageChannels, ImageSide
	src := indexImage(C, S, S)
	at := func(img []float64, ch, r, c int) float64 { return img[(ch*S+r)*S+c] }
	dst := make([]float64, C*S*S)
	for _, tc := range []struct {
		flip   bool
		dx, dy int
		// a source pixel (ch, r, c) and where it must land
		ch, r, c, r2, c2 int
	}{
		{false, 0, 0, 1, 5, 7, 5, 7},      // identity
		{true, 0, 0, 0, 0, 0, 0, 31},      // flip: the top-left red pixel goes top-right
		{true, 0, 0, 2, 10, 3, 10, 28},    // flip: column c → 31 − c, same row and plane
		{false, 2, 0, 1, 4, 0, 4, 2},      // two pixels to the right
		{false, 0, -3, 2, 3, 9, 0, 9},     // three pixels up
		{false, -4, 1, 0, 31, 31, 32, 27}, // row 32 is outside: checked as gone below
		{true, 1, 2, 1, 6, 0, 8, 32},      // flip to column 31, then one right: outside
		{true, -1, 2, 1, 6, 0, 8, 30},     // flip to column 31, one left, two down
	} {
		name := fmt.Sprintf("flip=%v/dx=%d/dy=%d", tc.flip, tc.dx, tc.dy)
		TransformImage(dst, src, C, S, S, tc.flip, tc.dx, tc.dy)
		want := at(src, tc.ch, tc.r, tc.c)
		if tc.r2 < S && tc.c2 < S {
			if got := at(dst, tc.ch, tc.r2, tc.c2); got != want {
				t.Errorf("%s: pixel (%d, %d, %d) should be at (%d, %d), found %g there (want %g)", name, tc.ch, tc.r, tc.c, tc.r2, tc.c2, got, want)
			}
		}
		// the value appears nowhere else (all source values are distinct)
		count := 0
		for _, v := range dst {
			if v == want {
				count++
			}
		}
		inside := tc.r2 < S && tc.c2 < S
		if (inside && count != 1) || (!inside && count != 0) {
			t.Errorf("%s: pixel (%d, %d, %d) appears %d times in the result", name, tc.ch, tc.r, tc.c, count)
		}
	}
}

// TestTransformImageEveryPixel compares TransformImage with the definition
// dst[ch][r][c] = src[ch][r−dy][c′] (c′ = w−1−(c−dx) flipped, else c−dx),
// 0 outside, at every pixel for every shift of a small 2×5×4 image and of
// the 3×32×32 one.
func TestTransformImageEveryPixel(t *testing.T) {
	for _, dims := range [][3]int{{2, 5, 4}, {ImageChannels, ImageSide, ImageSide}} {
		C, H, W := dims[0], dims[1], dims[2]
		src := indexImage(C, H, W)
		dst := make([]float64, len(src))
		for _, flip := range []bool{false, true} {
			for dy := -H; dy <= H; dy++ {
				for dx := -W; dx <= W; dx++ {
					for i := range dst {
						dst[i] = -1 // every value must be written
					}
					TransformImage(dst, src, C, H, W, flip, dx, dy)
					for ch := range C {
						for r := range H {
							for c := range W {
								sr, sc := r-dy, c-dx
								want := 0.0
								if sr >= 0 && sr < H && sc >= 0 && sc < W {
									if flip {
										sc = W - 1 - sc
									}
									want = src[(ch*H+sr)*W+sc]
								}
								if got := dst[(ch*H+r)*W+c]; got != want {
									t.Fatalf("%d×%d×%d flip=%v dx=%d dy=%d: (%d, %d, %d) = %g, want %g", C, H, W, flip, dx, dy, ch, r, c, got, want)
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestTrainerAugments checks that every image of a training batch is its
// source image transformed by a flip and a shift within ±Shift, that the
// draws vary between images and between epochs, and that the training set
// itself is left unchanged.
func TestTrainerAugments(t *testing.T) {
	const n, B, shift = 20, 10, 2
	s := randomSet(n, 3072, 10, 3)
	orig := s.X.Clone()
	p := InitializeWeights(3072, 8, 10, InitSqrt, 1)
	cfg := Config{EtaMin: 0.01, EtaMax: 0.01, StepSize: 10, Cycles: 1, BatchSize: B, RecordsPerCycle: 1,
		Seed: 4, Augment: Augment{Flip: true, Shift: shift}}
	tr, err := NewTrainer(p, s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tmp := make([]float64, 3072)
	seen := map[[3]int]int{}         // how often each transformation was drawn
	first := make(map[int][3]int, n) // image → its draw in the first epoch
	changed := 0
	for step := range 2 * n / B { // two epochs
		tr.Step()
		for i := range B {
			r := (step%(n/B))*B + i
			if tr.y[i] != s.Labels[r] {
				t.Fatalf("step %d, batch row %d: label %d, want image %d's %d", step, i, tr.y[i], r, s.Labels[r])
			}
			found := false
			for _, flip := range []bool{false, true} {
				for dy := -shift; dy <= shift && !found; dy++ {
					for dx := -shift; dx <= shift && !found; dx++ {
						TransformImage(tmp, s.X.Row(r), ImageChannels, ImageSide, ImageSide, flip, dx, dy)
						if sameBits(tmp, tr.X.Row(i)) {
							found = true
							f := 0
							if flip {
								f = 1
							}
							key := [3]int{f, dx, dy}
							seen[key]++
							if step < n/B {
								first[r] = key
							} else if first[r] != key {
								changed++
							}
						}
					}
				}
			}
			if !found {
				t.Fatalf("step %d, batch row %d is no flip and shift within ±%d of image %d", step, i, shift, r)
			}
		}
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct transformations in 40 draws: %v", len(seen), seen)
	}
	if changed < n/2 {
		t.Errorf("only %d of %d images were transformed differently in the second epoch", changed, n)
	}
	if !sameBits(orig.Row(0), s.X.Row(0)) || !sameBits(orig.Row(n-1), s.X.Row(n-1)) {
		t.Error("the training set was changed")
	}
}
