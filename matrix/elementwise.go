package matrix

import (
	"fmt"
	"math"
)

// The element-wise operations and reductions the network needs. An operation
// writes into dst, which may be one of its inputs, and panics, naming the
// operation and the shapes, when the shapes do not match.

// AddScaled computes dst = a + alpha·b, all r×c. With dst = a = W, b = ∇W and
// alpha = −η it is a gradient-descent step W ← W − η·∇W.
func AddScaled(dst, a *Dense, alpha float64, b *Dense) {
	sameShape("AddScaled", dst, a, b)
	for i := 0; i < dst.rows; i++ {
		d, x, y := dst.Row(i), a.Row(i), b.Row(i)
		for j := range d {
			d[j] = x[j] + alpha*y[j]
		}
	}
}

// AddColVector computes dst = a + v·1ᵀ: v[i] is added to every element of
// row i. a and dst are r×c, len(v) = r. With one image per column (S = W·X,
// r units × c images), this adds a bias b to every image's scores.
func AddColVector(dst, a *Dense, v []float64) {
	sameShape("AddColVector", dst, a)
	if len(v) != dst.rows {
		panic(fmt.Sprintf("matrix.AddColVector: vector of length %d for a %s matrix (want %d)", len(v), dst.shape(), dst.rows))
	}
	for i := 0; i < dst.rows; i++ {
		d, x, vi := dst.Row(i), a.Row(i), v[i]
		for j := range d {
			d[j] = x[j] + vi
		}
	}
}

// RowSums computes dst[i] = Σ_j a[i][j], the product a·1 (len(dst) = r for an
// r×c matrix a). Each sum runs over j in increasing order.
func RowSums(dst []float64, a *Dense) {
	if len(dst) != a.rows {
		panic(fmt.Sprintf("matrix.RowSums: destination of length %d for a %s matrix (want %d)", len(dst), a.shape(), a.rows))
	}
	for i := 0; i < a.rows; i++ {
		s := 0.0
		for _, x := range a.Row(i) {
			s += x
		}
		dst[i] = s
	}
}

// SumSquares returns ‖a‖² = Σ_ij a[i][j]², the squared Frobenius norm, summed
// row by row in increasing order.
func SumSquares(a *Dense) float64 {
	s := 0.0
	for i := 0; i < a.rows; i++ {
		for _, x := range a.Row(i) {
			s += x * x
		}
	}
	return s
}

// HasNaNOrInf reports whether any element of a is NaN or ±Inf.
func HasNaNOrInf(a *Dense) bool {
	for i := 0; i < a.rows; i++ {
		for _, x := range a.Row(i) {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return true
			}
		}
	}
	return false
}
