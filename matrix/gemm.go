package matrix

import "fmt"

// Transpose says whether an operand of Gemm is used as it is or transposed.
type Transpose bool

const (
	// NoTrans uses the operand as it is.
	NoTrans Transpose = false
	// Trans uses the transpose of the operand (without materialising it).
	Trans Transpose = true
)

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X or Xᵀ as
// tA and tB say. op(A) is m×k, op(B) is k×n and C is m×n. With beta = 0, C's
// previous contents are ignored (NaNs in it do not propagate).
//
// It panics, naming the shapes, if they do not fit, or if C shares memory
// with A or B.
//
// Each element of C is summed over k in one fixed order, so the result is
// bitwise the same whatever GOMAXPROCS is.
func Gemm(tA, tB Transpose, alpha float64, a, b *Dense, beta float64, c *Dense) {
	m, k := a.rows, a.cols
	if tA {
		m, k = k, m
	}
	kb, n := b.rows, b.cols
	if tB {
		kb, n = n, kb
	}
	if k != kb || c.rows != m || c.cols != n {
		panic(fmt.Sprintf("matrix.Gemm: shape mismatch: op(A) %d×%d, op(B) %d×%d, C %s", m, k, kb, n, c.shape()))
	}
	// TODO(issue 2): cache-blocked, packed, parallel implementation.
	gemmNaive(tA, tB, alpha, a, b, beta, c)
}

// gemmNaive is the textbook triple loop.
func gemmNaive(tA, tB Transpose, alpha float64, a, b *Dense, beta float64, c *Dense) {
	at := func(x *Dense, t Transpose, i, j int) float64 {
		if t {
			return x.data[j*x.stride+i]
		}
		return x.data[i*x.stride+j]
	}
	k := a.cols
	if tA {
		k = a.rows
	}
	for i := 0; i < c.rows; i++ {
		for j := 0; j < c.cols; j++ {
			s := 0.0
			for p := 0; p < k; p++ {
				s += at(a, tA, i, p) * at(b, tB, p, j)
			}
			if beta == 0 {
				c.data[i*c.stride+j] = alpha * s
			} else {
				c.data[i*c.stride+j] = alpha*s + beta*c.data[i*c.stride+j]
			}
		}
	}
}

// Mul computes C = A·B: A is m×k, B is k×n, C is m×n. It panics as Gemm does.
func Mul(c, a, b *Dense) { Gemm(NoTrans, NoTrans, 1, a, b, 0, c) }

// MulABt computes C = A·Bᵀ: A is m×k, B is n×k, C is m×n. It panics as Gemm does.
func MulABt(c, a, b *Dense) { Gemm(NoTrans, Trans, 1, a, b, 0, c) }

// MulAtB computes C = Aᵀ·B: A is k×m, B is k×n, C is m×n. It panics as Gemm does.
func MulAtB(c, a, b *Dense) { Gemm(Trans, NoTrans, 1, a, b, 0, c) }
