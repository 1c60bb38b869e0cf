package matrix_test

import (
	"fmt"

	"twolayer/matrix"
)

// An element-wise pass over a large matrix shared out to the workers of the
// product: a gradient-descent update w ← w − η·g, in chunks of 4 entries.
// The func is made once (a method value or closure kept in a field) so that
// repeated calls allocate nothing.
func ExampleParallelFor() {
	w := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	g := []float64{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}
	eta := 0.1
	update := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			w[i] -= eta * g[i]
		}
	}
	matrix.ParallelFor(len(w), 4, update)
	fmt.Println(w)
	// Output: [0 1 2 3 4 5 6 7 8 9]
}
