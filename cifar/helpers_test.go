package cifar

import (
	"fmt"

	"twolayer/matrix"
)

// denseOf returns the r×c matrix whose rows, one after the other, are data.
func denseOf(r, c int, data []float64) *matrix.Dense {
	if len(data) != r*c {
		panic(fmt.Sprintf("denseOf: %d values for a %d×%d matrix", len(data), r, c))
	}
	a := matrix.New(r, c)
	for i := range r {
		copy(a.Row(i), data[i*c:(i+1)*c])
	}
	return a
}

// sameMatrix reports whether a and b have the same shape and equal entries.
func sameMatrix(a, b *matrix.Dense) bool {
	if a.Rows() != b.Rows() || a.Cols() != b.Cols() {
		return false
	}
	for i := range a.Rows() {
		ra, rb := a.Row(i), b.Row(i)
		for j := range ra {
			if ra[j] != rb[j] {
				return false
			}
		}
	}
	return true
}
