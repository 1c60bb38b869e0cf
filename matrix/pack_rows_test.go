package matrix

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// TestGemmPacked checks C = alpha·op(A)·Xbᵀ + beta·C with Xb a row range of
// a packed X against the naive product, with every kernel, for row ranges
// starting at every offset within a group and ending anywhere, both
// transposes of A, and at GOMAXPROCS 1 and 2 with every product split into
// tasks (so that tasks start and end inside groups too).
func TestGemmPacked(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer func(v int) { serialFlops = v }(serialFlops)
	rng := rand.New(rand.NewPCG(21, 22))
	for _, mk := range testKernels() {
		for _, d := range []int{1, 7, 130} {
			xWhole := randDense(rng, 3*mk.nr+9, d+3)
			x := xWhole.Slice(2, xWhole.rows, 1, d+1) // strided source
			pr := packRows(x, &mk)
			for r0 := 0; r0 <= mk.nr+1; r0++ {
				for _, n := range []int{1, mk.nr - 1, mk.nr, 2*mk.nr + 3} {
					if n < 1 || r0+n > x.rows {
						continue
					}
					for _, procs := range []int{1, 2} {
						runtime.GOMAXPROCS(procs)
						serialFlops = 0
						m := 1 + rng.IntN(23)
						tA := Transpose(rng.IntN(2) == 1)
						alpha, beta := []float64{1, -0.5}[rng.IntN(2)], []float64{0, 1, 0.75}[rng.IntN(3)]
						name := fmt.Sprintf("%s d=%d rows %d..%d m=%d tA=%v alpha=%v beta=%v procs=%d", mk.name, d, r0, r0+n, m, tA, alpha, beta, procs)
						checkGemmPacked(t, rng, name, mk, pr.RowRange(r0, r0+n), x.RowRange(r0, r0+n), m, tA, alpha, beta)
					}
				}
			}
		}
	}
}

// checkGemmPacked computes one product with gemmPacked and checks it against
// naiveGemm on the unpacked rows xb, and the memory around a strided C.
func checkGemmPacked(t *testing.T, rng *rand.Rand, name string, mk microKernel, b *PackedRows, xb *Dense, m int, tA Transpose, alpha, beta float64) {
	t.Helper()
	n, k := xb.rows, xb.cols
	a := randOperand(rng, m, k, tA, true)
	c, cWhole := randView(rng, m, n, true)
	if beta == 0 {
		c.Set(rng.IntN(m), rng.IntN(n), math.NaN()) // must not survive
	}
	want, mag := naiveGemm(tA, Trans, alpha, a, xb, beta, c)
	before := cWhole.Clone()
	gemmPacked("GemmPacked", mk, tA, alpha, a, b, beta, c)
	checkClose(t, name, c, want, mag, k)
	for i := 0; i < cWhole.rows; i++ {
		for j := 0; j < cWhole.cols; j++ {
			if !inside(c, cWhole, i, j) && math.Float64bits(cWhole.At(i, j)) != math.Float64bits(before.At(i, j)) {
				t.Fatalf("%s: element (%d, %d) of C's backing matrix, outside the view, changed", name, i, j)
			}
		}
	}
}

// TestPackRowsLayout checks the packed layout against its definition, with
// the zero padding of the last group.
func TestPackRowsLayout(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for _, mk := range testKernels() {
		x := randDense(rng, 2*mk.nr+1, 5)
		pr := packRows(x, &mk)
		nr, d := mk.nr, x.cols
		if len(pr.data) != 3*nr*d {
			t.Fatalf("%s: %d packed values, want %d", mk.name, len(pr.data), 3*nr*d)
		}
		for g := 0; g < 3; g++ {
			for p := 0; p < d; p++ {
				for l := 0; l < nr; l++ {
					want := 0.0
					if r := g*nr + l; r < x.rows {
						want = x.At(r, p)
					}
					if got := pr.data[(g*d+p)*nr+l]; got != want {
						t.Fatalf("%s: group %d column %d lane %d = %v, want %v", mk.name, g, p, l, got, want)
					}
				}
			}
		}
		if v := pr.RowRange(1, 3).Dense(); !Equal(v, x.RowRange(1, 3)) {
			t.Errorf("%s: RowRange(1, 3).Dense() is not rows 1..3 of X", mk.name)
		}
	}
}

// TestGemmPackedAgreesWithGemm: on the training shapes, the product with a
// packed B (packed for the installed kernel even where PackRows would not)
// agrees with the naive one and is bitwise the same at GOMAXPROCS 1, 2, 3.
func TestGemmPackedAgreesWithGemm(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(25, 26))
	x := randDense(rng, 350, 3072)
	pr := packRows(x, &kern)
	w1 := randDense(rng, 50, 3072)
	for _, rows := range [][2]int{{100, 200}, {0, 100}, {7, 350}} {
		xb, pb := x.RowRange(rows[0], rows[1]), pr.RowRange(rows[0], rows[1])
		n := rows[1] - rows[0]
		var first *Dense
		for _, procs := range []int{1, 2, 3} {
			runtime.GOMAXPROCS(procs)
			c := New(50, n)
			MulABtPacked(c, w1, pb)
			if first == nil {
				first = c
				want, mag := naiveGemm(NoTrans, Trans, 1, w1, xb, 0, c)
				checkClose(t, fmt.Sprintf("rows %v", rows), c, want, mag, 3072)
			} else if !Equal(c, first) {
				t.Errorf("rows %v: GOMAXPROCS=%d gives a different result from GOMAXPROCS=1", rows, procs)
			}
		}
	}
}

// TestGemmPackedNoAllocs: with the views made beforehand, the packed
// product allocates nothing, serial or split.
func TestGemmPackedNoAllocs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(27, 28))
	pr := packRows(randDense(rng, 300, 3072), &kern)
	views := []*PackedRows{pr.RowRange(0, 100), pr.RowRange(100, 200), pr.RowRange(200, 300)}
	w1, h := randDense(rng, 50, 3072), New(50, 100)
	step := func() {
		for _, v := range views {
			MulABtPacked(h, w1, v)
		}
	}
	runtime.GOMAXPROCS(1)
	if n := testing.AllocsPerRun(10, step); n != 0 {
		t.Errorf("GOMAXPROCS=1: %v allocations, want 0", n)
	}
	runtime.GOMAXPROCS(2)
	step()
	if n := mallocsDuring(20, step); n != 0 {
		t.Errorf("GOMAXPROCS=2: %d allocations, want 0", n)
	}
}

// TestPackRowsInstalledKernel: PackRows packs for the installed kernel,
// unless it has a dot path; either way MulABtPacked gives bitwise what
// MulABt gives on the same rows with that kernel's path.
func TestPackRowsInstalledKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 30))
	x := randDense(rng, 120, 70)
	pr := PackRows(x)
	if packed := len(pr.data) > 0; packed != (kern.dot == nil) {
		t.Fatalf("kernel %s (dot path %v): PackRows packed = %v", kern.name, kern.dot != nil, packed)
	}
	a := randDense(rng, 13, 70)
	got, want := New(13, 50), New(13, 50)
	MulABtPacked(got, a, pr.RowRange(37, 87))
	wantMag := New(13, 50)
	w, mag := naiveGemm(NoTrans, Trans, 1, a, x.RowRange(37, 87), 0, wantMag)
	checkClose(t, "MulABtPacked", got, w, mag, 70)
	if kern.dot != nil {
		MulABt(want, a, x.RowRange(37, 87))
		if !Equal(got, want) {
			t.Error("with nothing packed, MulABtPacked differs from MulABt")
		}
	}
}

// TestGemmPackedPanics checks the panics of the packed product.
func TestGemmPackedPanics(t *testing.T) {
	x := New(20, 6)
	pr := packRows(x, &kern)
	other := loopKernel(3, kern.nr+1, true)
	cases := []struct {
		name string
		f    func()
		want []string
	}{
		{"k", func() { MulABtPacked(New(3, 20), New(3, 5), pr) }, []string{"matrix.MulABtPacked:", "shape mismatch", "A 3×5", "packed B 20×6"}},
		{"C", func() { MulABtPacked(New(3, 19), New(3, 6), pr) }, []string{"C 3×19"}},
		{"tA", func() { GemmPacked(Trans, 1, New(3, 6), pr, 0, New(3, 20)) }, []string{"matrix.GemmPacked:", "Aᵀ 6×3"}},
		{"kernel", func() { gemmPacked("MulABtPacked", other, NoTrans, 1, New(3, 6), pr, 0, New(3, 20)) }, []string{"groups of", "pack it again"}},
		{"C is X", func() { MulABtPacked(x.Slice(0, 3, 0, 2), New(3, 6), pr.RowRange(0, 2)) }, []string{"shares memory with the matrix packed as B"}},
		{"range", func() { pr.RowRange(5, 21) }, []string{"RowRange", "[5,21)", "20×6"}},
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
}
