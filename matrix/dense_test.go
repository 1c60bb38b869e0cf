package matrix

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// seq returns an r×c matrix with element (i, j) = 10·i + j, easy to recognise.
func seq(r, c int) *Dense {
	m := New(r, c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, float64(10*i+j))
		}
	}
	return m
}

func TestNewAndAccessors(t *testing.T) {
	m := New(3, 4)
	if r, c := m.Dims(); r != 3 || c != 4 || m.Rows() != 3 || m.Cols() != 4 || m.stride != 4 {
		t.Fatalf("New(3, 4): Dims %d×%d, Rows %d, Cols %d, stride %d", r, c, m.Rows(), m.Cols(), m.stride)
	}
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			if m.At(i, j) != 0 {
				t.Fatalf("New: element (%d, %d) = %v, want 0", i, j, m.At(i, j))
			}
		}
	}
	m.Set(2, 3, 7)
	if m.At(2, 3) != 7 || m.data[2*4+3] != 7 {
		t.Errorf("Set(2, 3, 7) then At = %v, data = %v", m.At(2, 3), m.data)
	}
	if e := New(0, 5); e.Rows() != 0 || e.Cols() != 5 {
		t.Errorf("New(0, 5) is %s", e.shape())
	}
}

func TestDensePanics(t *testing.T) {
	m := New(3, 4)
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"New negative", func() { New(-1, 2) }, "matrix.New: negative dimension -1×2"},
		{"At row", func() { m.At(3, 0) }, "matrix.At: index (3, 0) out of range for a 3×4 matrix"},
		{"At negative", func() { m.At(0, -1) }, "matrix.At: index (0, -1) out of range"},
		{"Set column", func() { m.Set(0, 4, 1) }, "matrix.Set: index (0, 4) out of range for a 3×4 matrix"},
		{"Row", func() { m.Row(3) }, "matrix.Row: row 3 out of range for a 3×4 matrix"},
		{"Slice", func() { m.Slice(0, 4, 0, 1) }, "matrix.Slice: rows [0,4) columns [0,1) outside a 3×4 matrix"},
		{"Slice reversed", func() { m.Slice(2, 1, 0, 1) }, "matrix.Slice:"},
		{"RowRange", func() { m.RowRange(1, 5) }, "matrix.Slice: rows [1,5)"},
		{"Copy", func() { m.Copy(New(4, 3)) }, "matrix.Copy: shape mismatch: 3×4 and 4×3"},
	}
	for _, tc := range cases {
		msg := panicMessage(tc.f)
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s: panic %q, want it to contain %q", tc.name, msg, tc.want)
		}
	}
}

func TestViewsShareMemory(t *testing.T) {
	m := seq(5, 6)
	v := m.Slice(1, 4, 2, 5) // rows 1..3, columns 2..4
	if r, c := v.Dims(); r != 3 || c != 3 || v.stride != 6 {
		t.Fatalf("Slice(1, 4, 2, 5) is %d×%d with stride %d, want 3×3 with stride 6", r, c, v.stride)
	}
	if v.At(0, 0) != 12 || v.At(2, 2) != 34 {
		t.Errorf("Slice: At(0, 0) = %v, At(2, 2) = %v, want 12 and 34", v.At(0, 0), v.At(2, 2))
	}
	v.Set(1, 1, -1)
	if m.At(2, 3) != -1 {
		t.Error("writing through a Slice view did not change the matrix")
	}
	// A view of a view.
	vv := v.Slice(1, 3, 1, 3)
	if vv.At(1, 1) != 34 {
		t.Errorf("Slice of a Slice: At(1, 1) = %v, want 34", vv.At(1, 1))
	}
	// Row returns the row, sharing memory, with its capacity cut at the width.
	r := m.Row(2)
	if len(r) != 6 || cap(r) != 6 || r[0] != 20 {
		t.Errorf("Row(2) = %v (cap %d)", r, cap(r))
	}
	vr := v.Row(2)
	if len(vr) != 3 || cap(vr) != 3 || vr[0] != 32 {
		t.Errorf("view Row(2) = %v (cap %d), want [32 33 34] with cap 3", vr, cap(vr))
	}
	r[5] = 99
	if m.At(2, 5) != 99 {
		t.Error("writing through Row did not change the matrix")
	}
	// RowRange is a mini-batch: all columns of a range of rows.
	b := m.RowRange(3, 5)
	if b.Rows() != 2 || b.Cols() != 6 || b.At(1, 4) != 44 {
		t.Errorf("RowRange(3, 5): %s, At(1, 4) = %v", b.shape(), b.At(1, 4))
	}
	// Empty views are valid.
	for _, e := range []*Dense{m.Slice(2, 2, 0, 6), m.Slice(0, 5, 3, 3), m.RowRange(5, 5)} {
		if e.Rows()*e.Cols() != 0 {
			t.Errorf("empty view is %s", e.shape())
		}
	}
}

func TestCopyClone(t *testing.T) {
	m := seq(4, 5)
	v := m.Slice(1, 3, 1, 4)
	// Copy into a view leaves the rest of the matrix alone.
	v.Copy(seq(2, 3))
	want := seq(4, 5)
	for i := 0; i < 2; i++ {
		for j := 0; j < 3; j++ {
			want.Set(1+i, 1+j, float64(10*i+j))
		}
	}
	if !Equal(m, want) {
		t.Errorf("Copy into a view: got %v, want %v", m.data, want.data)
	}
	// Clone is contiguous and independent.
	c := v.Clone()
	if c.stride != 3 || !Equal(c, v) {
		t.Errorf("Clone of a view: stride %d, equal %v", c.stride, Equal(c, v))
	}
	c.Set(0, 0, 100)
	if v.At(0, 0) == 100 {
		t.Error("Clone shares memory with its source")
	}
}

// Test helpers: the program has no use for these, the tests of this package
// do.

// NewFromData returns an r×c matrix that uses data (row-major, len r·c) as
// its storage, without copying. It panics if len(data) ≠ r·c.
func NewFromData(r, c int, data []float64) *Dense {
	if r < 0 || c < 0 || len(data) != r*c {
		panic(fmt.Sprintf("NewFromData: %d values for a %d×%d matrix", len(data), r, c))
	}
	return &Dense{rows: r, cols: c, stride: c, data: data}
}

// Equal reports whether a and b have the same shape and equal elements
// (NaNs compare unequal).
func Equal(a, b *Dense) bool {
	if a.rows != b.rows || a.cols != b.cols {
		return false
	}
	for i := 0; i < a.rows; i++ {
		ra, rb := a.Row(i), b.Row(i)
		for j := range ra {
			if ra[j] != rb[j] {
				return false
			}
		}
	}
	return true
}

func TestTestHelpers(t *testing.T) {
	data := []float64{1, 2, 3, 4, 5, 6}
	d := NewFromData(2, 3, data)
	if d.At(1, 0) != 4 {
		t.Errorf("NewFromData: At(1, 0) = %v, want 4", d.At(1, 0))
	}
	d.Set(0, 0, -1)
	if data[0] != -1 {
		t.Error("NewFromData copied its data; it should use it")
	}
	if Equal(New(2, 3), New(3, 2)) {
		t.Error("Equal: 2×3 and 3×2 are equal")
	}
	a, b := seq(2, 2), seq(2, 2)
	if !Equal(a, b) {
		t.Error("Equal: equal matrices differ")
	}
	b.Set(1, 1, 12)
	if Equal(a, b) {
		t.Error("Equal: different values are equal")
	}
	a.Set(0, 0, math.NaN())
	if Equal(a, a) {
		t.Error("Equal: a matrix with a NaN equals itself")
	}
}

// TestNewPadsRows checks the layout New chooses (rowStride): rows of a
// multiple of 512 values get two cache lines more, others none, and the
// padding stays invisible: rows, views and products see only the columns.
func TestNewPadsRows(t *testing.T) {
	for _, tc := range []struct{ cols, stride int }{{0, 0}, {1, 1}, {100, 100}, {511, 511}, {512, 528}, {1024, 1040}, {3072, 3088}, {3073, 3073}} {
		m := New(3, tc.cols)
		if m.stride != tc.stride {
			t.Errorf("New(3, %d): stride %d, want %d", tc.cols, m.stride, tc.stride)
		}
		if tc.cols > 0 {
			if r := m.Row(1); len(r) != tc.cols || cap(r) != tc.cols {
				t.Errorf("New(3, %d).Row(1): len %d cap %d, want %d", tc.cols, len(r), cap(r), tc.cols)
			}
		}
	}
	// A·Bᵀ and A·B on padded operands (the dot path and the kernel path),
	// against the triple loop.
	rng := rand.New(rand.NewPCG(3, 4))
	a, b := randDense(rng, 12, 512), randDense(rng, 7, 512)
	c := New(12, 7)
	MulABt(c, a, b)
	checkClose(t, "padded A·Bᵀ", c, NoTrans, Trans, 1, a, b, 0, New(12, 7))
	d := randDense(rng, 512, 1024)
	e := New(12, 1024)
	Gemm(NoTrans, NoTrans, 0.5, a, d, 0, e)
	checkClose(t, "padded A·B", e, NoTrans, NoTrans, 0.5, a, d, 0, New(12, 1024))
}
