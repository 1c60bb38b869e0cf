package matrix

// Cache budgets of the blocking, in bytes. The machine this was tuned on (AMD
// EPYC, Zen 3) has 32 KiB of L1d and 512 KiB of L2 per core and a shared L3.
// (The depth kc of the k blocks, which keeps a kernel's slivers in L1, is
// measured for each kernel: microKernel.kc.)
const (
	// l2Budget bounds an mc×kc block of packed A, which stays in L2 while
	// the kernel runs over the B panel (a quarter of L2: 128 KiB measured
	// as fast as or faster than 256 KiB).
	l2Budget = 128 << 10
	// l3Budget bounds a kc×nc panel of packed B, which the kernel reads
	// from L3 (or L2). Measured: 1 MiB (or 512 KiB) instead of 2 MiB made
	// the products 1.2–1.4× faster, because packing scatters its writes
	// across the whole panel and those spilled out of the caches.
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
// flops (2·m·n·k) run on the calling goroutine alone, because waking a worker
// (about 10 µs here) costs more than it saves. Measured with
// BenchmarkSerialThreshold on 2 cores: splitting (50×k)·(k×100) paid from
// about 5 Mflop with the AVX2 4×12 kernel and from about 1–2 Mflop with the
// Go 2×3 one; faster kernels have bigger tiles, hence the scaling. With the
// AVX-512 10×16 kernel the threshold is 21 Mflop: the network's small
// products (0.1 Mflop) stay serial, its mini-batch products (31 Mflop) are
// shared out. (It could not be measured again for that kernel: the machine
// was shared, and a second thread got no core of its own. A variable so
// that tests can force the parallel path.)
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
// blocks of mc×kc, op(B) in panels of kc×nc (unless B is read unpacked or
// The dot path cuts C into dotTile×dotTile tiles instead.
type gemmPlan struct {
	mk         microKernel
	m, n, k    int
	kc, mc, nc int
	tm, tn     int
	gm, gn     int
	procs      int  // workers to use, at most gm·gn
	directB    bool // the kernel reads op(B) = B unpacked (see plan)
	dot        bool // the dot path (gemm_dot.go): kc, nc and the grid are its own
}

// plan returns the plan of an m×n×k product C = op(A)·op(B) with kernel mk
// on procs goroutines. It does not allocate.
func plan(mk microKernel, tA, tB Transpose, m, n, k, procs int) gemmPlan {
	if mk.dot != nil && tA == NoTrans && tB == Trans && useDot(m, n, k) {
		return planDot(mk, m, n, k, procs)
	}
	p := gemmPlan{mk: mk, m: m, n: n, k: k}
	p.directB = tB == NoTrans && mk.edges && useDirectB(mk.mr, m, n, k)
	p.blocks()
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

// planDot returns the plan of C = A·Bᵀ on the dot path (see gemm_dot.go):
// k blocks of at most dotKc terms, dotNc rows of B at a time, and the grid of
// tasks in whole dotTile×dotTile tiles. Nothing is packed, but a task reads
// its rows of A once per dotNc rows of B and its rows of B once, from L3 or
// memory, as packing would: grid counts that (when it did not, W1·Xbᵀ was
// cut into ten tasks that each read all of W1).
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
// whether it packs them or not. (Reading B unpacked is no cheaper: when
// G·X, 50×10000×3072, was cut into 5×6 tasks, each column of X was read
// from memory by five tasks, and two threads took twice as long as one.)
func (p *gemmPlan) grid(mr, nr, procs int) {
	m, n, k := p.m, p.n, p.k
	mt, nt := ceilDiv(m, mr), ceilDiv(n, nr) // kernel tiles along m and n
	p.gm, p.gn, p.tm, p.tn, p.procs = 1, 1, mt*mr, nt*nr, 1
	if procs <= 1 || 2*float64(m)*float64(n)*float64(k) < float64(serialFlops)*float64(p.mk.mr*p.mk.nr) {
		return
	}
	tile := float64(mr * nr)
	best := -1.0
	for gm := 1; gm <= min(mt, maxTasks); gm++ {
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
// it strided. Measured with the AVX-512 kernel on an AMD EPYC (Zen 4),
// GFLOP per CPU-second, packed → unpacked: 10×50×100 30 → 46, 50×10×100
// 35 → 38, 50×100×3072 (B a row view of the images, stride 3072) 46 → 50,
// 50×10000×3072 37 → 43; but 1024³ 49 → 47, where each sliver serves 103 A
// slivers. (A variable so that tests can force either path.)
var useDirectB = func(mr, m, n, k int) bool { return n*k <= 1<<16 || m <= 8*mr }

// ceilDiv returns ⌈a/b⌉ for a ≥ 0, b > 0.
func ceilDiv(a, b int) int { return (a + b - 1) / b }
