package matrix

import "fmt"

// Dense is a row-major matrix of float64 with r rows and c columns. Element
// (i, j) is data[i*stride+j]; stride ≥ c (a view's stride is its matrix's,
// and New pads some rows, see rowStride).
type Dense struct {
	rows, cols, stride int
	data               []float64
}

// New returns a zeroed r×c matrix. Its rows are c values apart, or c + 16
// (two cache lines more) when c is a multiple of 512, such as an image's
// 3,072 values: rows a multiple of 4 KiB apart would all fall into one set
// of the L1 cache. It panics if r or c is negative.
func New(r, c int) *Dense {
	if r < 0 || c < 0 {
		panic(fmt.Sprintf("matrix.New: negative dimension %d×%d", r, c))
	}
	s := rowStride(c)
	return &Dense{rows: r, cols: c, stride: s, data: make([]float64, r*s)}
}

// rowStride returns the stride of a new matrix of c columns: c, or c +
// rowPad when c·8 bytes is a multiple of 4 KiB (c a multiple of 512, such
// as the 3,072 values of an image). A CPU's L1 cache picks the set of a line
// by the address bits 6–11, so rows a multiple of 4 KiB apart all fall into
// the same set, whose 8 to 12 ways then hold the lines of only so many rows:
// the dot kernel, which reads ten rows of W1 and of the images at once,
// would lose the lines it fetched before it used them. Rows rowPad values
// (two lines) further apart fall into different sets (measured: see
// docs/performance.md).
func rowStride(c int) int {
	if c > 0 && c*8%4096 == 0 {
		return c + rowPad
	}
	return c
}

// rowPad is the padding rowStride adds: two cache lines of 64 bytes.
const rowPad = 16

// Dims returns the number of rows and columns.
func (m *Dense) Dims() (r, c int) { return m.rows, m.cols }

// Rows returns the number of rows.
func (m *Dense) Rows() int { return m.rows }

// Cols returns the number of columns.
func (m *Dense) Cols() int { return m.cols }

// shape formats the dimensions for panic messages, e.g. "50×3072".
func (m *Dense) shape() string { return fmt.Sprintf("%d×%d", m.rows, m.cols) }

// At returns element (i, j). It panics if (i, j) is out of range.
func (m *Dense) At(i, j int) float64 {
	m.check("At", i, j)
	return m.data[i*m.stride+j]
}

// Set sets element (i, j) to v. It panics if (i, j) is out of range.
func (m *Dense) Set(i, j int, v float64) {
	m.check("Set", i, j)
	m.data[i*m.stride+j] = v
}

func (m *Dense) check(op string, i, j int) {
	if uint(i) >= uint(m.rows) || uint(j) >= uint(m.cols) {
		panic(fmt.Sprintf("matrix.%s: index (%d, %d) out of range for a %s matrix", op, i, j, m.shape()))
	}
}

// Row returns row i as a slice of length Cols() that shares memory with m.
// It panics if i is out of range.
func (m *Dense) Row(i int) []float64 {
	if uint(i) >= uint(m.rows) {
		panic(fmt.Sprintf("matrix.Row: row %d out of range for a %s matrix", i, m.shape()))
	}
	return m.data[i*m.stride : i*m.stride+m.cols : i*m.stride+m.cols]
}

// Slice returns the view of rows [i0, i1) and columns [j0, j1) of m: a
// (i1−i0)×(j1−j0) matrix sharing memory with m. It panics if the ranges are
// not within m.
func (m *Dense) Slice(i0, i1, j0, j1 int) *Dense {
	if i0 < 0 || i1 < i0 || i1 > m.rows || j0 < 0 || j1 < j0 || j1 > m.cols {
		panic(fmt.Sprintf("matrix.Slice: rows [%d,%d) columns [%d,%d) outside a %s matrix", i0, i1, j0, j1, m.shape()))
	}
	v := &Dense{rows: i1 - i0, cols: j1 - j0, stride: m.stride}
	if v.rows > 0 && v.cols > 0 {
		start := i0*m.stride + j0
		v.data = m.data[start : start+(v.rows-1)*m.stride+v.cols]
	}
	return v
}

// RowRange returns the view of rows [i0, i1) of m, all columns: with images
// stored one per row, a mini-batch. It panics if the range is not within m.
func (m *Dense) RowRange(i0, i1 int) *Dense { return m.Slice(i0, i1, 0, m.cols) }

// Copy copies src into m. It panics if the shapes differ.
func (m *Dense) Copy(src *Dense) {
	sameShape("Copy", m, src)
	for i := 0; i < m.rows; i++ {
		copy(m.Row(i), src.Row(i))
	}
}

// Clone returns a new copy of m, laid out as New lays out a matrix.
func (m *Dense) Clone() *Dense {
	c := New(m.rows, m.cols)
	c.Copy(m)
	return c
}

// sameShape panics unless every matrix in ms has the shape of d.
func sameShape(op string, d *Dense, ms ...*Dense) {
	for _, m := range ms {
		if m.rows != d.rows || m.cols != d.cols {
			panic(fmt.Sprintf("matrix.%s: shape mismatch: %s and %s", op, d.shape(), m.shape()))
		}
	}
}
