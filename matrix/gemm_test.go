package matrix

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// randDense returns an r×c matrix of values uniform in [-1, 1).
func randDense(rng *rand.Rand, r, c int) *Dense {
	m := New(r, c)
	for i := range m.data {
		m.data[i] = 2*rng.Float64() - 1
	}
	return m
}

// randOperand returns a random operand X such that op(X) is r×c: X itself is
// c×r when t is Trans. It is a strided view when strided is set.
func randOperand(rng *rand.Rand, r, c int, t Transpose, strided bool) *Dense {
	if t {
		r, c = c, r
	}
	x, _ := randView(rng, r, c, strided)
	return x
}

// randView returns an r×c matrix of random values that is, when strided is
// true, a view into the middle of a larger random matrix (so its stride
// exceeds its width and memory around it must not be touched), else a plain
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

// checkClose fails unless got, computed as alpha·op(A)·op(B) + beta·C0,
// matches GemmReference to within the rounding error of a k-term sum:
// |got − want| ≤ 4·(k+2)·ε·mag element by element, where mag is the
// reference product of the absolute values, |alpha|·|op(A)|·|op(B)| +
// |beta|·|C0|.
func checkClose(t *testing.T, what string, got *Dense, tA, tB Transpose, alpha float64, a, b *Dense, beta float64, c0 *Dense) {
	t.Helper()
	want := c0.Clone()
	GemmReference(tA, tB, alpha, a, b, beta, want)
	mag := absDense(c0)
	GemmReference(tA, tB, math.Abs(alpha), absDense(a), absDense(b), math.Abs(beta), mag)
	k := a.cols
	if tA {
		k = a.rows
	}
	for i := 0; i < want.rows; i++ {
		for j := 0; j < want.cols; j++ {
			g, w := got.At(i, j), want.At(i, j)
			tol := 4 * float64(k+2) * 0x1p-52 * mag.At(i, j)
			if !(math.Abs(g-w) <= tol) {
				t.Fatalf("%s: C[%d][%d] = %v, GemmReference gives %v (tolerance %g)", what, i, j, g, w, tol)
			}
		}
	}
}

// absDense returns a copy of d with every element replaced by its absolute value.
func absDense(d *Dense) *Dense {
	a := d.Clone()
	for i := 0; i < a.rows; i++ {
		for j, x := range a.Row(i) {
			a.Row(i)[j] = math.Abs(x)
		}
	}
	return a
}

// gemmCase is one product of the tests.
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

// runCase computes tc with product (Gemm, or one of its common cases) and
// checks C against GemmReference, and the memory around a strided C
// against its previous values.
func runCase(t *testing.T, rng *rand.Rand, name string, product func(tA, tB Transpose, alpha float64, a, b *Dense, beta float64, c *Dense), tc gemmCase) {
	t.Helper()
	a := randOperand(rng, tc.m, tc.k, tc.tA, tc.strided)
	b := randOperand(rng, tc.k, tc.n, tc.tB, tc.strided)
	c, cWhole := randView(rng, tc.m, tc.n, tc.strided)
	if tc.beta == 0 && tc.m > 0 && tc.n > 0 {
		c.Set(rng.IntN(tc.m), rng.IntN(tc.n), math.NaN()) // must not survive
	}
	c0, before := c.Clone(), cWhole.Clone()
	product(tc.tA, tc.tB, tc.alpha, a, b, tc.beta, c)
	checkClose(t, name+" "+tc.String(), c, tc.tA, tc.tB, tc.alpha, a, b, tc.beta, c0)
	// Outside the view, C's backing matrix is untouched.
	for i := 0; i < cWhole.rows; i++ {
		for j := 0; j < cWhole.cols; j++ {
			if !inside(c, cWhole, i, j) && math.Float64bits(cWhole.At(i, j)) != math.Float64bits(before.At(i, j)) {
				t.Fatalf("%s %s: element (%d, %d) of C's backing matrix, outside the view, changed", name, tc, i, j)
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

// TestGemmReference checks the reference itself on products worked out by
// hand: A = [1 2 3; 4 5 6], B = [7 8; 9 10; 11 12], A·B = [58 64; 139 154],
// each operand given as it is or transposed.
func TestGemmReference(t *testing.T) {
	fill := func(r, c int, v ...float64) *Dense {
		m := New(r, c)
		for i := range r {
			copy(m.Row(i), v[i*c:(i+1)*c])
		}
		return m
	}
	a, at := fill(2, 3, 1, 2, 3, 4, 5, 6), fill(3, 2, 1, 4, 2, 5, 3, 6)
	b, bt := fill(3, 2, 7, 8, 9, 10, 11, 12), fill(2, 3, 7, 9, 11, 8, 10, 12)
	cases := []struct {
		name        string
		tA, tB      Transpose
		a, b        *Dense
		alpha, beta float64
		c0, want    []float64
	}{
		{"A·B", NoTrans, NoTrans, a, b, 1, 0, []float64{math.NaN(), 1, 1, 1}, []float64{58, 64, 139, 154}},
		{"Aᵀᵀ·B", Trans, NoTrans, at, b, 1, 0, []float64{0, 0, 0, 0}, []float64{58, 64, 139, 154}},
		{"A·Bᵀᵀ", NoTrans, Trans, a, bt, 1, 0, []float64{0, 0, 0, 0}, []float64{58, 64, 139, 154}},
		{"Aᵀᵀ·Bᵀᵀ", Trans, Trans, at, bt, 1, 0, []float64{0, 0, 0, 0}, []float64{58, 64, 139, 154}},
		{"2·A·B − C", NoTrans, NoTrans, a, b, 2, -1, []float64{1, 2, 3, 4}, []float64{115, 126, 275, 304}},
		{"alpha 0", NoTrans, NoTrans, fill(2, 3, math.NaN(), 0, 0, 0, 0, 0), b, 0, 3, []float64{1, 2, 3, 4}, []float64{3, 6, 9, 12}},
	}
	for _, tc := range cases {
		c := fill(2, 2, tc.c0...)
		GemmReference(tc.tA, tc.tB, tc.alpha, tc.a, tc.b, tc.beta, c)
		if got := append(append([]float64(nil), c.Row(0)...), c.Row(1)...); !slices.Equal(got, tc.want) {
			t.Errorf("%s: GemmReference gives %v, want %v", tc.name, got, tc.want)
		}
	}
	// k = 0: C = beta·C.
	c := fill(2, 2, 1, 2, 3, 4)
	GemmReference(NoTrans, NoTrans, 1, New(2, 0), New(0, 2), 0.5, c)
	if got := append(append([]float64(nil), c.Row(0)...), c.Row(1)...); !slices.Equal(got, []float64{0.5, 1, 1.5, 2}) {
		t.Errorf("k = 0: GemmReference gives %v, want [0.5 1 1.5 2]", got)
	}
}

// TestGemmMatchesReference checks Gemm, with the micro-kernel this CPU
// selects, against GemmReference for each combination of transposes,
// alpha, beta and strided views, on shapes that are no multiple of any
// block (one of them split into tasks at GOMAXPROCS = 2), and Mul, MulABt
// and MulAtB on one shape each. The engine's tests check every kernel and
// path the same way.
func TestGemmMatchesReference(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sz := range [][3]int{{1, 1, 1}, {37, 29, 53}, {131, 203, 517}} {
		for _, tA := range []Transpose{NoTrans, Trans} {
			for _, tB := range []Transpose{NoTrans, Trans} {
				for _, alpha := range []float64{1, -0.25, 0} {
					for _, beta := range []float64{0, 1, 0.5} {
						for _, strided := range []bool{false, true} {
							runCase(t, rng, "Gemm", Gemm, gemmCase{sz[0], sz[1], sz[2], tA, tB, alpha, beta, strided})
						}
					}
				}
			}
		}
	}
	common := []struct {
		name   string
		tA, tB Transpose
		f      func(c, a, b *Dense)
	}{{"Mul", NoTrans, NoTrans, Mul}, {"MulABt", NoTrans, Trans, MulABt}, {"MulAtB", Trans, NoTrans, MulAtB}}
	for _, p := range common {
		product := func(_, _ Transpose, _ float64, a, b *Dense, _ float64, c *Dense) { p.f(c, a, b) }
		runCase(t, rng, p.name, product, gemmCase{50, 100, 307, p.tA, p.tB, 1, 0, true})
	}
}

// rowsOf is a RowReader that is not a *Dense: it reads the rows of a
// matrix as a computed matrix would hand them out.
type rowsOf struct{ m *Dense }

func (r rowsOf) ReadRow(dst []float64, i, j int) { copy(dst, r.m.Row(i)[j:]) }

// TestMulABtRows: MulABtRows computes A·Bᵀ both for a *Dense B (as MulABt,
// bit for bit) and for B read through any RowReader (as the reference
// does, to rounding).
func TestMulABtRows(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sz := range [][3]int{{1, 1, 1}, {50, 100, 3072}, {37, 301, 517}} {
		for _, strided := range []bool{false, true} {
			tc := gemmCase{sz[0], sz[1], sz[2], NoTrans, Trans, 1, 0, strided}
			runCase(t, rng, "MulABtRows", func(_, _ Transpose, _ float64, a, b *Dense, _ float64, c *Dense) {
				MulABtRows(c, a, rowsOf{b})
			}, tc)
			a, b := randOperand(rng, tc.m, tc.k, NoTrans, strided), randOperand(rng, tc.n, tc.k, NoTrans, strided)
			want, got := New(tc.m, tc.n), New(tc.m, tc.n)
			MulABt(want, a, b)
			MulABtRows(got, a, b)
			if !slices.Equal(got.data, want.data) {
				t.Errorf("%s: MulABtRows on a *Dense differs from MulABt", tc)
			}
		}
	}
}

// TestGemmEmpty: zero-sized dimensions. k = 0 leaves beta·C.
func TestGemmEmpty(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sz := range [][3]int{{0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {0, 0, 0}} {
		for _, beta := range []float64{0, 2} {
			runCase(t, rng, "Gemm", Gemm, gemmCase{sz[0], sz[1], sz[2], NoTrans, Trans, 1, beta, false})
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

// trainingShapes lists the products that matter.
var trainingShapes = []trainingShape{
	{"W1XbT", 50, 100, 3072, NoTrans, Trans},  // S1 = W1·Xbᵀ, Xb a row view of X
	{"W2H", 10, 100, 50, NoTrans, NoTrans},    // S = W2·H
	{"GHT", 10, 50, 100, NoTrans, Trans},      // dW2 = G·Hᵀ
	{"W2TG", 50, 100, 10, Trans, NoTrans},     // W2ᵀ·G
	{"G1Xb", 50, 3072, 100, NoTrans, NoTrans}, // dW1 = G1·Xb
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
		Gemm(NoTrans, NoTrans, -1e-5, gh, xb, 0.99, w1) // the fused update of W1 (beta in the kernels)
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
		{"MulABtRows", func() { MulABtRows(New(2, 5), a, rowsOf{New(5, 4)}) }, []string{"matrix.MulABtRows:", "C 2×5", "A 3×4"}},
		{"MulABtRows C is A", func() { MulABtRows(big.Slice(0, 3, 0, 3), big.Slice(0, 3, 2, 6), rowsOf{New(3, 4)}) }, []string{"matrix.MulABtRows:", "C 3×3 shares memory with A 3×4"}},
		{"Gemm", func() { Gemm(Trans, Trans, 1, a, b, 0, New(4, 4)) }, []string{"matrix.Gemm:", "Aᵀ 4×3", "Bᵀ 5×4"}},
		{"GemmReference", func() { GemmReference(NoTrans, NoTrans, 1, a, New(3, 5), 0, New(3, 5)) }, []string{"matrix.GemmReference:", "shape mismatch"}},
		{"GemmReference C is B", func() { GemmReference(NoTrans, NoTrans, 1, New(4, 4), b, 0, b) }, []string{"matrix.GemmReference:", "shares memory with B 4×5"}},
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
