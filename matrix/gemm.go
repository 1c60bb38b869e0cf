package matrix

import (
	"fmt"
	"unsafe"

	"twolayer/matrix/internal/dgemm"
)

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
// previous contents are ignored (NaNs in it do not propagate); with alpha = 0
// or k = 0, A and B are not read and C becomes beta·C. GemmReference
// computes the same by the textbook triple loop.
//
// It panics, naming the operation and the shapes, if the shapes do not fit,
// or if C shares memory with A or B: the destination must not overlap an
// input (disjoint blocks of one matrix are fine).
//
// The product is cache-blocked and packed as in GotoBLAS, runs on up to
// GOMAXPROCS goroutines (fewer after SetParallelism), and gives bitwise the
// same result at any parallelism. Once warm, Gemm does not allocate.
func Gemm(tA, tB Transpose, alpha float64, a, b *Dense, beta float64, c *Dense) {
	m, n, k := checkProduct("Gemm", tA, tB, a, b, c)
	dgemm.Gemm(bool(tA), bool(tB), m, n, k, alpha, a.data, a.stride, b.data, b.stride, beta, c.data, c.stride)
}

// Mul computes C = A·B: A is m×k, B is k×n, C is m×n. It panics as Gemm does.
func Mul(c, a, b *Dense) {
	m, n, k := checkProduct("Mul", NoTrans, NoTrans, a, b, c)
	dgemm.Gemm(false, false, m, n, k, 1, a.data, a.stride, b.data, b.stride, 0, c.data, c.stride)
}

// MulABt computes C = A·Bᵀ: A is m×k, B is n×k, C is m×n. With the images of
// a mini-batch stored one per row of B, this is W·Xᵀ. It panics as Gemm does.
func MulABt(c, a, b *Dense) {
	m, n, k := checkProduct("MulABt", NoTrans, Trans, a, b, c)
	dgemm.Gemm(false, true, m, n, k, 1, a.data, a.stride, b.data, b.stride, 0, c.data, c.stride)
}

// RowReader is a matrix read row by row: ReadRow writes entries j, j+1, …,
// j+len(dst)−1 of row i into dst. A *Dense is one; so is a matrix whose
// rows are computed as they are read (images normalised from their bytes,
// say), which MulABtRows reads without ever storing it whole. ReadRow is
// called from several goroutines at once.
type RowReader interface {
	ReadRow(dst []float64, i, j int)
}

// SliverReader is a RowReader that can also write a block of w rows
// straight into a product's packed buffer: ReadSliver writes entries j, …,
// j+kc−1 of rows i, …, i+w−1 into dst transposed, dst[p·w+r] = row i+r's
// entry j+p (the values ReadRow gives), and reports true; or reports false,
// having written nothing, and MulABtRows then reads those rows with ReadRow.
// Images normalised from their bytes (cifar.Images) are one: they are
// normalised into the packed sliver, in L1, instead of into rows that are
// then packed.
type SliverReader interface {
	RowReader
	ReadSliver(dst []float64, w, i, j, kc int) bool
}

// ReadRow copies entries j, …, j+len(dst)−1 of row i into dst.
func (m *Dense) ReadRow(dst []float64, i, j int) { copy(dst, m.Row(i)[j:j+len(dst)]) }

// MulABtRows computes C = A·Bᵀ as MulABt does, for A m×k and the n×k matrix
// B read through b (n is C's columns, k A's): a *Dense where it is, as
// MulABt reads it; any other RowReader a block of each row at a time (k
// blocks of a few hundred entries), as the product packs B, each entry read
// once, so that B need never be stored whole; a SliverReader writes its
// blocks straight into the packed B. It panics if C does not have A's m
// rows or shares memory with A.
func MulABtRows(c, a *Dense, b RowReader) {
	if d, ok := b.(*Dense); ok {
		MulABt(c, a, d)
		return
	}
	if c.rows != a.rows {
		panic(fmt.Sprintf("matrix.MulABtRows: shape mismatch: C %s, A %s (C must have A's rows)", c.shape(), a.shape()))
	}
	if sharesMemory(c, a) {
		panic(fmt.Sprintf("matrix.MulABtRows: destination C %s shares memory with A %s", c.shape(), a.shape()))
	}
	dgemm.GemmRows(a.rows, c.cols, a.cols, 1, a.data, a.stride, b, 0, c.data, c.stride)
}

// MulAtB computes C = Aᵀ·B: A is k×m, B is k×n, C is m×n. It panics as Gemm does.
func MulAtB(c, a, b *Dense) {
	m, n, k := checkProduct("MulAtB", Trans, NoTrans, a, b, c)
	dgemm.Gemm(true, false, m, n, k, 1, a.data, a.stride, b.data, b.stride, 0, c.data, c.stride)
}

// GemmReference computes what Gemm computes, C = alpha·op(A)·op(B) + beta·C,
// by the textbook triple loop, one element of C at a time:
//
//	C[i][j] = alpha·Σ_{p<k} op(A)[i][p]·op(B)[p][j] + beta·C[i][j]
//
// the sum taken in increasing p, the term beta·C[i][j] left out when beta
// = 0 and the sum when alpha = 0. It is the definition that Gemm and every
// path and micro-kernel behind it are tested against; Gemm's results agree
// with it to rounding, not bit for bit (Gemm sums in blocks, and its kernels
// may fuse each multiply-add). It is slow: use Gemm. It panics as Gemm does.
func GemmReference(tA, tB Transpose, alpha float64, a, b *Dense, beta float64, c *Dense) {
	m, n, k := checkProduct("GemmReference", tA, tB, a, b, c)
	// op(A)[i][p] is a.data[i*ai + p*ap], op(B)[p][j] is b.data[p*bp + j*bj].
	ai, ap := a.stride, 1
	if tA {
		ai, ap = 1, a.stride
	}
	bp, bj := b.stride, 1
	if tB {
		bp, bj = 1, b.stride
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			if alpha != 0 {
				for p := 0; p < k; p++ {
					s += a.data[i*ai+p*ap] * b.data[p*bp+j*bj]
				}
			}
			v := alpha * s
			if beta != 0 {
				v += beta * c.data[i*c.stride+j]
			}
			c.data[i*c.stride+j] = v
		}
	}
}

// checkProduct returns the m, n and k of C = op(A)·op(B) for the operation
// op, and panics if the shapes do not fit or C shares memory with A or B.
func checkProduct(op string, tA, tB Transpose, a, b, c *Dense) (m, n, k int) {
	m, k = a.rows, a.cols
	if tA {
		m, k = k, m
	}
	kb, n := b.rows, b.cols
	if tB {
		kb, n = n, kb
	}
	if k != kb || c.rows != m || c.cols != n {
		panic(fmt.Sprintf("matrix.%s: shape mismatch: %s, %s, C %s: want op(A) m×k, op(B) k×n, C m×n",
			op, operandShape("A", a, tA), operandShape("B", b, tB), c.shape()))
	}
	if sharesMemory(c, a) {
		panic(fmt.Sprintf("matrix.%s: destination C %s shares memory with A %s", op, c.shape(), a.shape()))
	}
	if sharesMemory(c, b) {
		panic(fmt.Sprintf("matrix.%s: destination C %s shares memory with B %s", op, c.shape(), b.shape()))
	}
	return m, n, k
}

// operandShape describes an operand of a product for a panic message, e.g.
// "A 50×3072" or "Bᵀ 3072×100 (B 100×3072)".
func operandShape(name string, x *Dense, t Transpose) string {
	if t {
		return fmt.Sprintf("%sᵀ %d×%d (%s %s)", name, x.cols, x.rows, name, x.shape())
	}
	return name + " " + x.shape()
}

// sharesMemory reports whether x and y have an element in common. Views of
// one matrix (same stride) are compared as rectangles, so that, say, two
// column blocks of a matrix do not share memory; otherwise any overlap of
// the address ranges from first to last element counts.
func sharesMemory(x, y *Dense) bool {
	if len(x.data) == 0 || len(y.data) == 0 {
		return false
	}
	x0 := uintptr(unsafe.Pointer(unsafe.SliceData(x.data)))
	y0 := uintptr(unsafe.Pointer(unsafe.SliceData(y.data)))
	if x0 >= y0+uintptr(len(y.data))*8 || y0 >= x0+uintptr(len(x.data))*8 {
		return false // disjoint address ranges
	}
	if y0 < x0 {
		x, y, x0, y0 = y, x, y0, x0
	}
	s := x.stride
	if y.stride != s || (y0-x0)%8 != 0 {
		return true
	}
	// y's first element is at (r, c) in x's coordinates.
	d := int((y0 - x0) / 8)
	r, c := d/s, d%s
	if c+y.cols > s {
		return true // y does not lie in x's rows
	}
	return r < x.rows && c < x.cols
}
