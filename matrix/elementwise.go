package matrix

import (
	"fmt"
	"math"
)

// The element-wise operations below write into dst, which may be one of the
// inputs. Each panics, naming the operation and the shapes, when the shapes
// do not match.

// Add computes dst = a + b, all r×c.
func Add(dst, a, b *Dense) {
	sameShape("Add", dst, a, b)
	for i := 0; i < dst.rows; i++ {
		d, x, y := dst.Row(i), a.Row(i), b.Row(i)
		for j := range d {
			d[j] = x[j] + y[j]
		}
	}
}

// Sub computes dst = a − b, all r×c.
func Sub(dst, a, b *Dense) {
	sameShape("Sub", dst, a, b)
	for i := 0; i < dst.rows; i++ {
		d, x, y := dst.Row(i), a.Row(i), b.Row(i)
		for j := range d {
			d[j] = x[j] - y[j]
		}
	}
}

// Scale computes dst = alpha·a, both r×c.
func Scale(dst *Dense, alpha float64, a *Dense) {
	sameShape("Scale", dst, a)
	for i := 0; i < dst.rows; i++ {
		d, x := dst.Row(i), a.Row(i)
		for j := range d {
			d[j] = alpha * x[j]
		}
	}
}

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

// MulElem computes the Hadamard product dst = a ⊙ b, all r×c.
func MulElem(dst, a, b *Dense) {
	sameShape("MulElem", dst, a, b)
	for i := 0; i < dst.rows; i++ {
		d, x, y := dst.Row(i), a.Row(i), b.Row(i)
		for j := range d {
			d[j] = x[j] * y[j]
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

// AddRowVector computes dst = a + 1·vᵀ: v is added to every row. a and dst
// are r×c, len(v) = c. With one image per row, this adds a bias to every
// image's scores.
func AddRowVector(dst, a *Dense, v []float64) {
	sameShape("AddRowVector", dst, a)
	if len(v) != dst.cols {
		panic(fmt.Sprintf("matrix.AddRowVector: vector of length %d for a %s matrix (want %d)", len(v), dst.shape(), dst.cols))
	}
	for i := 0; i < dst.rows; i++ {
		d, x := dst.Row(i), a.Row(i)
		for j := range d {
			d[j] = x[j] + v[j]
		}
	}
}

// ReLU computes dst = max(0, a) element-wise, both r×c.
func ReLU(dst, a *Dense) {
	sameShape("ReLU", dst, a)
	for i := 0; i < dst.rows; i++ {
		d, x := dst.Row(i), a.Row(i)
		for j := range d {
			d[j] = max(0, x[j])
		}
	}
}

// MaskPositive computes dst = g ⊙ Ind(h > 0), all r×c: the gradient g passed
// back through a ReLU whose output was h. An entry of g is kept where h is
// positive and set to 0 elsewhere.
func MaskPositive(dst, g, h *Dense) {
	sameShape("MaskPositive", dst, g, h)
	for i := 0; i < dst.rows; i++ {
		d, x, y := dst.Row(i), g.Row(i), h.Row(i)
		for j := range d {
			if y[j] > 0 {
				d[j] = x[j]
			} else {
				d[j] = 0
			}
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

// ColSums computes dst[j] = Σ_i a[i][j], the product 1ᵀ·a (len(dst) = c for an
// r×c matrix a). Each sum runs over i in increasing order.
func ColSums(dst []float64, a *Dense) {
	if len(dst) != a.cols {
		panic(fmt.Sprintf("matrix.ColSums: destination of length %d for a %s matrix (want %d)", len(dst), a.shape(), a.cols))
	}
	clear(dst)
	for i := 0; i < a.rows; i++ {
		for j, x := range a.Row(i) {
			dst[j] += x
		}
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

// ArgmaxRows sets dst[i] to the column index of the largest element of row i
// (the first one on ties). len(dst) = r; it panics if a has no columns.
func ArgmaxRows(dst []int, a *Dense) {
	if len(dst) != a.rows || (a.rows > 0 && a.cols == 0) {
		panic(fmt.Sprintf("matrix.ArgmaxRows: destination of length %d for a %s matrix", len(dst), a.shape()))
	}
	for i := 0; i < a.rows; i++ {
		best := 0
		r := a.Row(i)
		for j, x := range r {
			if x > r[best] {
				best = j
			}
		}
		dst[i] = best
	}
}

// ArgmaxCols sets dst[j] to the row index of the largest element of column j
// (the first one on ties): with one image per column of class scores, the
// predicted class of each image. len(dst) = c; it panics if a has no rows.
func ArgmaxCols(dst []int, a *Dense) {
	if len(dst) != a.cols || (a.cols > 0 && a.rows == 0) {
		panic(fmt.Sprintf("matrix.ArgmaxCols: destination of length %d for a %s matrix", len(dst), a.shape()))
	}
	clear(dst)
	for i := 1; i < a.rows; i++ {
		r := a.Row(i)
		for j, x := range r {
			if x > a.data[dst[j]*a.stride+j] {
				dst[j] = i
			}
		}
	}
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
