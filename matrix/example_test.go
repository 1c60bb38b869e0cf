package matrix_test

import (
	"fmt"

	"twolayer/matrix"
)

// The images of a training set, one per row, prepared once; the first
// layer's product and its gradient for one mini-batch. PackRows packs the
// images for the kernel (or, where the kernel reads them as they are, just
// keeps them), and the mini-batch views are made once, not per step.
func ExamplePackRows() {
	const n, d, m, batch = 6, 4, 2, 3
	X := matrix.New(n, d) // image i is row i
	for i := range n {
		for p := range d {
			X.Set(i, p, float64(i+p))
		}
	}
	W1 := matrix.New(m, d)
	W1.Set(0, 0, 1) // hidden unit 0 reads pixel 0
	W1.Set(1, 3, 1) // hidden unit 1 reads pixel 3
	xp := matrix.PackRows(X)
	views := []*matrix.PackedRows{xp.RowRange(0, batch), xp.RowRange(batch, 2*batch)}

	// Forward, second mini-batch: S1 = W1·Xbᵀ, m×batch.
	S1 := matrix.New(m, batch)
	matrix.MulABtPacked(S1, W1, views[1])
	fmt.Println("S1 row 0:", S1.Row(0))
	fmt.Println("S1 row 1:", S1.Row(1))

	// Backward: ∂J/∂W1 = (1/batch)·G·Xb, with Xb the rows themselves.
	G := matrix.New(m, batch)
	G.Set(0, 2, 3) // only image 5 contributes, to hidden unit 0
	dW1 := matrix.New(m, d)
	matrix.Gemm(matrix.NoTrans, matrix.NoTrans, 1.0/batch, G, views[1].Dense(), 0, dW1)
	fmt.Println("dW1 row 0:", dW1.Row(0))
	// Output:
	// S1 row 0: [3 4 5]
	// S1 row 1: [6 7 8]
	// dW1 row 0: [5 6 7 8]
}

// An element-wise pass over a large matrix shared out to the workers of the
// product: a gradient-descent update w ← w − η·g, in chunks of 4 entries.
// The func is made once (a method value or closure kept in a field) so that
// repeated calls allocate nothing.
func ExampleParallelFor() {
	type step struct{ w, g []float64 }
	s := &step{w: []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, g: []float64{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}}
	matrix.ParallelFor(len(s.w), 4, s, func(s *step, lo, hi int) {
		for i := lo; i < hi; i++ {
			s.w[i] -= 0.1 * s.g[i]
		}
	})
	fmt.Println(s.w)
	// Output: [0 1 2 3 4 5 6 7 8 9]
}
