package dgemm

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(A) is m×k, op(B)
// is k×n and C is m×n, all row-major in slices: element (i, j) of A is
// a[i·lda+j], of B b[i·ldb+j], of C c[i·ldc+j]. op(A) is A, or Aᵀ when tA is
// set (A is then k×m); likewise op(B) with tB. With beta = 0, C's previous
// contents are ignored (NaNs in it do not propagate); with alpha = 0 or
// k = 0, A and B are not read and C becomes beta·C.
//
// The caller (package matrix) has checked that the slices hold the shapes
// and that C overlaps neither A nor B. Gemm runs on the calling goroutine
// and, for a large enough product, on workers of the pool (see plan). Once
// warm, it does not allocate.
func Gemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, nil, beta, c, ldc)
}

// RowReader is a matrix whose rows are computed as they are read: ReadRow
// writes entries j, j+1, …, j+len(dst)−1 of row i into dst. It is called
// from several goroutines at once.
type RowReader interface {
	ReadRow(dst []float64, i, j int)
}

// SliverReader is a RowReader that can also write a whole sliver of the
// packed B itself: ReadSliver writes entries j, …, j+kc−1 of rows i, …,
// i+w−1 into dst transposed, dst[p·w+r] = B[i+r][j+p], the values ReadRow
// gives, and reports true; or reports false, having written nothing, when
// it cannot (for this w, on this CPU), and the sliver is then read with
// ReadRow and packed here. A reader whose rows are computed (normalised
// from bytes, say) thus computes them straight into the packed sliver.
type SliverReader interface {
	RowReader
	ReadSliver(dst []float64, w, i, j, kc int) bool
}

// GemmRows computes C = alpha·A·Bᵀ + beta·C (A m×k, B n×k, C m×n) as Gemm
// does with tB set, where B is read through rows instead of from a slice: each
// row is read once per k block, a block of kc entries at a time, into a
// scratch that the packing of B then reads (packBRows), or, when rows is a
// SliverReader, straight into the packed sliver. So B is never held
// whole, and each of its entries is read exactly once (the grid does not
// cut C's rows, see planRows).
func GemmRows(m, n, k int, alpha float64, a []float64, lda int, rows RowReader, beta float64, c []float64, ldc int) {
	gemm(false, true, m, n, k, alpha, a, lda, nil, 0, rows, beta, c, ldc)
}

// gemm is Gemm, and with rows set GemmRows (B read through rows, b unused).
func gemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, rows RowReader, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scaleTile(c, ldc, beta, 0, m, 0, n)
		return
	}
	mk := kernel // read once: the whole product runs with one kernel
	if tA && tB && mk.edges {
		gemmTT(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	procs := procsFor(&mk, m, n, k)
	var p gemmPlan
	if rows != nil {
		p = planRows(mk, m, n, k, procs)
	} else {
		p = plan(mk, tA, tB, m, n, k, procs)
	}
	if p.dot && beta != 0 && beta != 1 {
		// The kernels scale C as they store their first k block; the dot
		// path adds to C, so it is scaled first, in a pass of its own.
		scaleC(c, ldc, m, n, beta, procs)
		beta = 1
	}
	j := newJob()
	j.plan = p
	j.kind = kernelTasks
	if j.plan.dot {
		j.kind = dotTasks
	}
	j.tA, j.tB, j.alpha, j.beta = tA, tB, alpha, beta
	j.a, j.lda, j.b, j.ldb, j.rows, j.c, j.ldc = a, lda, b, ldb, rows, c, ldc
	j.run(j.plan.procs, j.plan.gm*j.plan.gn)
}

// procsFor returns the goroutines an m×n×k product with kernel mk may use:
// 1 below the serial threshold (see serialFlops), else maxProcs(), which is
// not asked for then (GOMAXPROCS takes the scheduler's lock, a noticeable
// part of a small product).
func procsFor(mk *microKernel, m, n, k int) int {
	if 2*float64(m)*float64(n)*float64(k) < float64(serialFlops)*float64(mk.mr*mk.nr) {
		return 1
	}
	return maxProcs()
}

// scaleC sets the m×n matrix C to beta·C in a pass of its own, before the
// dot path adds a product to C (the kernel path scales C as its kernels
// store their first k block, see task): rows in chunks of about scaleChunk
// values, on up to procs goroutines, each row read and written in the order
// of memory. Each value of C is scaled once and rounded, as the kernels
// round beta·C.
func scaleC(c []float64, ldc, m, n int, beta float64, procs int) {
	chunk := max(1, scaleChunk/max(n, 1))
	j := newJob()
	j.kind = scaleRows
	j.c, j.ldc, j.beta = c, ldc, beta
	j.n, j.cols, j.chunk = m, n, chunk
	tasks := ceilDiv(m, chunk)
	j.run(min(procs, tasks), tasks)
}

// scaleChunk is about how many values of C a task of scaleC scales.
const scaleChunk = 16384

// gemmTT computes C = alpha·Aᵀ·Bᵀ + beta·C (A k×m, B n×k) as the transpose
// of T = alpha·B·A, a product with no transpose, where a kernel with edges
// reads its right operand unpacked (see useDirectB): then C[i][j] =
// T[j][i] + beta·C[i][j]. T lives in a buffer kept for the next call. (It
// is faster than packing both transposed operands: see
// docs/performance.md.)
func gemmTT(m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	t := pool.freeTemps.get(func() *[]float64 { return new([]float64) })
	*t = grow(*t, n*m)
	Gemm(false, false, n, m, k, alpha, b, ldb, a, lda, 0, *t, m)
	transposeInto(c, ldc, m, n, *t, beta)
	pool.freeTemps.put(t)
}

// transposeInto sets C = Tᵀ + beta·C (beta = 0: C = Tᵀ, NaNs in C do not
// survive), T n×m with rows m apart and C m×n, in blocks of 32×32 so that
// both are read and written a cache line at a time.
func transposeInto(c []float64, ldc, m, n int, t []float64, beta float64) {
	const blk = 32
	for i0 := 0; i0 < m; i0 += blk {
		for j0 := 0; j0 < n; j0 += blk {
			for i := i0; i < min(i0+blk, m); i++ {
				row := c[i*ldc : i*ldc+n]
				for j := j0; j < min(j0+blk, n); j++ {
					v := t[j*m+i]
					if beta != 0 {
						v += beta * row[j]
					}
					row[j] = v
				}
			}
		}
	}
}

// scaleTile sets C[i0:i1, j0:j1] to beta times itself; with beta = 0 it
// overwrites, so that NaNs in C do not survive.
func scaleTile(c []float64, ldc int, beta float64, i0, i1, j0, j1 int) {
	if beta == 1 {
		return
	}
	for i := i0; i < i1; i++ {
		r := c[i*ldc+j0 : i*ldc+j1]
		if beta == 0 {
			clear(r)
			continue
		}
		for jj := range r {
			r[jj] *= beta
		}
	}
}

// grow returns s resliced to length n, reallocated if its capacity is short.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// ceilDiv returns ⌈a/b⌉ for a ≥ 0, b > 0.
func ceilDiv(a, b int) int { return (a + b - 1) / b }
