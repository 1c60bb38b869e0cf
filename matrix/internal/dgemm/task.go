package dgemm

// task computes tile t of the plan's grid of C (row-major in the grid): it
// adds alpha·op(A)·op(B) to the tile in the five loops of GotoBLAS around
// the micro-kernel, from the outside in:
//
//  5. panels of nc columns of C (jc);
//  4. k blocks of kc (pc): pack the kc×nc block of op(B) into slivers of nr
//     columns (packB), unless the plan reads B where it is (directB);
//  3. blocks of mc rows of C (ic): pack the mc×kc block of alpha·op(A) into
//     slivers of mr rows (packA), which stay in L2;
//  2. B slivers (jr), each kept in L1 while
//  1. the A slivers (ir) stream past it, one micro-kernel call per mr×nr
//     tile of C.
//
// The kernels apply beta as they store the first k block (firstBeta): C =
// beta·C + the block's sum, each value of C scaled once, in the tile that
// the kernel loads anyway; with beta = 0 that block is stored over C, so C
// is not cleared first. A tile that sticks out of C goes through edgeTile.
func (j *job) task(t int, buf *packBuf) {
	p := &j.plan
	mk := &p.mk
	mr, nr := mk.mr, mk.nr
	i0, j0 := t/p.gn*p.tm, t%p.gn*p.tn
	i1, j1 := min(i0+p.tm, p.m), min(j0+p.tn, p.n)
	buf.a = grow(buf.a, ceilDiv(min(p.mc, i1-i0), mr)*mr*p.kc)
	if !p.directB {
		buf.b = grow(buf.b, ceilDiv(min(p.nc, j1-j0), nr)*nr*p.kc)
	}
	buf.tile = grow(buf.tile, mr*nr)
	if j.rows != nil {
		buf.rows = grow(buf.rows, nr*p.kc)
	}
	if j.rows != nil && i1-i0 <= p.mc {
		j.taskRows(i0, i1, j0, j1, buf)
		return
	}
	c, ldc := j.c, j.ldc
	for jc := j0; jc < j1; jc += p.nc {
		nlen := min(p.nc, j1-jc)
		for pc := 0; pc < p.k; pc += p.kc {
			kc := min(p.kc, p.k-pc)
			beta := j.firstBeta(pc)
			// The B panel: sliver s (columns jc+s·nr.. of op(B)) starts
			// at bp[s·next], its rows ldbp apart.
			bp, ldbp, next := buf.b, nr, kc*nr
			switch {
			case p.directB:
				bp, ldbp, next = j.b[pc*j.ldb+jc:], j.ldb, nr
			case j.rows != nil:
				packBRows(buf.b, buf.rows, j.rows, pc, kc, jc, nlen, mk)
			default:
				packB(buf.b, j.b, j.ldb, j.tB, pc, kc, jc, nlen, mk)
			}
			for ic := i0; ic < i1; ic += p.mc {
				mlen := min(p.mc, i1-ic)
				packA(buf.a, j.a, j.lda, j.tA, j.alpha, ic, mlen, pc, kc, mk)
				for jr := 0; jr < nlen; jr += nr {
					cols := min(nr, nlen-jr) // of the sliver's columns, those inside C
					sliverTiles(mk, buf, kc, mlen, bp[jr/nr*next:], ldbp, c[ic*ldc+jc+jr:], ldc, cols, beta)
				}
			}
		}
	}
}

// taskRows is task for GemmRows when the tile's rows of C fit one block of
// A (i1−i0 ≤ mc, as the 50 rows of W1·Xᵀ do): the same loops, with the B
// panel packed one sliver at a time, inside loop 2, into the start of
// buf.b (nr×kc values, which stay in L1) and used there at once by every A
// sliver. So B's values are normalised (or however the RowReader computes
// them) straight into L1 and read from there, and no packed panel of B goes
// out to L2 or L3 and back. The k blocks, and so every sum, are those of
// task.
func (j *job) taskRows(i0, i1, j0, j1 int, buf *packBuf) {
	p := &j.plan
	mk := &p.mk
	nr := mk.nr
	mlen := i1 - i0
	c, ldc := j.c, j.ldc
	for jc := j0; jc < j1; jc += p.nc {
		nlen := min(p.nc, j1-jc)
		for pc := 0; pc < p.k; pc += p.kc {
			kc := min(p.kc, p.k-pc)
			beta := j.firstBeta(pc)
			packA(buf.a, j.a, j.lda, false, j.alpha, i0, mlen, pc, kc, mk)
			for jr := 0; jr < nlen; jr += nr {
				cols := min(nr, nlen-jr)
				packBRows(buf.b, buf.rows, j.rows, pc, kc, jc+jr, cols, mk)
				sliverTiles(mk, buf, kc, mlen, buf.b, nr, c[i0*ldc+jc+jr:], ldc, cols, beta)
			}
		}
	}
}

// sliverTiles is loop 1 for one B sliver bs (kc steps, rows ldb apart, of
// which the first cols columns lie inside C): the micro-kernel on each of
// the column of tiles C[ir..ir+mr][0..cols] (C at c, rows ldc apart), one
// per A sliver of the packed block buf.a (mlen rows), a tile that sticks
// out of C through edgeTile.
func sliverTiles(mk *microKernel, buf *packBuf, kc, mlen int, bs []float64, ldb int, c []float64, ldc, cols int, beta float64) {
	mr := mk.mr
	for ir := 0; ir < mlen; ir += mr {
		as := buf.a[ir*kc : (ir+mr)*kc]
		rows := min(mr, mlen-ir)
		ct := c[ir*ldc:] // the tile's corner
		if rows == mr && (cols == mk.nr || mk.edges) {
			mk.fn(kc, as, bs, ldb, ct, ldc, cols, beta) // the micro-kernel
		} else {
			edgeTile(mk, buf.tile, kc, as, bs, ldb, ct, ldc, rows, cols, beta)
		}
	}
}

// edgeTile is the micro-kernel's call for a tile that sticks out of C, at
// the bottom (rows < mr) or, for a kernel without edges, at the right
// (cols < nr): the kernel computes the whole tile (or, with edges, its
// first cols columns) into the scratch tile, and the rows×cols part inside C
// is added to beta·C from there, as the kernel would (or, with beta = 0,
// copied).
func edgeTile(mk *microKernel, tile []float64, kc int, as, bs []float64, ldb int, c []float64, ldc, rows, cols int, beta float64) {
	nr := mk.nr
	tile = tile[:mk.mr*nr]
	if mk.edges {
		mk.fn(kc, as, bs, ldb, tile, nr, cols, 0)
	} else {
		mk.fn(kc, as, bs, ldb, tile, nr, nr, 0)
	}
	addTile(c, ldc, tile, nr, rows, cols, beta)
}

// firstBeta is the beta the kernels apply to C in the k block starting at
// pc: the product's beta in the first block, which scales C once, and 1 in
// the others, which add to it.
func (j *job) firstBeta(pc int) float64 {
	if pc == 0 {
		return j.beta
	}
	return 1
}

// packBuf holds one goroutine's packing buffers, kept across calls.
type packBuf struct {
	a, b []float64 // packed A block (mc×kc), packed B panel (kc×nc)
	tile []float64 // mr×nr scratch tile for the edges of C
	rows []float64 // nr rows of kc entries of B, read by a RowReader (packBRows)

	dotRows [2 * dotTile]*float64 // the rows a dotFn reads (see dotTask)
	dotOut  [32]float64           // and its results
}

// maxTile bounds mr·nr of every kernel, the size of the scratch tile.
const maxTile = 256

// maxRowsScratch is nr·kc of the largest kernel, the size packBRows's
// scratch starts at.
const maxRowsScratch = 16 * 240

// newPackBuf returns buffers of the sizes the cache budgets allow (see
// plan), so that they need not grow later: which goroutine gets which task
// varies from call to call, and a buffer growing in the middle of training
// would be an allocation.
func newPackBuf() *packBuf {
	return &packBuf{
		a:    make([]float64, l2Budget/8),
		b:    make([]float64, l3Budget/8),
		tile: make([]float64, maxTile),
		rows: make([]float64, maxRowsScratch),
	}
}
