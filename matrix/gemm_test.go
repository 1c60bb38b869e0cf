package matrix

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// naiveGemm is the textbook triple loop, the reference for Gemm: it returns
// alpha·op(A)·op(B) + beta·C (beta = 0 ignoring C) as a new matrix, and the
// same expression in absolute values, which bounds the rounding error.
func naiveGemm(tA, tB Transpose, alpha float64, a, b *Dense, beta float64, c *Dense) (want, mag *Dense) {
	// Element (i, p) of op(A) is a.data[i*ai+p*ap]; likewise for B.
	ai, ap := a.stride, 1
	if tA {
		ai, ap = 1, a.stride
	}
	bp, bj := b.stride, 1
	if tB {
		bp, bj = 1, b.stride
	}
	k := a.cols
	if tA {
		k = a.rows
	}
	want, mag = New(c.rows, c.cols), New(c.rows, c.cols)
	for i := 0; i < c.rows; i++ {
		for j := 0; j < c.cols; j++ {
			s, abs := 0.0, 0.0
			for p := 0; p < k; p++ {
				x := a.data[i*ai+p*ap] * b.data[p*bp+j*bj]
				s += x
				abs += math.Abs(x)
			}
			v, vabs := alpha*s, math.Abs(alpha)*abs
			if beta != 0 {
				v += beta * c.At(i, j)
				vabs += math.Abs(beta * c.At(i, j))
			}
			want.Set(i, j, v)
			mag.Set(i, j, vabs)
		}
	}
	return want, mag
}

// randDense returns an r×c matrix of values uniform in [-1, 1).
func randDense(rng *rand.Rand, r, c int) *Dense {
	m := New(r, c)
	for i := range m.data {
		m.data[i] = 2*rng.Float64() - 1
	}
	return m
}

// randView returns an r×c matrix of random values that is, when strided is
// true, a view into the middle of a larger random matrix (so its stride
// exceeds its width and memory around it must not be touched), else a plain

// randOperand returns a random operand X such that op(X) is r×c: X itself is
// c×r when t is Trans. It is a strided view when strided is set.
func randOperand(rng *rand.Rand, r, c int, t Transpose, strided bool) *Dense {
	if t {
		r, c = c, r
	}
	x, _ := randView(rng, r, c, strided)
	return x
}

// contiguous one. The second result is the whole backing matrix.
func randView(rng *rand.Rand, r, c int, strided bool) (view, whole *Dense) {
	if !strided {
		m := randDense(rng, r, c)
		return m, m
	}
	top, left, right := 1+rng.IntN(3), 1+rng.IntN(3), rng.IntN(3)
	whole = randDense(rng, r+top+1, c+left+right)
	return whole.Slice(top, top+r, left, left+c), whole
}

// checkClose fails unless got matches want to within the rounding error of a
// k-term sum: |got−want| ≤ 4·(k+2)·ε·mag element by element.
func checkClose(t *testing.T, what string, got, want, mag *Dense, k int) {
	t.Helper()
	for i := 0; i < want.rows; i++ {
		for j := 0; j < want.cols; j++ {
			g, w := got.At(i, j), want.At(i, j)
			tol := 4 * float64(k+2) * 0x1p-52 * mag.At(i, j)
			if !(math.Abs(g-w) <= tol) {
				t.Fatalf("%s: C[%d][%d] = %v, naive product gives %v (tolerance %g)", what, i, j, g, w, tol)
			}
		}
	}
}

// realKernels returns the kernels the program may select: the portable one
// and those of the architecture that this CPU can run.
func realKernels() []microKernel {
	return append([]microKernel{goKernel}, archKernels()...)
}

// testKernels returns the kernels the product is tested with: the real
// ones and loop kernels of odd shapes, with and without edges, so that the
// driver is known to work for any mr and nr.
func testKernels() []microKernel {
	ks := realKernels()
	for _, sz := range [][2]int{{1, 1}, {5, 7}, {8, 6}, {12, 4}, {4, 12}} {
		ks = append(ks, loopKernel(sz[0], sz[1], false))
	}
	for _, sz := range [][2]int{{3, 5}, {10, 16}} {
		ks = append(ks, loopKernel(sz[0], sz[1], true))
	}
	return ks
}

// loopKernel returns a plain-loop micro-kernel for mr×nr tiles, with edges
// (computing only the first cols columns, B read with any stride) or
// without (then it checks that it is called on a whole tile of packed B).
func loopKernel(mr, nr int, edges bool) microKernel {
	fn := func(kc int, a, b []float64, ldb int, c []float64, ldc int, cols int, add bool) {
		if !edges && (cols != nr || ldb != nr) {
			panic(fmt.Sprintf("loop %d×%d without edges called with cols = %d, ldb = %d", mr, nr, cols, ldb))
		}
		for i := 0; i < mr; i++ {
			for j := 0; j < cols; j++ {
				s := 0.0
				for p := 0; p < kc; p++ {
					s += a[p*mr+i] * b[p*ldb+j]
				}
				if add {
					c[i*ldc+j] += s
				} else {
					c[i*ldc+j] = s
				}
			}
		}
	}
	name := fmt.Sprintf("loop %d×%d", mr, nr)
	if edges {
		name += " edges"
	}
	return microKernel{name: name, mr: mr, nr: nr, fn: fn, edges: edges, kc: 64}
}

// gemmCase is one product of the sweep.
type gemmCase struct {
	m, n, k     int
	tA, tB      Transpose
	alpha, beta float64
	strided     bool // A, B and C are views with stride > width
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("%dx%dx%d/tA=%v/tB=%v/alpha=%v/beta=%v/strided=%v",
		tc.m, tc.n, tc.k, tc.tA, tc.tB, tc.alpha, tc.beta, tc.strided)
}

// runCase computes tc with kernel mk and checks C against naiveGemm and the
// memory around a strided C against its previous values.
func runCase(t *testing.T, rng *rand.Rand, mk microKernel, tc gemmCase) {
	t.Helper()
	a := randOperand(rng, tc.m, tc.k, tc.tA, tc.strided)
	b := randOperand(rng, tc.k, tc.n, tc.tB, tc.strided)
	c, cWhole := randView(rng, tc.m, tc.n, tc.strided)
	if tc.beta == 0 && tc.m > 0 && tc.n > 0 {
		c.Set(rng.IntN(tc.m), rng.IntN(tc.n), math.NaN()) // must not survive
	}
	want, mag := naiveGemm(tc.tA, tc.tB, tc.alpha, a, b, tc.beta, c)
	before := cWhole.Clone()
	gemm("Gemm", mk, tc.tA, tc.tB, tc.alpha, a, b, tc.beta, c)
	checkClose(t, mk.name+" "+tc.String(), c, want, mag, tc.k)
	// Outside the view, C's backing matrix is untouched.
	for i := 0; i < cWhole.rows; i++ {
		for j := 0; j < cWhole.cols; j++ {
			if !inside(c, cWhole, i, j) && math.Float64bits(cWhole.At(i, j)) != math.Float64bits(before.At(i, j)) {
				t.Fatalf("%s %s: element (%d, %d) of C's backing matrix, outside the view, changed", mk.name, tc, i, j)
			}
		}
	}
}

// inside reports whether element (i, j) of whole is an element of its view v.
func inside(v, whole *Dense, i, j int) bool {
	if v == whole {
		return true
	}
	if len(v.data) == 0 {
		return false
	}
	off := int(uintptr(unsafe.Pointer(&v.data[0]))-uintptr(unsafe.Pointer(&whole.data[0]))) / 8
	vi, vj := off/whole.stride, off%whole.stride
	return i >= vi && i < vi+v.rows && j >= vj && j < vj+v.cols
}

// TestGemmSweep checks every transpose combination, alpha, beta (with NaN in
// C for beta = 0) and strided views against the naive product, with every
// kernel, for each size 1..67 in each dimension (the other two random).
func TestGemmSweep(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphas := []float64{1, -0.5, 2.5}
	betas := []float64{0, 1, -1.5}
	for _, mk := range testKernels() {
		forEachPath(mk, func() {
			for d := 1; d <= 67; d++ {
				for dim := 0; dim < 3; dim++ {
					sz := [3]int{1 + rng.IntN(67), 1 + rng.IntN(67), 1 + rng.IntN(67)}
					sz[dim] = d
					tc := gemmCase{
						m: sz[0], n: sz[1], k: sz[2],
						tA: rng.IntN(2) == 1, tB: rng.IntN(2) == 1,
						alpha: alphas[rng.IntN(len(alphas))], beta: betas[rng.IntN(len(betas))],
						strided: rng.IntN(2) == 1,
					}
					runCase(t, rng, mk, tc)
				}
			}
		})
	}
}

// forEachPath runs f once for each way kernel mk may compute a product:
// for a kernel with edges with op(B) = B always packed and always read
// unpacked (see useDirectB), for a kernel with a dotFn with the dot path
// always and never taken (see useDot); else once.
func forEachPath(mk microKernel, f func()) {
	defer func(u func(mr, m, n, k int) bool, d func(m, n, k int) bool) { useDirectB, useDot = u, d }(useDirectB, useDot)
	for _, direct := range []bool{false, true} {
		if direct && !mk.edges {
			continue
		}
		useDirectB = func(mr, m, n, k int) bool { return direct }
		for _, dot := range []bool{false, true} {
			if dot && mk.dot == nil {
				continue
			}
			useDot = func(m, n, k int) bool { return dot }
			f()
		}
	}
}

// TestGemmVariants runs each combination of transposes, alpha, beta and
// strided views once on shapes that are no multiple of any block (one deep
// enough for several k blocks), with every kernel, and 1×1×1.
func TestGemmVariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, mk := range testKernels() {
		forEachPath(mk, func() {
			for _, sz := range [][3]int{{1, 1, 1}, {37, 29, 53}, {5, 67, 1}, {23, 41, 800}} {
				for _, tA := range []Transpose{NoTrans, Trans} {
					for _, tB := range []Transpose{NoTrans, Trans} {
						for _, alpha := range []float64{1, -0.25, 0} {
							for _, beta := range []float64{0, 1, 0.5} {
								for _, strided := range []bool{false, true} {
									runCase(t, rng, mk, gemmCase{sz[0], sz[1], sz[2], tA, tB, alpha, beta, strided})
								}
							}
						}
					}
				}
			}
		})
	}
}

// TestGemmEmpty: zero-sized dimensions. k = 0 leaves beta·C.
func TestGemmEmpty(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sz := range [][3]int{{0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {0, 0, 0}} {
		for _, beta := range []float64{0, 2} {
			runCase(t, rng, kern, gemmCase{sz[0], sz[1], sz[2], NoTrans, Trans, 1, beta, false})
		}
	}
}

// trainingShape is a product of the network's training step or evaluation,
// with the operands laid out as the network has them (images as rows of X).
type trainingShape struct {
	name   string
	m, n   int
	k      int
	tA, tB Transpose
}

// trainingShapes lists the products that matter; xRows is how many images
// the matrix X the views are taken from holds.
var trainingShapes = []trainingShape{
	{"W1XbT", 50, 100, 3072, NoTrans, Trans},  // S1 = W1·Xbᵀ, Xb a row view of X
	{"W2H", 10, 100, 50, NoTrans, NoTrans},    // S = W2·H
	{"GHT", 10, 50, 100, NoTrans, Trans},      // dW2 = G·Hᵀ
	{"W2TG", 50, 100, 10, Trans, NoTrans},     // W2ᵀ·G
	{"G1Xb", 50, 3072, 100, NoTrans, NoTrans}, // dW1 = G1·Xb
}

// TestGemmTrainingShapes checks the products of a training step, with the
// mini-batch a row view of X, and one odd shape, at GOMAXPROCS = 2 so that
// they are split into tasks, with every real kernel; with beta = 0 and
// with beta ∉ {0, 1}, as in the training step's fused update of W1,
// W1 ← (1 − 2ηλ)·W1 − (η/n)·G·Xb, where C is scaled one panel of at most
// scaleNc columns at a time (see task).
func TestGemmTrainingShapes(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rng := rand.New(rand.NewPCG(7, 8))
	kernels := realKernels()
	shapes := append([]trainingShape{{"odd", 131, 203, 517, Trans, Trans}, {"oddNN", 131, 203, 517, NoTrans, NoTrans}}, trainingShapes...)
	for _, ts := range shapes {
		for _, mk := range kernels {
			if p := plan(mk, ts.tA, ts.tB, ts.m, ts.n, ts.k, 2); ts.name == "odd" && p.gm*p.gn < 2 {
				t.Fatalf("%s: the odd shape is not split into tasks: %+v", mk.name, p)
			}
			forEachPath(mk, func() {
				runCase(t, rng, mk, gemmCase{ts.m, ts.n, ts.k, ts.tA, ts.tB, 1.0 / 3, 0, true})
				runCase(t, rng, mk, gemmCase{ts.m, ts.n, ts.k, ts.tA, ts.tB, -1e-3, 0.99, true})
			})
		}
	}
}

// TestGemmDeterministic: the product is bitwise the same at GOMAXPROCS 1, 2
// and 3, and at GOMAXPROCS 4 with SetParallelism 1, 2 and 3, on shapes that
// are split into several tasks.
func TestGemmDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(9, 10))
	shapes := append([]trainingShape{{"odd", 131, 203, 517, Trans, Trans}}, trainingShapes...)
	for _, ts := range shapes {
		a := randOperand(rng, ts.m, ts.k, ts.tA, true)
		b := randOperand(rng, ts.k, ts.n, ts.tB, true)
		c0 := randDense(rng, ts.m, ts.n)
		var first *Dense
		for _, procs := range [][2]int{{1, 0}, {2, 0}, {3, 0}, {4, 1}, {4, 2}, {4, 3}} {
			runtime.GOMAXPROCS(procs[0])
			SetParallelism(procs[1])
			c := c0.Clone()
			Gemm(ts.tA, ts.tB, 0.7, a, b, 0.3, c)
			SetParallelism(0)
			if first == nil {
				first = c
			} else if !Equal(c, first) {
				t.Errorf("%s: GOMAXPROCS=%d with SetParallelism(%d) gives a different result from GOMAXPROCS=1", ts.name, procs[0], procs[1])
			}
		}
	}
}

// TestGemmNoAllocs: once warm, repeated products of the training shapes do
// not allocate, on the serial path (GOMAXPROCS=1) and the parallel one.
// testing.AllocsPerRun sets GOMAXPROCS to 1 while it counts, so the parallel
// path is counted with runtime.ReadMemStats, which sees the workers too.
func TestGemmNoAllocs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(11, 12))
	x := randDense(rng, 300, 3072)
	xb := x.RowRange(100, 200)
	w1, w2 := randDense(rng, 50, 3072), randDense(rng, 10, 50)
	h, s, g := New(50, 100), New(10, 100), randDense(rng, 10, 100)
	dw1, dw2, gh := New(50, 3072), New(10, 50), New(50, 100)
	step := func() {
		MulABt(h, w1, xb)
		Mul(s, w2, h)
		Gemm(NoTrans, Trans, 0.01, g, h, 0, dw2)
		MulAtB(gh, w2, g)
		Gemm(NoTrans, NoTrans, 0.01, gh, xb, 0, dw1)
		Gemm(NoTrans, NoTrans, -1e-5, gh, xb, 0.99, w1) // the fused update of W1 (scaleC)
	}
	runtime.GOMAXPROCS(1)
	if n := testing.AllocsPerRun(20, step); n != 0 {
		t.Errorf("GOMAXPROCS=1: %v allocations per training step, want 0", n)
	}
	runtime.GOMAXPROCS(2)
	step() // starts the worker
	if n := mallocsDuring(50, step); n != 0 {
		t.Errorf("GOMAXPROCS=2: %d allocations in 50 training steps, want 0", n)
	}
}

// mallocsDuring returns the heap allocations, counted by the runtime for
// all goroutines (workers included), while f runs n times: the least of
// three tries. Now and then the runtime itself allocates while the workers
// run (a new thread, when ReadMemStats restarts the world and no idle one
// is at hand, was seen on a loaded machine), once in a while, never on
// every call: the least of three tries is zero when f allocates nothing.
func mallocsDuring(n int, f func()) uint64 {
	least := uint64(math.MaxUint64)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range n {
			f()
		}
		runtime.ReadMemStats(&after)
		least = min(least, after.Mallocs-before.Mallocs)
	}
	return least
}

// TestGemmPanics checks the panics and that their messages name the
// operation and the shapes.
func TestGemmPanics(t *testing.T) {
	a, b := New(3, 4), New(4, 5)
	big := New(10, 10)
	cases := []struct {
		name string
		f    func()
		want []string
	}{
		{"Mul k", func() { Mul(New(3, 5), a, New(3, 5)) }, []string{"matrix.Mul:", "shape mismatch", "A 3×4", "B 3×5", "C 3×5"}},
		{"Mul C", func() { Mul(New(3, 4), a, b) }, []string{"matrix.Mul:", "C 3×4"}},
		{"MulABt", func() { MulABt(New(3, 4), a, b) }, []string{"matrix.MulABt:", "Bᵀ 5×4 (B 4×5)"}},
		{"MulAtB", func() { MulAtB(New(3, 5), a, b) }, []string{"matrix.MulAtB:", "Aᵀ 4×3 (A 3×4)"}},
		{"Gemm", func() { Gemm(Trans, Trans, 1, a, b, 0, New(4, 4)) }, []string{"matrix.Gemm:", "Aᵀ 4×3", "Bᵀ 5×4"}},
		{"C is A", func() { Mul(a, a, New(4, 4)) }, []string{"matrix.Mul:", "C 3×4 shares memory with A 3×4"}},
		{"C is B", func() { Mul(b, New(4, 4), b) }, []string{"matrix.Mul:", "shares memory with B 4×5"}},
		{"overlapping views", func() { Mul(big.Slice(0, 3, 0, 3), New(3, 2), big.Slice(2, 4, 0, 3)) },
			[]string{"matrix.Mul:", "C 3×3 shares memory with B 2×3"}},
		{"overlapping blocks", func() { MulABt(big.Slice(0, 5, 0, 5), big.Slice(2, 7, 3, 8), New(5, 5)) },
			[]string{"matrix.MulABt:", "C 5×5 shares memory with A 5×5"}},
		{"overlapping column", func() { MulAtB(big.Slice(0, 4, 2, 3), New(3, 4), big.Slice(2, 5, 2, 3)) },
			[]string{"matrix.MulAtB:", "C 4×1 shares memory with B 3×1"}},
		{"different strides", func() { Mul(NewFromData(2, 2, big.data[11:15]), New(2, 3), big.Slice(1, 4, 0, 2)) },
			[]string{"matrix.Mul:", "C 2×2 shares memory with B 3×2"}},
	}
	for _, tc := range cases {
		msg := panicMessage(tc.f)
		if msg == "" {
			t.Errorf("%s: no panic", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: panic %q does not contain %q", tc.name, msg, w)
			}
		}
	}
	// Disjoint views of one matrix are fine, also when their address
	// ranges interleave (column blocks).
	Mul(big.RowRange(0, 3), big.Slice(3, 6, 0, 4), big.Slice(6, 10, 0, 10))
	MulABt(big.Slice(0, 5, 0, 5), big.Slice(0, 5, 5, 10), New(5, 5))
	Gemm(Trans, NoTrans, 1, big.Slice(2, 9, 6, 10), big.Slice(0, 7, 3, 6), 0, big.Slice(0, 4, 0, 3))
}

// panicMessage runs f and returns the message it panics with, or "".
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// TestPlan checks the invariants of plan that determinism and the edge
// handling rely on, and that the training step's big product uses two cores.
func TestPlan(t *testing.T) {
	for _, mk := range testKernels() {
		for _, sz := range [][3]int{{50, 100, 3072}, {50, 3072, 100}, {50, 10000, 3072}, {3072, 50, 10000}, {1024, 1024, 1024}, {10, 100, 50}, {7, 1, 100000}} {
			for _, tB := range []Transpose{NoTrans, Trans} {
				checkPlan(t, mk, tB, sz[0], sz[1], sz[2])
			}
		}
	}
}

// checkPlan checks the plans of one product for TestPlan.
func checkPlan(t *testing.T, mk microKernel, tB Transpose, m, n, k int) {
	t.Helper()
	p1 := plan(mk, NoTrans, tB, m, n, k, 1)
	for _, procs := range []int{1, 2, 4} {
		p := plan(mk, NoTrans, tB, m, n, k, procs)
		where := fmt.Sprintf("%s %dx%dx%d tB=%v procs=%d: %+v", mk.name, m, n, k, tB, procs, p)
		if p.kc != p1.kc || p.dot != p1.dot || p.directB != p1.directB {
			t.Errorf("%s: kc, dot or directB differ from one goroutine's %+v", where, p1)
		}
		mr, nr := mk.mr, mk.nr
		if p.dot {
			mr, nr = dotTile, dotTile
		}
		if p.tm%mr != 0 || p.tn%nr != 0 || p.mc%mr != 0 || p.nc%nr != 0 {
			t.Errorf("%s: tm, tn, mc, nc not multiples of the tile %d×%d", where, mr, nr)
		}
		if ceilDiv(m, p.tm) != p.gm || ceilDiv(n, p.tn) != p.gn {
			t.Errorf("%s: grid does not cover C exactly", where)
		}
		if p.procs > procs || p.procs > p.gm*p.gn {
			t.Errorf("%s: %d workers", where, p.procs)
		}
		if procs >= 2 && 2*m*n*k >= 1<<24 && p.procs < 2 {
			t.Errorf("%s: a product of %d flops runs on one goroutine", where, 2*m*n*k)
		}
	}
}

// TestGemmConcurrentCalls: products started from several goroutines at once
// share the worker pool and each gets its own, correct, result.
func TestGemmConcurrentCalls(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer func(v int) { serialFlops = v }(serialFlops)
	serialFlops = 0 // split every product, however small
	rng := rand.New(rand.NewPCG(13, 14))
	a, b := randDense(rng, 70, 900), randDense(rng, 900, 90) // big enough to be split
	if p := plan(kern, NoTrans, NoTrans, 70, 90, 900, 2); p.gm*p.gn < 2 {
		t.Fatalf("the product is not split: %+v", p)
	}
	want := New(70, 90)
	Mul(want, a, b)
	const callers = 4
	results := make([]*Dense, callers)
	done := make(chan int)
	for g := range callers {
		results[g] = New(70, 90)
		go func() {
			for range 20 {
				Mul(results[g], a, b)
			}
			done <- g
		}()
	}
	for range callers {
		if g := <-done; !Equal(results[g], want) {
			t.Errorf("caller %d: result differs from the same product computed alone", g)
		}
	}
}
