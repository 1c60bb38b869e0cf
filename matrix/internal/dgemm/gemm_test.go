package dgemm_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"twolayer/matrix"
	"twolayer/matrix/internal/dgemm"
)

// The products against matrix.GemmReference, the triple loop that defines
// them, with every micro-kernel and on every path (see dgemm.WithKernel).

// operand is an r×c matrix held as Gemm takes it: element (i, j) is
// whole[off+i·ld+j]. A strided operand lies inside a larger block of random
// values, which must be neither written (C) nor needed (A, B: Gemm is given
// the slice from the first element to the last, as package matrix gives
// it).
type operand struct {
	r, c, ld int
	off      int
	whole    []float64
}

// randOperand returns an r×c operand of values uniform in [-1, 1), strided
// (with rows and columns of other values around it) or not.
func randOperand(rng *rand.Rand, r, c int, strided bool) operand {
	x := operand{r: r, c: c, ld: c}
	top, left, right := 0, 0, 0
	if strided {
		top, left, right = 1+rng.IntN(3), 1+rng.IntN(3), rng.IntN(3)
		x.ld = left + c + right
	}
	x.off = top*x.ld + left
	x.whole = make([]float64, (top+r+1)*x.ld)
	for i := range x.whole {
		x.whole[i] = 2*rng.Float64() - 1
	}
	return x
}

// randOp returns the operand X of a product in which op(X) is r×c: X is
// c×r when t is set.
func randOp(rng *rand.Rand, r, c int, t, strided bool) operand {
	if t {
		r, c = c, r
	}
	return randOperand(rng, r, c, strided)
}

// data returns the slice Gemm takes: from element (0, 0) to the last.
func (x operand) data() []float64 {
	if x.r == 0 || x.c == 0 {
		return nil
	}
	return x.whole[x.off : x.off+(x.r-1)*x.ld+x.c]
}

func (x operand) at(i, j int) float64 { return x.whole[x.off+i*x.ld+j] }

// inside reports whether whole[idx] is an element of the matrix.
func (x operand) inside(idx int) bool {
	d := idx - x.off
	return d >= 0 && d/x.ld < x.r && d%x.ld < x.c
}

// dense returns a copy of x as a matrix.Dense.
func (x operand) dense() *matrix.Dense {
	d := matrix.New(x.r, x.c)
	for i := range x.r {
		for j := range x.c {
			d.Set(i, j, x.at(i, j))
		}
	}
	return d
}

// absDense returns a copy of d with every element replaced by its absolute value.
func absDense(d *matrix.Dense) *matrix.Dense {
	a := d.Clone()
	for i := range a.Rows() {
		for j := range a.Cols() {
			a.Set(i, j, math.Abs(a.At(i, j)))
		}
	}
	return a
}

// gemmCase is one product of the tests.
type gemmCase struct {
	m, n, k     int
	tA, tB      bool
	alpha, beta float64
	strided     bool // A, B and C lie inside larger blocks of values
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("%dx%dx%d/tA=%v/tB=%v/alpha=%v/beta=%v/strided=%v",
		tc.m, tc.n, tc.k, tc.tA, tc.tB, tc.alpha, tc.beta, tc.strided)
}

// runCase computes tc with dgemm.Gemm on random operands (with a NaN in C
// when beta = 0, which must not survive) and checks C against
// matrix.GemmReference, to within the rounding error of a k-term sum,
// |got − want| ≤ 4·(k+2)·ε·mag, where mag is the reference product of the
// absolute values; and that nothing around a strided C changed.
func runCase(t *testing.T, rng *rand.Rand, where string, tc gemmCase) {
	t.Helper()
	a := randOp(rng, tc.m, tc.k, tc.tA, tc.strided)
	b := randOp(rng, tc.k, tc.n, tc.tB, tc.strided)
	c := randOperand(rng, tc.m, tc.n, tc.strided)
	if tc.beta == 0 && tc.m > 0 && tc.n > 0 {
		c.whole[c.off+rng.IntN(tc.m)*c.ld+rng.IntN(tc.n)] = math.NaN()
	}
	A, B, C := a.dense(), b.dense(), c.dense()
	tA, tB := matrix.Transpose(tc.tA), matrix.Transpose(tc.tB)
	want := C.Clone()
	matrix.GemmReference(tA, tB, tc.alpha, A, B, tc.beta, want)
	mag := absDense(C)
	matrix.GemmReference(tA, tB, math.Abs(tc.alpha), absDense(A), absDense(B), math.Abs(tc.beta), mag)
	before := slices.Clone(c.whole)

	dgemm.Gemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, a.data(), a.ld, b.data(), b.ld, tc.beta, c.data(), c.ld)

	for i := range tc.m {
		for j := range tc.n {
			g, w := c.at(i, j), want.At(i, j)
			tol := 4 * float64(tc.k+2) * 0x1p-52 * mag.At(i, j)
			if !(math.Abs(g-w) <= tol) {
				t.Fatalf("%s %s: C[%d][%d] = %v, matrix.GemmReference gives %v (tolerance %g)", where, tc, i, j, g, w, tol)
			}
		}
	}
	for x := range c.whole {
		if !c.inside(x) && math.Float64bits(c.whole[x]) != math.Float64bits(before[x]) {
			t.Fatalf("%s %s: a value outside C (whole[%d]) changed", where, tc, x)
		}
	}
}

// TestGemmSweep checks every transpose combination, alpha, beta (with NaN in
// C for beta = 0) and strided operands against the reference, with every
// kernel on every path, for each size 1..67 in each dimension (the other
// two random).
func TestGemmSweep(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphas := []float64{1, -0.5, 2.5}
	betas := []float64{0, 1, -1.5}
	for _, name := range dgemm.KernelNames(true) {
		dgemm.WithKernel(name, func(path string) {
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
					runCase(t, rng, name+" "+path, tc)
				}
			}
		})
	}
}

// TestGemmVariants runs each combination of transposes, alpha, beta and
// strided operands once on shapes that are no multiple of any block (one
// deep enough for several k blocks), with every kernel on every path, and
// 1×1×1.
func TestGemmVariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, name := range dgemm.KernelNames(true) {
		dgemm.WithKernel(name, func(path string) {
			for _, sz := range [][3]int{{1, 1, 1}, {37, 29, 53}, {5, 67, 1}, {23, 41, 800}} {
				for _, tA := range []bool{false, true} {
					for _, tB := range []bool{false, true} {
						for _, alpha := range []float64{1, -0.25, 0} {
							for _, beta := range []float64{0, 1, 0.5} {
								for _, strided := range []bool{false, true} {
									runCase(t, rng, name+" "+path, gemmCase{sz[0], sz[1], sz[2], tA, tB, alpha, beta, strided})
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
			runCase(t, rng, "installed kernel", gemmCase{sz[0], sz[1], sz[2], false, true, 1, beta, false})
		}
	}
}

// trainingShape is a product of the network's training step or evaluation.
type trainingShape struct {
	name    string
	m, n, k int
	tA, tB  bool
}

// trainingShapes lists the products that matter.
var trainingShapes = []trainingShape{
	{"W1XbT", 50, 100, 3072, false, true},  // S1 = W1·Xbᵀ, Xb a row view of X
	{"W2H", 10, 100, 50, false, false},     // S = W2·H
	{"GHT", 10, 50, 100, false, true},      // dW2 = G·Hᵀ
	{"W2TG", 50, 100, 10, true, false},     // W2ᵀ·G
	{"G1Xb", 50, 3072, 100, false, false},  // dW1 = G1·Xb
	{"odd", 131, 203, 517, true, true},     // split into tasks at 2 goroutines
	{"oddNN", 131, 203, 517, false, false}, // likewise
}

// TestGemmTrainingShapes checks the products of a training step, and two
// odd shapes, at GOMAXPROCS = 2 so that they are split into tasks, with
// every real kernel on every path; with beta = 0 and with beta ∉ {0, 1}, as
// in the training step's fused update of W1, W1 ← (1 − 2ηλ)·W1 −
// (η/n)·G·Xb, where the kernels scale C as they store (the dot path in a
// pass of its own first).
func TestGemmTrainingShapes(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rng := rand.New(rand.NewPCG(7, 8))
	for _, ts := range trainingShapes {
		for _, name := range dgemm.KernelNames(false) {
			dgemm.WithKernel(name, func(path string) {
				if n := dgemm.Tasks(ts.tA, ts.tB, ts.m, ts.n, ts.k, 2); ts.name == "oddNN" && n < 2 {
					t.Fatalf("%s %s: the odd shape is not split into tasks", name, path)
				}
				runCase(t, rng, name+" "+path, gemmCase{ts.m, ts.n, ts.k, ts.tA, ts.tB, 1.0 / 3, 0, true})
				runCase(t, rng, name+" "+path, gemmCase{ts.m, ts.n, ts.k, ts.tA, ts.tB, -1e-3, 0.99, true})
			})
		}
	}
}

// TestAVX512Kernel runs the AVX-512 kernel, its dot kernel and its masked
// packing through the product on the network's shapes, against the
// reference: the same checks the sweeps make with every kernel this CPU
// can run, here by name, so that a CPU without AVX-512 says so (it skips).
func TestAVX512Kernel(t *testing.T) {
	const name = "avx512 10×16"
	if !slices.Contains(dgemm.KernelNames(false), name) {
		t.Skip("this CPU or OS lacks AVX-512F (or the OS does not save the ZMM and opmask state), or the build is purego: the AVX-512 kernel is not installed and cannot run here")
	}
	rng := rand.New(rand.NewPCG(31, 32))
	shapes := append([]trainingShape{{"odd", 37, 53, 301, true, false}, {"oddTT", 37, 53, 301, true, true}}, trainingShapes...)
	dgemm.WithKernel(name, func(path string) {
		for _, ts := range shapes {
			runCase(t, rng, name+" "+path, gemmCase{ts.m, ts.n, ts.k, ts.tA, ts.tB, 0.5, 0.25, true})
		}
	})
}

// TestGemmConcurrentCalls: products started from several goroutines at once
// share the worker pool and each gets its own, correct, result.
func TestGemmConcurrentCalls(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer dgemm.SetSerialFlops(0)() // split every product, however small
	const m, n, k = 70, 90, 900
	if tasks := dgemm.Tasks(false, false, m, n, k, 2); tasks < 2 {
		t.Fatalf("the product is not split: %d task", tasks)
	}
	rng := rand.New(rand.NewPCG(13, 14))
	a, b := randOperand(rng, m, k, false), randOperand(rng, k, n, false)
	mul := func(c []float64) { dgemm.Gemm(false, false, m, n, k, 1, a.data(), k, b.data(), n, 0, c, n) }
	want := make([]float64, m*n)
	mul(want)
	runCase(t, rng, "split", gemmCase{m, n, k, false, false, 1, 0, false})
	const callers = 4
	results := make([][]float64, callers)
	done := make(chan int)
	for g := range callers {
		results[g] = make([]float64, m*n)
		go func() {
			for range 20 {
				mul(results[g])
			}
			done <- g
		}()
	}
	for range callers {
		if g := <-done; !slices.Equal(results[g], want) {
			t.Errorf("caller %d: result differs from the same product computed alone", g)
		}
	}
}
