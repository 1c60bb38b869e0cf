package dgemm

// Cache budgets of the blocking, in bytes, for cores with 32 KiB or more of
// L1d and 512 KiB or more of L2 (measured: see docs/performance.md). The
// depth kc of the k blocks, which keeps a kernel's slivers in L1, is the
// kernel's own (microKernel.kc).
const (
	// l2Budget bounds an mc×kc block of packed A, which stays in L2 while
	// the kernel runs over the B panel: a quarter of L2.
	l2Budget = 128 << 10
	// l3Budget bounds a kc×nc panel of packed B, which the kernel reads
	// from L3 (or L2). Packing scatters its writes across the whole panel,
	// so a panel much larger than L2 spills them out of the caches.
	l3Budget = 1 << 20
)

// Constants of the cost model that splits C into tasks, in units of one
// floating-point operation of the kernel. A kernel's speed grows roughly with
// its tile (2·mr·nr flops per step of p, in registers), while packing and
// scheduling run at the same speed whatever the kernel: their costs are given
// per element of the tile.
const (
	// packCost is the cost of packing one element, per element of the tile.
	packCost = 1
	// taskCost is the fixed cost of a task (handing it over, beta, edges),
	// per element of the tile.
	taskCost = 3000
	// maxTasks caps the number of tasks of one product.
	maxTasks = 64
	// imbalance is the expected idle time at the end of a parallel product,
	// in tasks: the goroutines take tasks as they finish the previous one,
	// but one may be slowed down (the machine may be shared) and the last
	// task may start late. It makes big products cut into smaller tasks.
	imbalance = 0.15
)

// serialFlops, per element of the kernel's mr×nr tile: products with fewer
// flops (2·m·n·k) run on the calling goroutine alone, because handing tasks
// to a worker costs more than it saves. Faster kernels have bigger tiles,
// hence the scaling: with the AVX-512 10×16 kernel the threshold is
// 21 Mflop, so that the network's small products (0.1 Mflop) stay serial
// and its mini-batch products (31 Mflop) are shared out. Measured with
// BenchmarkSerialThreshold: see docs/performance.md. (A variable so that
// tests can force the parallel path.)
var serialFlops = 1 << 17

// A gemmPlan says how a product C (m×n) += op(A) (m×k) · op(B) (k×n) is cut up.
//
// The k dimension is cut into blocks of kc: C gets the block sums in
// increasing order of the block, each block summed by the kernel in
// increasing p. The cut depends only on k and the kernel, so every element of
// C is summed in the same order however the work is shared out.
//
// C is cut into a grid of gm×gn tasks of tm×tn elements (the last row and
// column of tasks may be smaller). tm and tn are multiples of the kernel's mr
// and nr, so the kernel's tiles are the same at any grid: a tile is the same
// computation whichever task runs it. A task packs its own panels: op(A) in
// blocks of mc×kc, op(B) in panels of kc×nc (unless B is read unpacked).
// The dot path cuts C into dotTile×dotTile tiles instead.
type gemmPlan struct {
	mk         microKernel
	m, n, k    int
	kc, mc, nc int
	tm, tn     int
	gm, gn     int
	procs      int  // workers to use, at most gm·gn
	directB    bool // the kernel reads op(B) = B unpacked (see plan)
	dot        bool // the dot path (dot.go): kc, nc and the grid are its own
	// gridColumns restricts the grid to one task row (gm = 1), for B read
	// row by row: each row of B is then read once.
	gridColumns bool
}

// plan returns the plan of an m×n×k product C = op(A)·op(B) with kernel mk
// on procs goroutines. It does not allocate.
func plan(mk microKernel, tA, tB bool, m, n, k, procs int) gemmPlan {
	if mk.dot != nil && !tA && tB && useDot(m, n, k) {
		return planDot(mk, m, n, k, procs)
	}
	p := gemmPlan{mk: mk, m: m, n: n, k: k}
	p.directB = !tB && mk.edges && useDirectB(mk.mr, m, n, k)
	p.blocks()
	p.grid(mk.mr, mk.nr, procs)
	return p
}

// planRows returns the plan of GemmRows's C = A·Bᵀ, B read row by row: the
// kernel path, B packed (each panel once, for all the row blocks of C), and
// a grid that cuts only C's columns, so that each row of B is read by one
// task.
func planRows(mk microKernel, m, n, k, procs int) gemmPlan {
	p := gemmPlan{mk: mk, m: m, n: n, k: k}
	p.blocks()
	p.gridColumns = true
	p.grid(mk.mr, mk.nr, procs)
	return p
}

// blocks sets the block sizes of the kernel path: kc at most the kernel's,
// the k blocks of nearly equal length; mc so that the A block fits in L2; nc
// so that the B panel fits in the L3 budget.
func (p *gemmPlan) blocks() {
	mr, nr := p.mk.mr, p.mk.nr
	p.kc = max(1, ceilDiv(p.k, max(1, ceilDiv(p.k, p.mk.kc))))
	p.mc = max(mr, l2Budget/(8*p.kc)/mr*mr)
	p.nc = max(nr, l3Budget/(8*p.kc)/nr*nr)
}

// planDot returns the plan of C = A·Bᵀ on the dot path (see dot.go):
// k blocks of at most dotKc terms, dotNc rows of B at a time, and the grid of
// tasks in whole dotTile×dotTile tiles. Nothing is packed, but a task reads
// its rows of A once per dotNc rows of B and its rows of B once, from L3 or
// memory, as packing would: grid counts that (or it would cut W1·Xbᵀ into
// many tasks that each read all of W1).
func planDot(mk microKernel, m, n, k, procs int) gemmPlan {
	p := gemmPlan{mk: mk, m: m, n: n, k: k, dot: true}
	p.kc = max(1, ceilDiv(k, max(1, ceilDiv(k, dotKc))))
	p.mc, p.nc = dotTile, dotNc
	p.grid(dotTile, dotTile, procs)
	return p
}

// grid cuts C into tasks of whole mr×nr tiles (see gemmPlan): one task when
// the product is too small to be worth sharing out (see serialFlops; the
// threshold scales with the kernel's tile on every path, since its dot
// kernel runs about as fast as it), otherwise the grid that minimises the
// estimated time, each task costing its flops (padding included), a fixed
// cost, and the reading of its operands: its rows of A once per panel of nc
// columns and its columns of B once, counted at the cost of packing them,
// whether it packs them or not. (Reading B unpacked is no cheaper: a
// column of B that several tasks read comes from memory for each of them.)
func (p *gemmPlan) grid(mr, nr, procs int) {
	m, n, k := p.m, p.n, p.k
	mt, nt := ceilDiv(m, mr), ceilDiv(n, nr) // kernel tiles along m and n
	p.gm, p.gn, p.tm, p.tn, p.procs = 1, 1, mt*mr, nt*nr, 1
	if procs <= 1 || 2*float64(m)*float64(n)*float64(k) < float64(serialFlops)*float64(p.mk.mr*p.mk.nr) {
		return
	}
	tile := float64(mr * nr)
	best := -1.0
	maxGm := min(mt, maxTasks)
	if p.gridColumns {
		maxGm = 1
	}
	for gm := 1; gm <= maxGm; gm++ {
		tms := ceilDiv(mt, gm) // kernel tiles per task along m
		if ceilDiv(mt, tms) != gm {
			continue // same tiles as a smaller gm
		}
		for gn := 1; gn <= min(nt, maxTasks/gm); gn++ {
			tns := ceilDiv(nt, gn)
			if ceilDiv(nt, tns) != gn {
				continue
			}
			tm, tn := tms*mr, tns*nr
			rounds := ceilDiv(gm*gn, procs)
			flops := 2 * float64(tm) * float64(tn) * float64(k)
			pack := float64(tm*ceilDiv(tn, p.nc)+tn) * float64(k) // elements of A and B a task reads
			cost := (float64(rounds) + imbalance) * (flops + tile*(packCost*pack+taskCost))
			if best < 0 || cost < best {
				best = cost
				p.gm, p.gn, p.tm, p.tn = gm, gn, tm, tn
			}
		}
	}
	p.procs = min(procs, p.gm*p.gn)
}

// useDot says whether C = A·Bᵀ (m×n, k terms) takes the dot path when the
// kernel has one. (A variable so that tests can force either path.)
var useDot = func(m, n, k int) bool { return true }

// useDirectB says whether an m×n×k product with op(B) = B reads B unpacked,
// when the kernel (of mr rows) allows it (see microKernel.edges): when B is
// small (at most 64K elements), or when each B sliver is read by at most
// eight A slivers (m ≤ 8·mr), so that packing B would cost more than reading
// it strided; a sliver read by many more A slivers (a large square product)
// is worth packing. Measured: see docs/performance.md. (A variable so that
// tests can force either path.)
var useDirectB = func(mr, m, n, k int) bool { return n*k <= 1<<16 || m <= 8*mr }
