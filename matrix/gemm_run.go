package matrix

import "sync/atomic"

// A gemmJob is one call of gemm (or of ParallelFor) being worked on: the
// plan, the operands, and a counter from which the goroutines working on it
// take task numbers. Jobs are recycled (see pool.freeJobs), so that gemm
// does not allocate.
type gemmJob struct {
	plan        gemmPlan
	tA, tB      Transpose
	alpha, beta float64
	a, b, c     Dense        // copies of the headers: the caller's may stay on its stack
	tasks       int64        // the number of tasks
	next        atomic.Int64 // the next task to take
	inside      atomic.Int32 // workers working on the job now; −1: closed (see share)

	// A ParallelFor: body is called on chunks of chunk indices of 0..n−1
	// (nil for a product).
	body     func(lo, hi int)
	n, chunk int
	// scaleC's pass: C = beta·C on chunks of chunk of its n rows.
	scaleRows bool
}

// packBuf holds one goroutine's packing buffers, kept across calls.
type packBuf struct {
	a, b []float64 // packed A block (mc×kc), packed B panel (kc×nc)
	tile []float64 // mr×nr scratch tile for the edges of C

	dotRows [2 * dotTile]*float64 // the rows a dotFn reads (see dotTask)
	dotOut  [32]float64           // and its results
}

// maxTile bounds mr·nr of every kernel, the size of the scratch tile.
const maxTile = 256

// newPackBuf returns buffers of the sizes the cache budgets allow (see
// plan), so that they need not grow later: which goroutine gets which task
// varies from call to call, and a buffer growing in the middle of training
// would be an allocation.
func newPackBuf() *packBuf {
	return &packBuf{
		a:    make([]float64, l2Budget/8),
		b:    make([]float64, l3Budget/8),
		tile: make([]float64, maxTile),
	}
}

// run carries out plan p: on the calling goroutine alone when p has one
// task, otherwise with up to p.procs−1 workers of the pool helping (see
// share).
func run(p *gemmPlan, tA, tB Transpose, alpha float64, a, b *Dense, beta float64, c *Dense) {
	j := newJob()
	j.plan, j.tA, j.tB, j.alpha, j.beta = *p, tA, tB, alpha, beta
	j.a, j.b, j.c = *a, *b, *c
	j.tasks = int64(p.gm * p.gn)
	buf := pool.freeBufs.get(newPackBuf)
	j.share(p.procs, buf)
	pool.freeBufs.put(buf)
	j.a, j.b, j.c = Dense{}, Dense{}, Dense{} // do not keep the caller's memory alive
	pool.freeJobs.put(j)
}

// grow returns s resliced to length n, reallocated if its capacity is short.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// runTasks takes task numbers from j until none are left and does them.
func (j *gemmJob) runTasks(buf *packBuf) {
	for {
		t := j.next.Add(1) - 1
		if t >= j.tasks {
			return
		}
		switch {
		case j.scaleRows:
			lo := int(t) * j.chunk
			scaleTile(&j.c, j.beta, lo, min(lo+j.chunk, j.n), 0, j.c.cols)
		case j.body != nil:
			lo := int(t) * j.chunk
			j.body(lo, min(lo+j.chunk, j.n))
		case j.plan.dot:
			j.dotTask(int(t), buf)
		default:
			j.task(int(t), buf)
		}
	}
}

// task computes tile t of C (row-major in the grid of tasks): it applies
// beta to the tile, then adds alpha·op(A)·op(B) over the tile one k block
// at a time, in the loop order of GotoBLAS. With beta = 0 the kernel stores
// the first k block over C instead of adding it, so C is not cleared first.
// (gemm applies any other beta first, in a pass of its own, see scaleC:
// here beta is 0 or 1 unless alpha or k is 0.)
// With p.directB the kernel reads B where it is, and only A is packed.
func (j *gemmJob) task(t int, buf *packBuf) {
	p := &j.plan
	mr, nr := p.mk.mr, p.mk.nr
	i0, j0 := t/p.gn*p.tm, t%p.gn*p.tn
	i1, j1 := min(i0+p.tm, p.m), min(j0+p.tn, p.n)
	if j.alpha == 0 || p.k == 0 {
		scaleTile(&j.c, j.beta, i0, i1, j0, j1)
		return
	}
	if j.beta != 0 {
		scaleTile(&j.c, j.beta, i0, i1, j0, j1)
	}
	buf.a = grow(buf.a, ceilDiv(min(p.mc, i1-i0), mr)*mr*p.kc)
	if !p.directB {
		buf.b = grow(buf.b, ceilDiv(min(p.nc, j1-j0), nr)*nr*p.kc)
	}
	buf.tile = grow(buf.tile, mr*nr)
	for jc := j0; jc < j1; jc += p.nc {
		nlen := min(p.nc, j1-jc)
		for pc := 0; pc < p.k; pc += p.kc {
			kc := min(p.kc, p.k-pc)
			var bp bPanel
			switch {
			case p.directB:
				bp = bPanel{data: j.b.data[pc*j.b.stride+jc:], ldb: j.b.stride, next: nr}
			default:
				packB(buf.b, &j.b, j.tB, pc, kc, jc, nlen, &p.mk)
				bp = bPanel{data: buf.b, ldb: nr, next: kc * nr}
			}
			for ic := i0; ic < i1; ic += p.mc {
				mlen := min(p.mc, i1-ic)
				packA(buf.a, &j.a, j.tA, j.alpha, ic, mlen, pc, kc, &p.mk)
				j.macroKernel(buf, bp, ic, mlen, jc, nlen, kc, pc > 0 || j.beta != 0)
			}
		}
	}
}

// A bPanel is where the kernel reads the B panel of one k block: sliver s
// (grid columns s·nr..s·nr+nr of the panel) starts at data[s·next] and has
// row stride ldb. Packed into the buffer: next = kc·nr, ldb = nr; B read
// unpacked: next = nr, ldb = B's stride.
type bPanel struct {
	data      []float64
	ldb, next int
}

// macroKernel adds the product of the packed A block (rows ic..ic+mlen of C)
// and the B panel bp (columns jc..jc+nlen) to C, one mr×nr tile at a
// time: for each B sliver (kept in L1), the A slivers stream from L2. A tile
// that sticks out of C (at the bottom, or at either side for a kernel
// without edges) is computed into the scratch tile and the part inside C is
// added (or, without add, copied) from there; a kernel with edges computes
// the columns inside C itself.
func (j *gemmJob) macroKernel(buf *packBuf, bp bPanel, ic, mlen, jc, nlen, kc int, add bool) {
	mk := j.plan.mk
	mr, nr, fn := mk.mr, mk.nr, mk.fn
	c, ldc := j.c.data, j.c.stride
	for jr := 0; jr < nlen; jr += nr {
		bs := bp.data[jr/nr*bp.next:]
		// The sliver's columns 0..cols lie in C, from C's column jc+jr on.
		cols := min(nr, nlen-jr)
		for ir := 0; ir < mlen; ir += mr {
			as := buf.a[ir*kc : (ir+mr)*kc]
			rows := min(mr, mlen-ir)
			co := (ic+ir)*ldc + jc + jr // C[ic+ir][jc+jr]
			if rows == mr && (cols == nr || mk.edges) {
				fn(kc, as, bs, bp.ldb, c[co:], ldc, cols, add)
				continue
			}
			tile := buf.tile[:mr*nr]
			if mk.edges {
				fn(kc, as, bs, bp.ldb, tile, nr, cols, false)
			} else {
				fn(kc, as, bs, bp.ldb, tile, nr, nr, false)
			}
			for i := 0; i < rows; i++ {
				dst := c[co+i*ldc:]
				dst = dst[:cols]
				src := tile[i*nr : i*nr+cols]
				if !add {
					copy(dst, src)
					continue
				}
				for jj := range dst {
					dst[jj] += src[jj]
				}
			}
		}
	}
}

// scaleTile sets C[i0:i1, j0:j1] to beta times itself; with beta = 0 it
// overwrites, so that NaNs in C do not survive.
func scaleTile(c *Dense, beta float64, i0, i1, j0, j1 int) {
	if beta == 1 {
		return
	}
	for i := i0; i < i1; i++ {
		r := c.data[i*c.stride+j0 : i*c.stride+j1]
		if beta == 0 {
			clear(r)
			continue
		}
		for jj := range r {
			r[jj] *= beta
		}
	}
}
