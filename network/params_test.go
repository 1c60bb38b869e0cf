package network

import (
	"math"
	"strings"
	"testing"

	"twolayer/matrix"
)

func TestInitializeWeights(t *testing.T) {
	const d, m, k = 3072, 50, 10
	for _, tc := range []struct {
		init   Init
		s1, s2 float64
	}{{InitSmall, 0.01, 0.01}, {InitSqrt, 1 / math.Sqrt(d), 1 / math.Sqrt(m)}} {
		p := InitializeWeights(d, m, k, tc.init, 42)
		if gd, gm, gk := p.Dims(); gd != d || gm != m || gk != k || len(p.B1) != m || len(p.B2) != k {
			t.Fatalf("%v: dims %d %d %d", tc.init, gd, gm, gk)
		}
		for _, w := range []struct {
			name string
			a    *matrix.Dense
			std  float64
		}{{"W1", p.W1, tc.s1}, {"W2", p.W2, tc.s2}} {
			n := float64(w.a.Rows() * w.a.Cols())
			mean := 0.0
			for i := 0; i < w.a.Rows(); i++ {
				for _, v := range w.a.Row(i) {
					mean += v / n
				}
			}
			std := math.Sqrt(matrix.SumSquares(w.a)/n - mean*mean)
			// The sample std of n normal draws is within a few std/√(2n) of
			// the true one.
			if tol := 5 * w.std / math.Sqrt(2*n); !(math.Abs(std-w.std) <= tol) || !(math.Abs(mean) <= 5*w.std/math.Sqrt(n)) {
				t.Errorf("%v %s: mean %.3g, std %.5g, want 0 and %.5g ± %.2g", tc.init, w.name, mean, std, w.std, tol)
			}
		}
		for _, b := range append(append([]float64(nil), p.B1...), p.B2...) {
			if b != 0 {
				t.Fatalf("%v: a bias is %g, want 0", tc.init, b)
			}
		}
	}
	// The same seed gives the same weights, another seed others; W1 is drawn
	// first, row by row, so its first rows do not depend on m.
	a, b := InitializeWeights(20, 5, 3, InitSmall, 7), InitializeWeights(20, 5, 3, InitSmall, 7)
	if !paramsEqual(a, b) {
		t.Error("the same seed gives different weights")
	}
	if c := InitializeWeights(20, 5, 3, InitSmall, 8); denseBits(a.W1, c.W1) {
		t.Error("seeds 7 and 8 give the same W1")
	}
	if c := InitializeWeights(20, 6, 3, InitSmall, 7); !sameBits(c.W1.Row(4), a.W1.Row(4)) {
		t.Error("W1's first rows depend on m: W1 is not drawn first, row by row")
	}
}

func TestParseInit(t *testing.T) {
	for _, i := range []Init{InitSmall, InitSqrt} {
		if got, err := ParseInit(i.String()); err != nil || got != i {
			t.Errorf("ParseInit(%q) = %v, %v", i.String(), got, err)
		}
	}
	if _, err := ParseInit("xavier"); err == nil || !strings.Contains(err.Error(), `"small"`) {
		t.Errorf("ParseInit(\"xavier\"): %v", err)
	}
}

func TestParamsCheck(t *testing.T) {
	p := InitializeWeights(6, 4, 3, InitSmall, 1)
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	p.B1 = p.B1[:3]
	if err := p.Check(); err == nil {
		t.Error("b1 of length 3 for 4 hidden units: no error")
	}
	if err := (&Params{}).Check(); err == nil {
		t.Error("empty Params: no error")
	}
}
