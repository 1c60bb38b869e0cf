package dgemm_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"

	"twolayer/matrix"
	"twolayer/matrix/internal/dgemm"
)

// countingRows is an n×k matrix read through ReadRow, which counts the
// entries it hands out and checks that every read lies inside the matrix.
type countingRows struct {
	x    operand
	read atomic.Int64
}

func (r *countingRows) ReadRow(dst []float64, i, j int) {
	if i < 0 || i >= r.x.r || j < 0 || j+len(dst) > r.x.c {
		panic(fmt.Sprintf("ReadRow of row %d, entries %d..%d, outside the %d×%d matrix", i, j, j+len(dst), r.x.r, r.x.c))
	}
	for p := range dst {
		dst[p] = r.x.at(i, j+p)
	}
	r.read.Add(int64(len(dst)))
}

// TestGemmRows checks GemmRows, C = alpha·A·Bᵀ + beta·C with B read row by
// row, against matrix.GemmReference with every kernel, on shapes that cross
// the kernels' tiles, k blocks and panels, at GOMAXPROCS = 2 with every
// product shared out; that it reads each entry of B exactly once; and that
// it gives the same bits on one goroutine.
func TestGemmRows(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer dgemm.SetSerialFlops(0)()
	rng := rand.New(rand.NewPCG(41, 42))
	// Up to 60 rows of C fit one block of A (taskRows, B packed a sliver at
	// a time), 130 do not (task, B packed a panel at a time).
	shapes := [][3]int{{1, 1, 1}, {7, 5, 3}, {10, 16, 240}, {23, 37, 241}, {50, 300, 3072}, {3, 1000, 70}, {130, 40, 500}}
	for _, name := range dgemm.KernelNames(true) {
		dgemm.WithKernel(name, func(path string) {
			for _, s := range shapes {
				m, n, k := s[0], s[1], s[2]
				for _, ab := range [][2]float64{{1, 0}, {-0.5, 0.75}} {
					alpha, beta := ab[0], ab[1]
					where := fmt.Sprintf("%s %s %dx%dx%d alpha=%v beta=%v", name, path, m, n, k, alpha, beta)
					a := randOperand(rng, m, k, true)
					b := &countingRows{x: randOperand(rng, n, k, false)}
					c := randOperand(rng, m, n, true)
					want := c.dense()
					matrix.GemmReference(matrix.NoTrans, matrix.Trans, alpha, a.dense(), b.x.dense(), beta, want)
					mag := absDense(c.dense())
					matrix.GemmReference(matrix.NoTrans, matrix.Trans, math.Abs(alpha), absDense(a.dense()), absDense(b.x.dense()), math.Abs(beta), mag)
					c1 := slices.Clone(c.whole)

					dgemm.GemmRows(m, n, k, alpha, a.data(), a.ld, b, beta, c.data(), c.ld)

					if got := b.read.Load(); got != int64(n*k) {
						t.Fatalf("%s: read %d entries of B, want each of its %d once", where, got, n*k)
					}
					for i := range m {
						for j := range n {
							g, w := c.at(i, j), want.At(i, j)
							if tol := 4 * float64(k+2) * 0x1p-52 * mag.At(i, j); !(math.Abs(g-w) <= tol) {
								t.Fatalf("%s: C[%d][%d] = %v, matrix.GemmReference gives %v", where, i, j, g, w)
							}
						}
					}
					one := operand{r: c.r, c: c.c, ld: c.ld, off: c.off, whole: c1}
					runtime.GOMAXPROCS(1)
					dgemm.GemmRows(m, n, k, alpha, a.data(), a.ld, b, beta, one.data(), one.ld)
					runtime.GOMAXPROCS(2)
					if !slices.Equal(one.whole, c.whole) {
						t.Fatalf("%s: one goroutine gives other bits than two", where)
					}
				}
			}
		})
	}
}

// sliverRows is a countingRows that also writes slivers itself
// (dgemm.SliverReader), declining every third one, so that a product mixes
// both ways of reading B.
type sliverRows struct {
	countingRows
	calls, slivers atomic.Int64
}

func (r *sliverRows) ReadSliver(dst []float64, w, i, j, kc int) bool {
	if r.calls.Add(1)%3 == 0 {
		return false
	}
	if i < 0 || i+w > r.x.r || j < 0 || j+kc > r.x.c {
		panic(fmt.Sprintf("ReadSliver of rows %d..%d, entries %d..%d, outside the %d×%d matrix", i, i+w, j, j+kc, r.x.r, r.x.c))
	}
	for p := range kc {
		for q := range w {
			dst[p*w+q] = r.x.at(i+q, j+p)
		}
	}
	r.read.Add(int64(w * kc))
	r.slivers.Add(1)
	return true
}

// TestGemmRowsSlivers checks that GemmRows with a SliverReader gives the
// bits it gives with the same rows read through ReadRow alone, with every
// kernel, on both paths (m ≤ mc and m > mc), each entry of B read once,
// and that the slivers were used.
func TestGemmRowsSlivers(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer dgemm.SetSerialFlops(0)()
	rng := rand.New(rand.NewPCG(43, 44))
	for _, name := range dgemm.KernelNames(true) {
		dgemm.WithKernel(name, func(path string) {
			for _, s := range [][3]int{{10, 64, 240}, {50, 1000, 3072}, {23, 37, 241}, {130, 200, 500}} {
				m, n, k := s[0], s[1], s[2]
				where := fmt.Sprintf("%s %s %dx%dx%d", name, path, m, n, k)
				a := randOperand(rng, m, k, true)
				x := randOperand(rng, n, k, false)
				c := randOperand(rng, m, n, true)
				c1 := slices.Clone(c.whole)
				dgemm.GemmRows(m, n, k, -0.5, a.data(), a.ld, &countingRows{x: x}, 0.75, c.data(), c.ld)
				b := &sliverRows{countingRows: countingRows{x: x}}
				one := operand{r: c.r, c: c.c, ld: c.ld, off: c.off, whole: c1}
				dgemm.GemmRows(m, n, k, -0.5, a.data(), a.ld, b, 0.75, one.data(), one.ld)
				if got := b.read.Load(); got != int64(n*k) {
					t.Fatalf("%s: read %d entries of B, want each of its %d once", where, got, n*k)
				}
				if b.slivers.Load() == 0 {
					t.Fatalf("%s: no sliver read through ReadSliver", where)
				}
				if !slices.Equal(one.whole, c.whole) {
					t.Fatalf("%s: slivers give other bits than rows", where)
				}
			}
		})
	}
}
