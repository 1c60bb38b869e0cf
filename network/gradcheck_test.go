package network

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The bound of the analytic against the centered numeric gradient: every
// entry within 1e-8 absolute or 1e-5 relative. The centered difference's
// truncation error is O(h²) ≈ 1e-10 here, but its round-off is about
// ε_machine·J/h ≈ 1e-11 absolute, which is a large relative error for a tiny
// gradient entry: hence "or absolute".
const (
	centeredAbs = 1e-8
	centeredRel = 1e-5
)

// agree reports whether a and n agree within abs absolute or rel relative
// (relative to |a| + |n|).
func agree(a, n, abs, rel float64) bool {
	d := math.Abs(a - n)
	return d <= abs || d <= rel*(math.Abs(a)+math.Abs(n))
}

// checkGrads fails t for every entry of ga and gn (with the same shapes) that
// does not agree, naming the parameter and the entry (at most 5 per parameter).
func checkGrads(t *testing.T, ga, gn *Grads, abs, rel float64) {
	t.Helper()
	pa, pn := gradsAsParams(ga), gradsAsParams(gn)
	var rowsN [][][]float64
	pn.each(func(_ string, rows [][]float64) { rowsN = append(rowsN, rows) })
	k := 0
	pa.each(func(name string, rows [][]float64) {
		bad := 0
		for i, row := range rows {
			for j, a := range row {
				n := rowsN[k][i][j]
				if !agree(a, n, abs, rel) {
					if bad++; bad <= 5 {
						t.Errorf("%s[%d][%d]: analytic %.12g, numeric %.12g (|Δ| = %.3g)", name, i, j, a, n, math.Abs(a-n))
					}
				}
			}
		}
		if bad > 5 {
			t.Errorf("%s: %d entries disagree in all", name, bad)
		}
		k++
	})
}

func gradsAsParams(g *Grads) *Params { return &Params{W1: g.W1, B1: g.B1, W2: g.W2, B2: g.B2} }

// TestGradientsCentered compares ComputeGradients with ComputeGradsNumSlow on
// the report's reduced problems (section 2.9): the first 20 input dimensions,
// the first one or two images, λ = 0 and 0.01, both initialisations.
func TestGradientsCentered(t *testing.T) {
	data, src := cifarOrRandom(t, 100, 11)
	t.Logf("data: %s", src)
	for _, init := range []Init{InitSmall, InitSqrt} {
		for _, n := range []int{1, 2} {
			for _, lambda := range []float64{0, 0.01} {
				t.Run(fmt.Sprintf("d=20/n=%d/λ=%g/%v", n, lambda, init), func(t *testing.T) {
					p, s := reduced(InitializeWeights(3072, 50, 10, init, 7), data, 20, n)
					ga := ComputeGradients(p, s.X, s.Labels, lambda)
					gn := ComputeGradsNumSlow(p, s.X, s.Labels, lambda, DefaultH)
					checkGrads(t, ga, gn, centeredAbs, centeredRel)
					// The report's metrics on the same pair: with centered
					// differences no entry is off by more than ε = 1e-6.
					for _, c := range CompareGradients(ga, gn, DefaultEps) {
						if c.AbsErrors != 0 {
							t.Errorf("%v", c)
						}
					}
				})
			}
		}
	}
}

// TestGradientsForward compares ComputeGradients with ComputeGradsNum. The
// forward difference (J(θ+h·e_i) − J(θ))/h = ∂J/∂θ_i + (h/2)·∂²J/∂θ_i² +
// O(h²) has an error of order h, not h²: the L2 term alone contributes
// (h/2)·2λ = λh for every weight, and the cross-entropy's curvature along one
// parameter is p(1−p) ≤ 1/4 for an entry of b2, times H[b]² for an entry of
// W2, and at most x_j²·‖W2[:, i]‖²/2 for an entry of W1 — of order 1 or less
// for these problems (the largest forward error seen is about 5e-7). So the
// bound is h·(λ + 1) = 1e-5·(λ + 1) absolute, a thousand times looser than
// the centered one, or 1e-5 relative.
func TestGradientsForward(t *testing.T) {
	data, src := cifarOrRandom(t, 100, 11)
	t.Logf("data: %s", src)
	for _, init := range []Init{InitSmall, InitSqrt} {
		for _, lambda := range []float64{0, 0.01} {
			t.Run(fmt.Sprintf("d=20/n=2/λ=%g/%v", lambda, init), func(t *testing.T) {
				p, s := reduced(InitializeWeights(3072, 50, 10, init, 7), data, 20, 2)
				ga := ComputeGradients(p, s.X, s.Labels, lambda)
				gn := ComputeGradsNum(p, s.X, s.Labels, lambda, DefaultH)
				checkGrads(t, ga, gn, DefaultH*(lambda+1), centeredRel)
				// And the forward difference is the less accurate: its
				// largest error is larger than the centered one's.
				gc := ComputeGradsNumSlow(p, s.X, s.Labels, lambda, DefaultH)
				for i, cf := range CompareGradients(ga, gn, DefaultEps) {
					cc := CompareGradients(ga, gc, DefaultEps)[i]
					if !(cf.MaxAbs >= cc.MaxAbs) {
						t.Errorf("%s: forward difference max error %.3g < centered %.3g", cf.Param, cf.MaxAbs, cc.MaxAbs)
					}
				}
			})
		}
	}
}

// TestGradientsFullDim checks the analytic gradients at the full d = 3072 on
// 3 images against centered differences, every entry of W1, b1, W2 and b2
// (153,600 + 50 + 500 + 10). The 2·154,160 cost evaluations are made cheap by
// centeredGradsFast, which is checked against ComputeGradsNumSlow (the
// literal one, a whole forward pass per evaluation) on 300 random entries of
// W1 and all the others.
func TestGradientsFullDim(t *testing.T) {
	data, src := cifarOrRandom(t, 100, 12)
	t.Logf("data: %s", src)
	for _, tc := range []struct {
		init   Init
		lambda float64
	}{{InitSmall, 0}, {InitSmall, 0.01}, {InitSqrt, 0.01}} {
		t.Run(fmt.Sprintf("d=3072/n=3/λ=%g/%v", tc.lambda, tc.init), func(t *testing.T) {
			p, s := reduced(InitializeWeights(3072, 50, 10, tc.init, 7), data, 3072, 3)
			ga := ComputeGradients(p, s.X, s.Labels, tc.lambda)
			gf := centeredGradsFast(p, s, tc.lambda, DefaultH)
			checkGrads(t, ga, gf, centeredAbs, centeredRel)

			// centeredGradsFast against the literal centered difference.
			nc := newNumCost(p, s.X, s.Labels, tc.lambda, DefaultH)
			same := func(name string, i, j int, fast float64, x *float64) {
				if lit := nc.derivative(x, 0, true); !(math.Abs(fast-lit) <= 1e-9) {
					t.Errorf("%s[%d][%d]: fast centered difference %.12g, literal %.12g", name, i, j, fast, lit)
				}
			}
			for i := range p.B1 {
				same("b1", 0, i, gf.B1[i], &p.B1[i])
			}
			for i := range p.B2 {
				same("b2", 0, i, gf.B2[i], &p.B2[i])
			}
			for i := 0; i < p.W2.Rows(); i++ {
				for j := range p.W2.Row(i) {
					same("W2", i, j, gf.W2.At(i, j), &p.W2.Row(i)[j])
				}
			}
			r := rand.New(rand.NewPCG(3, 4))
			for range 300 {
				i, j := r.IntN(p.W1.Rows()), r.IntN(p.W1.Cols())
				same("W1", i, j, gf.W1.At(i, j), &p.W1.Row(i)[j])
			}
		})
	}
}

// TestFastCenteredReduced: centeredGradsFast equals ComputeGradsNumSlow on a
// reduced problem, entry by entry, to 1e-9 (both divide differences of costs
// by 2h, so round-off of 1e-16 in a cost is about 1e-11 in a derivative).
func TestFastCenteredReduced(t *testing.T) {
	p, s := reduced(InitializeWeights(3072, 50, 10, InitSqrt, 7), randomSet(2, 3072, 10, 3), 20, 2)
	checkGrads(t, centeredGradsFast(p, s, 0.01, DefaultH), ComputeGradsNumSlow(p, s.X, s.Labels, 0.01, DefaultH), 1e-9, 0)
}

// TestNumGradRestoresParams: the numeric gradients leave p bitwise unchanged.
func TestNumGradRestoresParams(t *testing.T) {
	p := InitializeWeights(7, 5, 3, InitSqrt, 1)
	q := p.Clone()
	s := randomSet(4, 7, 3, 2)
	ComputeGradsNum(p, s.X, s.Labels, 0.1, 1e-3)
	ComputeGradsNumSlow(p, s.X, s.Labels, 0.1, 1e-3)
	if !paramsEqual(p, q) {
		t.Fatal("the numeric gradients changed the parameters")
	}
}

// TestCompareGradients checks the two metrics on hand-made gradients.
func TestCompareGradients(t *testing.T) {
	ga, gn := NewGrads(2, 2, 1), NewGrads(2, 2, 1)
	// W1: one entry off by 2e-6 on a large value (absolute error, not
	// relative), one off by 5e-7 on a tiny value (relative error only).
	ga.W1.Set(0, 0, 1)
	gn.W1.Set(0, 0, 1+2e-6)
	ga.W1.Set(1, 1, 1e-7)
	gn.W1.Set(1, 1, 6e-7)
	gn.B2[0] = 3e-6 // both metrics: |Δ| = 3e-6, relative 1
	got := CompareGradients(ga, gn, 1e-6)
	want := []struct {
		name     string
		n, a, r  int
		maxAbs   float64
		wantRelG float64 // lower bound of MaxRel
	}{
		{"W1", 4, 1, 1, 2e-6, 0.49},
		{"b1", 2, 0, 0, 0, 0},
		{"W2", 2, 0, 0, 0, 0},
		{"b2", 1, 1, 1, 3e-6, 1},
	}
	for i, w := range want {
		c := got[i]
		if c.Param != w.name || c.Entries != w.n || c.AbsErrors != w.a || c.RelErrors != w.r ||
			!(math.Abs(c.MaxAbs-w.maxAbs) <= 1e-15) || !(c.MaxRel >= w.wantRelG) {
			t.Errorf("%d: got %+v, want %s entries %d abs %d rel %d maxAbs %g maxRel ≥ %g", i, c, w.name, w.n, w.a, w.r, w.maxAbs, w.wantRelG)
		}
	}
	if p := got[0].AbsPercent(); p != 25 {
		t.Errorf("W1 AbsPercent = %g, want 25", p)
	}
}

func paramsEqual(a, b *Params) bool {
	return denseBits(a.W1, b.W1) && denseBits(a.W2, b.W2) && sameBits(a.B1, b.B1) && sameBits(a.B2, b.B2)
}

// denseBits reports whether a and b have the same shape and bitwise-equal
// entries.
func denseBits(a, b interface {
	Dims() (int, int)
	Row(int) []float64
}) bool {
	ar, ac := a.Dims()
	br, bc := b.Dims()
	if ar != br || ac != bc {
		return false
	}
	for i := 0; i < ar; i++ {
		if !sameBits(a.Row(i), b.Row(i)) {
			return false
		}
	}
	return true
}

func TestReducedProblem(t *testing.T) {
	p := InitializeWeights(30, 6, 4, InitSqrt, 1)
	s := randomSet(5, 30, 4, 2)
	q, X, y := ReducedProblem(p, s.X, s.Labels, 20, 2)
	r := Set{X: X, Labels: y}
	if d, m, k := q.Dims(); d != 20 || m != 6 || k != 4 || r.Len() != 2 || r.X.Cols() != 20 || len(r.Labels) != 2 {
		t.Fatalf("reduced: params %d×%d×%d, set %d×%d with %d labels", d, m, k, r.Len(), r.X.Cols(), len(r.Labels))
	}
	for i := 0; i < 6; i++ {
		if !sameBits(q.W1.Row(i), p.W1.Row(i)[:20]) {
			t.Errorf("W1 row %d is not the first 20 columns of the original", i)
		}
	}
	if !sameBits(r.X.Row(1), s.X.Row(1)[:20]) || r.Labels[1] != s.Labels[1] {
		t.Error("the reduced set is not the first images' first values")
	}
	q.W1.Set(0, 0, 42)
	if p.W1.At(0, 0) == 42 {
		t.Error("the reduced parameters share W1 with the original")
	}
}
