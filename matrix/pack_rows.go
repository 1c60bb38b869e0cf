package matrix

import "fmt"

// PackedRows is a matrix X (n×d, one item per row, such as the images of a
// training set) stored once in the order in which the micro-kernel reads
// op(B) = Xᵀ, so that the products A·Xbᵀ with row ranges Xb of X (the
// mini-batches) do not pack Xb again every time.
//
// The rows are kept in groups of nr (the kernel's tile width, see
// microKernel): group g holds, column after column, the values of its rows,
//
//	data[(g·d + p)·nr + l] = X[g·nr + l][p],   p < d, l < nr,
//
// zero where g·nr+l ≥ n. For a block of k values p0..p0+kc this is exactly
// the B sliver the kernel reads (b[p·nr+l], kc·nr values in a row), for any
// p0 and kc. A row range that does not start at a group is computed with
// the grid of tiles shifted to the groups (see gemmPlan.off): the first and
// last tiles are partial.
//
// PackRows makes one; RowRange takes views of it. A PackedRows is read-only
// and may be used by several products at once.
//
// Where the kernel has a dot path (AVX-512, see doc.go), A·Xbᵀ reads the
// rows of X as they are, nothing to pack, and was measured faster that way
// (W1·Xbᵀ, 50×3072×100: 49 GFLOP per CPU-second against 46 from the packed
// copy, Zen 4): there a PackedRows keeps no copy, only X, and the products
// take the dot path.
type PackedRows struct {
	rows, cols int       // the view: rows r0..r0+rows of the packed matrix, d = cols
	r0         int       // first row of the view in the groups
	nr         int       // rows per group; 0 when nothing is packed
	data       []float64 // the groups
	x          Dense     // the rows of the view, unpacked
}

// PackRows returns X (n×d) prepared for products A·Xbᵀ with the micro-kernel
// installed now (see doc.go): packed, in ⌈n/nr⌉·nr·d new values (about the
// size of X), unless the kernel reads X as it is. It keeps a reference to X
// (see Dense); X must not change while the PackedRows is in use.
func PackRows(x *Dense) *PackedRows {
	if kern.dot != nil {
		return &PackedRows{rows: x.rows, cols: x.cols, x: *x}
	}
	return packRows(x, &kern)
}

// packRows packs X for the kernel mk (tests use it with every kernel).
func packRows(x *Dense, mk *microKernel) *PackedRows {
	nr := mk.nr
	n, d := x.rows, x.cols
	groups := ceilDiv(n, nr)
	pr := &PackedRows{rows: n, cols: d, nr: nr, data: make([]float64, groups*d*nr), x: *x}
	if d == 0 {
		return pr
	}
	for g := range groups {
		packAlong(pr.data[g*d*nr:(g+1)*d*nr], x, g*nr, min(nr, n-g*nr), 0, d, nr, 1, mk.packRows4)
	}
	return pr
}

// Dims returns the number of rows and columns of the view.
func (pr *PackedRows) Dims() (r, c int) { return pr.rows, pr.cols }

// RowRange returns the view of rows [i0, i1) of pr: with the training set
// packed, a mini-batch. It shares pr's memory and does not pack anything.
// It allocates the small view itself: make the views once, not per product.
// It panics if the range is not within pr.
func (pr *PackedRows) RowRange(i0, i1 int) *PackedRows {
	if i0 < 0 || i1 < i0 || i1 > pr.rows {
		panic(fmt.Sprintf("matrix.PackedRows.RowRange: rows [%d,%d) outside a %d×%d matrix", i0, i1, pr.rows, pr.cols))
	}
	v := *pr
	v.rows, v.r0, v.x = i1-i0, pr.r0+i0, *pr.x.RowRange(i0, i1)
	return &v
}

// Dense returns the rows of the view as a matrix (a view of the X that was
// packed, not a copy): for the products that read X itself, such as
// ∂J/∂W1 = G·Xb.
func (pr *PackedRows) Dense() *Dense {
	x := pr.x
	return &x
}

// panel returns where the kernel reads the k block pc.. of the grid columns
// jc.. (see gemmJob.task): the groups hold the slivers, d·nr values apart,
// and the grid's column 0 is the first column of the view's first group.
func (pr *PackedRows) panel(jc, pc int) bPanel {
	g := pr.r0/pr.nr + jc/pr.nr
	return bPanel{data: pr.data[(g*pr.cols+pc)*pr.nr:], ldb: pr.nr, next: pr.cols * pr.nr}
}

// GemmPacked computes C = alpha·op(A)·Bᵀ + beta·C, where B (n×k) is
// pre-packed and op(A) (m×k) is A, or Aᵀ when tA is Trans: C is m×n. It is
// Gemm(tA, Trans, alpha, A, B, beta, C) without packing B; beta and alpha
// act as in Gemm, and it panics as Gemm does, or if B was packed for
// another kernel.
func GemmPacked(tA Transpose, alpha float64, a *Dense, b *PackedRows, beta float64, c *Dense) {
	gemmPacked("GemmPacked", kern, tA, alpha, a, b, beta, c)
}

// MulABtPacked computes C = A·Bᵀ, A m×k, B n×k pre-packed, C m×n: with the
// training set packed and B a mini-batch of it, the first layer's W1·Xbᵀ.
// It panics as GemmPacked does.
func MulABtPacked(c, a *Dense, b *PackedRows) {
	gemmPacked("MulABtPacked", kern, NoTrans, 1, a, b, 0, c)
}

// gemmPacked is GemmPacked with the operation's name and the kernel.
func gemmPacked(op string, mk microKernel, tA Transpose, alpha float64, a *Dense, b *PackedRows, beta float64, c *Dense) {
	m, k := a.rows, a.cols
	if tA {
		m, k = k, m
	}
	n := b.rows
	if k != b.cols || c.rows != m || c.cols != n {
		panic(fmt.Sprintf("matrix.%s: shape mismatch: %s, packed B %d×%d, C %s: want op(A) m×k, B n×k, C m×n",
			op, operandShape("A", a, tA), b.rows, b.cols, c.shape()))
	}
	if b.nr == 0 {
		gemm(op, mk, tA, Trans, alpha, a, &b.x, beta, c) // nothing packed: X as it is
		return
	}
	if b.nr != mk.nr {
		panic(fmt.Sprintf("matrix.%s: B was packed in groups of %d rows, the kernel %s needs %d: pack it again", op, b.nr, mk.name, mk.nr))
	}
	if sharesMemory(c, a) {
		panic(fmt.Sprintf("matrix.%s: destination C %s shares memory with A %s", op, c.shape(), a.shape()))
	}
	if sharesMemory(c, &b.x) {
		panic(fmt.Sprintf("matrix.%s: destination C %s shares memory with the matrix packed as B", op, c.shape()))
	}
	if m == 0 || n == 0 {
		return
	}
	off := b.r0 % b.nr
	procs := procsFor(mk, m, n, k)
	if beta != 0 && beta != 1 && alpha != 0 && k != 0 {
		scaleC(c, beta, procs)
		beta = 1
	}
	p := planPacked(mk, m, n+off, k, procs)
	p.off = off
	if alpha == 0 || k == 0 {
		p.gm, p.gn, p.tm, p.tn, p.procs = 1, 1, m, n+off, 1
	}
	run(&p, tA, Trans, alpha, a, nil, b, beta, c)
}
