package matrix_test

import (
	"fmt"

	"twolayer/matrix"
)

// An element-wise pass over a large matrix shared out to the workers of the
// products: a gradient-descent update w ← w − η·g, in chunks of 4 entries.
// The body is a method expression, (*step).update, and its receiver the
// argument: repeated calls allocate nothing.
func ExampleParallelFor() {
	s := &step{
		w:   []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		g:   []float64{10, 10, 10, 10, 10, 10, 10, 10, 10, 10},
		eta: 0.1,
	}
	matrix.ParallelFor(len(s.w), 4, s, (*step).update)
	fmt.Println(s.w)
	// Output: [0 1 2 3 4 5 6 7 8 9]
}

// step is a gradient-descent step on the parameters w with gradient g.
type step struct {
	w, g []float64
	eta  float64
}

// update takes the step on entries lo..hi−1.
func (s *step) update(lo, hi int) {
	for i := lo; i < hi; i++ {
		s.w[i] -= s.eta * s.g[i]
	}
}
