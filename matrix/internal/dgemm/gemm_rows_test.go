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
	shapes := [][3]int{{1, 1, 1}, {7, 5, 3}, {10, 16, 240}, {23, 37, 241}, {50, 300, 3072}, {3, 1000, 70}}
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
