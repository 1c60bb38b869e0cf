package matrix

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// elementwiseOps lists the element-wise operations with, for each, the
// value it must produce from the elements x (of a or g) and y (of b or h)
// at (i, j) and the vector element v[i] or v[j] where it takes a vector.
var elementwiseOps = []struct {
	name string
	run  func(dst, a, b *Dense, v []float64)
	want func(x, y, vi, vj float64) float64
	vec  string // "", "col" (len rows) or "row" (len cols)
}{
	{"Add", func(d, a, b *Dense, _ []float64) { Add(d, a, b) }, func(x, y, _, _ float64) float64 { return x + y }, ""},
	{"Sub", func(d, a, b *Dense, _ []float64) { Sub(d, a, b) }, func(x, y, _, _ float64) float64 { return x - y }, ""},
	{"Scale", func(d, a, _ *Dense, _ []float64) { Scale(d, -2.5, a) }, func(x, _, _, _ float64) float64 { return -2.5 * x }, ""},
	{"AddScaled", func(d, a, b *Dense, _ []float64) { AddScaled(d, a, -0.1, b) }, func(x, y, _, _ float64) float64 { return x + -0.1*y }, ""},
	{"MulElem", func(d, a, b *Dense, _ []float64) { MulElem(d, a, b) }, func(x, y, _, _ float64) float64 { return x * y }, ""},
	{"AddColVector", func(d, a, _ *Dense, v []float64) { AddColVector(d, a, v) }, func(x, _, vi, _ float64) float64 { return x + vi }, "col"},
	{"AddRowVector", func(d, a, _ *Dense, v []float64) { AddRowVector(d, a, v) }, func(x, _, _, vj float64) float64 { return x + vj }, "row"},
	{"ReLU", func(d, a, _ *Dense, _ []float64) { ReLU(d, a) }, func(x, _, _, _ float64) float64 { return max(0, x) }, ""},
	{"MaskPositive", func(d, a, b *Dense, _ []float64) { MaskPositive(d, a, b) }, func(x, y, _, _ float64) float64 {
		if y > 0 {
			return x
		}
		return 0
	}, ""},
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
			b.Set(0, 0, 0) // a zero h for MaskPositive
			var v []float64
			switch op.vec {
			case "col":
				v = randDense(rng, 1, r).data
			case "row":
				v = randDense(rng, 1, c).data
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
					var vi, vj float64
					if op.vec == "col" {
						vi = v[i]
					} else if op.vec == "row" {
						vj = v[j]
					}
					if got, want := dst.At(i, j), op.want(a0.At(i, j), b.At(i, j), vi, vj); got != want {
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
		{"Add", func() { Add(a, a, b) }, "matrix.Add: shape mismatch: 2×3 and 3×2"},
		{"Sub", func() { Sub(b, a, a) }, "matrix.Sub: shape mismatch: 3×2 and 2×3"},
		{"Scale", func() { Scale(a, 2, b) }, "matrix.Scale: shape mismatch"},
		{"AddScaled", func() { AddScaled(a, a, 2, b) }, "matrix.AddScaled: shape mismatch"},
		{"MulElem", func() { MulElem(a, b, a) }, "matrix.MulElem: shape mismatch"},
		{"ReLU", func() { ReLU(a, b) }, "matrix.ReLU: shape mismatch"},
		{"MaskPositive", func() { MaskPositive(a, a, b) }, "matrix.MaskPositive: shape mismatch"},
		{"AddColVector", func() { AddColVector(a, a, make([]float64, 3)) }, "matrix.AddColVector: vector of length 3 for a 2×3 matrix (want 2)"},
		{"AddRowVector", func() { AddRowVector(a, a, make([]float64, 2)) }, "matrix.AddRowVector: vector of length 2 for a 2×3 matrix (want 3)"},
		{"RowSums", func() { RowSums(make([]float64, 3), a) }, "matrix.RowSums: destination of length 3 for a 2×3 matrix (want 2)"},
		{"ColSums", func() { ColSums(make([]float64, 2), a) }, "matrix.ColSums: destination of length 2 for a 2×3 matrix (want 3)"},
		{"ArgmaxRows", func() { ArgmaxRows(make([]int, 3), a) }, "matrix.ArgmaxRows: destination of length 3 for a 2×3 matrix"},
		{"ArgmaxRows no columns", func() { ArgmaxRows(make([]int, 2), New(2, 0)) }, "matrix.ArgmaxRows:"},
		{"ArgmaxCols", func() { ArgmaxCols(make([]int, 2), a) }, "matrix.ArgmaxCols: destination of length 2 for a 2×3 matrix"},
		{"ArgmaxCols no rows", func() { ArgmaxCols(make([]int, 3), New(0, 3)) }, "matrix.ArgmaxCols:"},
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
		cs := []float64{99, 99, 99, 99} // overwritten, not added to
		ColSums(cs, x)
		if cs[0] != 2 || cs[1] != 4 || cs[2] != 0 || cs[3] != 10 {
			t.Errorf("ColSums = %v, want [2 4 0 10]", cs)
		}
		if s := SumSquares(x); s != 1+4+9+16+1+0+25+25+4+4+64+1 {
			t.Errorf("SumSquares = %v, want 154", s)
		}
		ar := make([]int, 3)
		ArgmaxRows(ar, x)
		if ar[0] != 3 || ar[1] != 2 || ar[2] != 0 { // row 1 ties at 5: the first wins
			t.Errorf("ArgmaxRows = %v, want [3 2 0]", ar)
		}
		ac := []int{7, 7, 7, 7}
		ArgmaxCols(ac, x)
		if ac[0] != 2 || ac[1] != 0 || ac[2] != 1 || ac[3] != 1 { // column 1 ties at 2: the first wins
			t.Errorf("ArgmaxCols = %v, want [2 0 1 1]", ac)
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
