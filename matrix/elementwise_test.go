package matrix

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// elementwiseOps lists the element-wise operations with, for each, the
// value it must produce from the elements x (of a) and y (of b) at (i, j)
// and the vector element v[i] where it takes one.
var elementwiseOps = []struct {
	name string
	run  func(dst, a, b *Dense, v []float64)
	want func(x, y, vi float64) float64
	vec  bool // takes a vector of length rows
}{
	{"AddScaled", func(d, a, b *Dense, _ []float64) { AddScaled(d, a, -0.1, b) }, func(x, y, _ float64) float64 { return x + -0.1*y }, false},
	{"AddColVector", func(d, a, _ *Dense, v []float64) { AddColVector(d, a, v) }, func(x, _, vi float64) float64 { return x + vi }, true},
}

// TestElementwise runs each operation on strided views into a separate
// destination and in place (dst = a), and checks every element and that
// memory around the destination view is untouched.
func TestElementwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, op := range elementwiseOps {
		for _, inPlace := range []bool{false, true} {
			const r, c = 7, 5
			a, _ := randView(rng, r, c, true)
			b, _ := randView(rng, r, c, true)
			var v []float64
			if op.vec {
				v = randDense(rng, 1, r).data
			}
			a0 := a.Clone()
			dst, whole := randView(rng, r, c, true)
			if inPlace {
				dst = a
			}
			before := whole.Clone()
			op.run(dst, a, b, v)
			for i := 0; i < r; i++ {
				for j := 0; j < c; j++ {
					var vi float64
					if op.vec {
						vi = v[i]
					}
					if got, want := dst.At(i, j), op.want(a0.At(i, j), b.At(i, j), vi); got != want {
						t.Fatalf("%s (in place %v): element (%d, %d) = %v, want %v", op.name, inPlace, i, j, got, want)
					}
				}
			}
			if !inPlace {
				for i := 0; i < whole.rows; i++ {
					for j := 0; j < whole.cols; j++ {
						if !inside(dst, whole, i, j) && whole.At(i, j) != before.At(i, j) {
							t.Fatalf("%s: element (%d, %d) outside the destination view changed", op.name, i, j)
						}
					}
				}
			}
		}
	}
}

func TestElementwisePanics(t *testing.T) {
	a, b := New(2, 3), New(3, 2)
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"AddScaled", func() { AddScaled(a, a, 2, b) }, "matrix.AddScaled: shape mismatch: 2×3 and 3×2"},
		{"AddColVector", func() { AddColVector(a, a, make([]float64, 3)) }, "matrix.AddColVector: vector of length 3 for a 2×3 matrix (want 2)"},
		{"RowSums", func() { RowSums(make([]float64, 3), a) }, "matrix.RowSums: destination of length 3 for a 2×3 matrix (want 2)"},
	}
	for _, tc := range cases {
		if msg := panicMessage(tc.f); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: panic %q, want it to contain %q", tc.name, msg, tc.want)
		}
	}
}

func TestReductions(t *testing.T) {
	m := NewFromData(3, 4, []float64{
		1, 2, 3, 4,
		-1, 0, 5, 5,
		2, 2, -8, 1,
	})
	big := New(5, 6)
	v := big.Slice(1, 4, 1, 5) // the same values in a strided view
	v.Copy(m)
	for _, x := range []*Dense{m, v} {
		rs := make([]float64, 3)
		RowSums(rs, x)
		if rs[0] != 10 || rs[1] != 9 || rs[2] != -3 {
			t.Errorf("RowSums = %v, want [10 9 -3]", rs)
		}
		if s := SumSquares(x); s != 1+4+9+16+1+0+25+25+4+4+64+1 {
			t.Errorf("SumSquares = %v, want 154", s)
		}
	}
}

func TestHasNaNOrInf(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want bool
	}{{0, false}, {math.MaxFloat64, false}, {math.NaN(), true}, {math.Inf(1), true}, {math.Inf(-1), true}} {
		big := New(4, 4)
		big.Set(3, 3, math.NaN()) // outside the view: must not count
		v := big.Slice(0, 3, 0, 3)
		v.Set(2, 1, tc.v)
		if got := HasNaNOrInf(v); got != tc.want {
			t.Errorf("HasNaNOrInf with %v: %v, want %v", tc.v, got, tc.want)
		}
	}
}
