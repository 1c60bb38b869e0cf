package cifar

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file reads the MATLAB version of CIFAR-10 (cifar-10-batches-mat): each
// batch is a MAT-file of version 5 holding the variables data (uint8,
// n×3072), labels (uint8, n×1) and batch_label (text); batches.meta.mat holds
// label_names, a cell array of text. The format, from MathWorks' "MAT-File
// Format" (the Level 5 chapter):
//
//   - a 128-byte header: text starting "MATLAB 5.0 MAT-file", then at byte
//     124 the version 0x0100 and the characters "IM" (little-endian file) or
//     "MI" (big-endian), written as one 16-bit number in the file's order;
//   - then data elements: an 8-byte tag (type, size in bytes: two uint32 in
//     the file's order) followed by the data, padded to a multiple of 8
//     bytes. A small element (at most 4 bytes of data) packs the size into
//     the upper 16 bits of the tag's first word and the data into its
//     second;
//   - a variable is a miMATRIX element whose data is itself elements: the
//     array flags (the class in the low byte), the dimensions (int32), the
//     name (int8) and the real part: the numbers in column-major order, in
//     any numeric type (a uint8 array is stored as miUINT8). A cell array
//     holds one miMATRIX per cell instead;
//   - a miCOMPRESSED element (MAT-files of version 7) holds one element
//     compressed with zlib; it is not padded.

// Data types of MAT-file elements.
const (
	miINT8       = 1
	miUINT8      = 2
	miINT16      = 3
	miUINT16     = 4
	miINT32      = 5
	miUINT32     = 6
	miSINGLE     = 7
	miDOUBLE     = 9
	miINT64      = 12
	miUINT64     = 13
	miMATRIX     = 14
	miCOMPRESSED = 15
	miUTF8       = 16
	miUTF16      = 17
	miUTF32      = 18
)

// Array classes of MAT-file variables (the numeric ones are mxDOUBLE to
// mxUINT64).
const (
	mxCELL   = 1
	mxCHAR   = 4
	mxDOUBLE = 6
	mxUINT64 = 15
)

// matMaxInflate bounds how many times its size a compressed element may
// grow: deflate can shrink a run of zeros a thousandfold, but CIFAR-10's
// images do not compress below about two thirds, so a file that would
// inflate further is refused before it takes the memory.
const matMaxInflate = 64

// matElement is a data element: its type and its data (a view of the file
// or of an inflated element).
type matElement struct {
	typ  uint32
	data []byte
}

// matArray is a variable, or a cell of a cell array.
type matArray struct {
	class   byte
	complex bool
	dims    []int
	name    string
	real    matElement  // the real part (numbers or characters)
	cells   []*matArray // a cell array's cells, column-major
}

// matReader reads the elements of one MAT-file.
type matReader struct {
	order  binary.ByteOrder
	budget int // how many more bytes compressed elements may inflate to
}

// matVariables returns the variables of the MAT-file data by name.
func matVariables(data []byte) (map[string]*matArray, *matReader, error) {
	r, err := matHeader(data)
	if err != nil {
		return nil, nil, err
	}
	vars := map[string]*matArray{}
	for pos := 128; pos < len(data); {
		start := pos
		el, next, err := r.element(data, pos)
		if err != nil {
			return nil, nil, fmt.Errorf("MAT-file: at byte %d: %w", start, err)
		}
		pos = next // top-level elements are not padded beyond their size
		if el.typ == miCOMPRESSED {
			if el, err = r.inflate(el.data); err != nil {
				return nil, nil, fmt.Errorf("MAT-file: the compressed element at byte %d: %w", start, err)
			}
		}
		if el.typ != miMATRIX {
			continue // not a variable
		}
		a, err := r.matrix(el.data, false)
		if err != nil {
			return nil, nil, fmt.Errorf("MAT-file: the variable at byte %d: %w", start, err)
		}
		if _, dup := vars[a.name]; !dup {
			vars[a.name] = a
		}
	}
	return vars, r, nil
}

// matHeader checks the 128-byte header of a MAT-file v5 and returns a reader
// in the file's byte order.
func matHeader(data []byte) (*matReader, error) {
	const text = "MATLAB 5.0 MAT-file"
	switch {
	case strings.HasPrefix(string(data[:min(len(data), 19)]), "MATLAB 7.3 MAT-file"):
		return nil, errors.New("a MAT-file of version 7.3 (HDF5), which is not read here; in MATLAB, save it again with -v7")
	case !strings.HasPrefix(string(data[:min(len(data), len(text))]), text):
		return nil, fmt.Errorf("not a MAT-file of version 5 to 7 (the file does not start with %q)", text)
	case len(data) < 128:
		return nil, fmt.Errorf("MAT-file of %d bytes, shorter than its 128-byte header (truncated file?)", len(data))
	}
	r := &matReader{budget: matMaxInflate*len(data) + 1<<20}
	switch string(data[126:128]) {
	case "IM":
		r.order = binary.LittleEndian
	case "MI":
		r.order = binary.BigEndian
	default:
		return nil, fmt.Errorf("MAT-file header: endian indicator %q, want \"IM\" or \"MI\"", data[126:128])
	}
	if v := r.order.Uint16(data[124:]); v != 0x0100 {
		return nil, fmt.Errorf("MAT-file header: version 0x%04x, want 0x0100", v)
	}
	return r, nil
}

// element reads the data element at b[pos:] and returns it and the offset
// just past its data (not padded).
func (r *matReader) element(b []byte, pos int) (matElement, int, error) {
	if len(b)-pos < 8 {
		return matElement{}, 0, fmt.Errorf("a data element needs an 8-byte tag, %d bytes remain (truncated file?)", len(b)-pos)
	}
	w := r.order.Uint32(b[pos:])
	if n := int(w >> 16); n != 0 { // a small data element
		if n > 4 {
			return matElement{}, 0, fmt.Errorf("a small data element of %d bytes; at most 4 fit", n)
		}
		return matElement{typ: w & 0xffff, data: b[pos+4 : pos+4+n : pos+4+n]}, pos + 8, nil
	}
	n := uint64(r.order.Uint32(b[pos+4:]))
	if n > uint64(len(b)-pos-8) {
		return matElement{}, 0, fmt.Errorf("a data element declares %d bytes, %d remain (truncated file?)", n, len(b)-pos-8)
	}
	end := pos + 8 + int(n)
	return matElement{typ: w, data: b[pos+8 : end : end]}, end, nil
}

// inflate returns the element compressed in z (zlib). The memory it takes
// grows with the bytes that actually come out, up to r.budget.
func (r *matReader) inflate(z []byte) (matElement, error) {
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		return matElement{}, fmt.Errorf("not zlib data (%v)", err)
	}
	var tag [8]byte
	if _, err := io.ReadFull(zr, tag[:]); err != nil {
		return matElement{}, fmt.Errorf("inflating its tag: %v (corrupted file?)", err)
	}
	typ, n := r.order.Uint32(tag[:]), int64(r.order.Uint32(tag[4:]))
	switch {
	case typ>>16 != 0:
		return matElement{}, errors.New("it holds a small data element, want a variable")
	case typ == miCOMPRESSED:
		return matElement{}, errors.New("it holds a compressed element inside the compressed element, want a variable")
	}
	if n > int64(r.budget) {
		return matElement{}, fmt.Errorf("it declares %d bytes, more than %d times the file's size: not a CIFAR-10 batch", n, matMaxInflate)
	}
	data, err := readUpTo(zr, n+1, 4*len(z)+1<<20) // n+1: reach the end, where zlib checks its checksum
	switch {
	case err != nil:
		return matElement{}, fmt.Errorf("inflating it: %v (corrupted file?)", err)
	case int64(len(data)) < n:
		return matElement{}, fmt.Errorf("it inflates to %d of the %d bytes it declares (truncated file?)", len(data), n)
	case int64(len(data)) > n:
		return matElement{}, fmt.Errorf("it inflates to more than the %d bytes it declares", n)
	}
	r.budget -= len(data)
	return matElement{typ: typ, data: data}, nil
}

// readUpTo reads r to its end, but no more than limit bytes, into a buffer
// of capacity guess at first (images compress little, so four times the
// compressed size is plenty), grown only as the data comes in.
func readUpTo(r io.Reader, limit int64, guess int) ([]byte, error) {
	r = io.LimitReader(r, limit)
	data := make([]byte, 0, min(limit, int64(guess)))
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // let append grow it
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return data, err
		}
	}
}

// matrix reads the data b of a miMATRIX element: a variable or, when inCell,
// a cell of a cell array (which may not be a cell array itself).
func (r *matReader) matrix(b []byte, inCell bool) (*matArray, error) {
	a := &matArray{}
	if len(b) == 0 { // an empty cell
		return a, nil
	}
	var sub [3]matElement // array flags, dimensions, name
	pos := 0
	for k := range sub {
		el, next, err := r.element(b, pos)
		if err != nil {
			return nil, err
		}
		sub[k], pos = el, min(pad8(next), len(b))
	}
	flags, dims, name := sub[0], sub[1], sub[2]
	if flags.typ != miUINT32 || len(flags.data) != 8 {
		return nil, fmt.Errorf("its array flags are %d bytes of type %d, want 8 of type miUINT32", len(flags.data), flags.typ)
	}
	f := r.order.Uint32(flags.data)
	a.class, a.complex = byte(f), f&0x800 != 0
	if dims.typ != miINT32 || len(dims.data)%4 != 0 || len(dims.data) < 8 || len(dims.data) > 4*32 {
		return nil, fmt.Errorf("its dimensions are %d bytes of type %d, want 2 to 32 int32", len(dims.data), dims.typ)
	}
	for i := 0; i < len(dims.data); i += 4 {
		d := int32(r.order.Uint32(dims.data[i:]))
		if d < 0 {
			return nil, fmt.Errorf("it has a negative dimension %d", d)
		}
		a.dims = append(a.dims, int(d))
	}
	if name.typ != miINT8 && name.typ != miUTF8 {
		return nil, fmt.Errorf("its name is of type %d, want miINT8", name.typ)
	}
	a.name = string(name.data)
	switch {
	case a.class == mxCELL:
		if inCell {
			return nil, fmt.Errorf("%s holds a cell array inside a cell array; CIFAR-10's hold text", shortQuote(a.name))
		}
		n, ok := product(a.dims, 8, len(b)-pos) // each cell takes at least 8 bytes
		if !ok {
			return nil, fmt.Errorf("cell array %s of %v cells does not fit in its %d bytes", shortQuote(a.name), a.dims, len(b)-pos)
		}
		for range n / 8 {
			el, next, err := r.element(b, pos)
			if err != nil {
				return nil, fmt.Errorf("cell array %s: %w", shortQuote(a.name), err)
			}
			pos = min(pad8(next), len(b))
			if el.typ != miMATRIX {
				return nil, fmt.Errorf("cell array %s holds an element of type %d, want miMATRIX", shortQuote(a.name), el.typ)
			}
			cell, err := r.matrix(el.data, true)
			if err != nil {
				return nil, err
			}
			a.cells = append(a.cells, cell)
		}
	case a.class == mxCHAR || (a.class >= mxDOUBLE && a.class <= mxUINT64):
		el, _, err := r.element(b, pos)
		if err != nil {
			return nil, fmt.Errorf("%s: its real part: %w", shortQuote(a.name), err)
		}
		a.real = el
	}
	// other classes (struct, object, sparse, ...) are kept by name only
	return a, nil
}

// pad8 rounds n up to a multiple of 8.
func pad8(n int) int { return (n + 7) &^ 7 }

// matTypeSize returns the size in bytes of a number of the numeric data type
// typ, or 0 if typ is not numeric.
func matTypeSize(typ uint32) int {
	switch typ {
	case miINT8, miUINT8:
		return 1
	case miINT16, miUINT16:
		return 2
	case miINT32, miUINT32, miSINGLE:
		return 4
	case miDOUBLE, miINT64, miUINT64:
		return 8
	}
	return 0
}

// number returns element i of the numbers e.
func (r *matReader) number(e matElement, i int) float64 {
	d := e.data
	switch e.typ {
	case miINT8:
		return float64(int8(d[i]))
	case miUINT8:
		return float64(d[i])
	case miINT16:
		return float64(int16(r.order.Uint16(d[2*i:])))
	case miUINT16:
		return float64(r.order.Uint16(d[2*i:]))
	case miINT32:
		return float64(int32(r.order.Uint32(d[4*i:])))
	case miUINT32:
		return float64(r.order.Uint32(d[4*i:]))
	case miSINGLE:
		return float64(math.Float32frombits(r.order.Uint32(d[4*i:])))
	case miDOUBLE:
		return math.Float64frombits(r.order.Uint64(d[8*i:]))
	case miINT64:
		return float64(int64(r.order.Uint64(d[8*i:])))
	case miUINT64:
		return float64(r.order.Uint64(d[8*i:]))
	}
	panic("cifar: matReader.number: not a numeric type")
}

// bytesOf returns the numbers of the numeric array a as bytes, in its
// column-major order, each checked to be an integer in 0..max (what is says:
// "pixel values" or "labels"). A uint8 array is returned without a copy.
func (r *matReader) bytesOf(a *matArray, max int, what string) ([]byte, error) {
	size := matTypeSize(a.real.typ)
	if a.class < mxDOUBLE || a.class > mxUINT64 || a.complex || size == 0 {
		return nil, fmt.Errorf("%s is not an array of real numbers (class %d, type %d)", shortQuote(a.name), a.class, a.real.typ)
	}
	n, ok := product(a.dims, size, len(a.real.data))
	if !ok || n != len(a.real.data) {
		return nil, fmt.Errorf("%s of dimensions %v and type %d %s", shortQuote(a.name), a.dims, a.real.typ, sizeMismatch(n, ok, len(a.real.data)))
	}
	if a.real.typ == miUINT8 {
		for i, v := range a.real.data {
			if int(v) > max {
				return nil, fmt.Errorf("element %d of %s is %d; %s must be integers 0..%d", i, shortQuote(a.name), v, what, max)
			}
		}
		return a.real.data, nil
	}
	out := make([]byte, n/size)
	for i := range out {
		v := r.number(a.real, i)
		if !(v >= 0 && v <= float64(max) && v == math.Trunc(v)) {
			return nil, fmt.Errorf("element %d of %s is %v; %s must be integers 0..%d", i, shortQuote(a.name), v, what, max)
		}
		out[i] = byte(v)
	}
	return out, nil
}

// text returns the rows of the character array a, each without its
// trailing spaces (MATLAB pads the rows of a character matrix).
func (r *matReader) text(a *matArray) ([]string, error) {
	if a.class != mxCHAR {
		return nil, fmt.Errorf("%s is of class %d, want text (class %d)", shortQuote(a.name), a.class, mxCHAR)
	}
	d := a.real.data
	var chars []rune
	switch a.real.typ {
	case miUTF8:
		if !utf8.Valid(d) {
			return nil, fmt.Errorf("the text %s is not valid UTF-8", shortQuote(a.name))
		}
		chars = []rune(string(d))
	case miUINT8, miINT8:
		for _, c := range d {
			chars = append(chars, rune(c))
		}
	case miUINT16, miUTF16:
		units := make([]uint16, len(d)/2)
		for i := range units {
			units[i] = r.order.Uint16(d[2*i:])
		}
		chars = utf16.Decode(units)
	default:
		return nil, fmt.Errorf("the text %s is stored as type %d, want characters", shortQuote(a.name), a.real.typ)
	}
	if len(a.dims) != 2 {
		return nil, fmt.Errorf("the text %s has %d dimensions, want 2", shortQuote(a.name), len(a.dims))
	}
	rows, cols := a.dims[0], a.dims[1]
	if n, ok := product(a.dims, 1, len(chars)); !ok || n != len(chars) {
		return nil, fmt.Errorf("the text %s of dimensions %v holds %d characters", shortQuote(a.name), a.dims, len(chars))
	}
	lines := make([]string, rows)
	line := make([]rune, cols)
	for i := range rows {
		for j := range cols {
			line[j] = chars[j*rows+i]
		}
		lines[i] = strings.TrimRight(string(line), " ")
	}
	return lines, nil
}

// matRecords decodes a CIFAR-10 batch in a MAT-file, whose "data" is an
// n×3072 array of pixel values and whose "labels" holds n labels in 0..9,
// into n records of the binary version.
func matRecords(data []byte) ([]byte, error) {
	vars, r, err := matVariables(data)
	if err != nil {
		return nil, err
	}
	d, l := vars["data"], vars["labels"]
	if d == nil || l == nil {
		return nil, fmt.Errorf("the MAT-file lacks the variable \"data\" or \"labels\" (it holds %s): not a CIFAR-10 batch", varList(vars))
	}
	if len(d.dims) != 2 || d.dims[1] != ImageSize || d.dims[0] == 0 {
		return nil, fmt.Errorf("the MAT-file's \"data\" has dimensions %v, want n×%d with n ≥ 1", d.dims, ImageSize)
	}
	pixels, err := r.bytesOf(d, 255, "pixel values")
	if err != nil {
		return nil, fmt.Errorf("the MAT-file's %w", err)
	}
	n := d.dims[0]
	if m, ok := product(l.dims, 1, n); !ok || m != n || len(l.dims) != 2 || (l.dims[0] != 1 && l.dims[1] != 1) {
		return nil, fmt.Errorf("the MAT-file's \"labels\" has dimensions %v, want %d×1 (one per image)", l.dims, n)
	}
	labels, err := r.bytesOf(l, NumClasses-1, "labels")
	if err != nil {
		return nil, fmt.Errorf("the MAT-file's %w", err)
	}
	return makeRecords(labels, pixels, true), nil
}

// matClassNames returns the "label_names" of batches.meta.mat: a cell array
// of text, or a character matrix with one name per row.
func matClassNames(data []byte) ([]string, error) {
	vars, r, err := matVariables(data)
	if err != nil {
		return nil, err
	}
	a := vars["label_names"]
	if a == nil {
		return nil, fmt.Errorf("the MAT-file lacks the variable \"label_names\" (it holds %s)", varList(vars))
	}
	if a.class != mxCELL {
		return r.text(a)
	}
	names := make([]string, len(a.cells))
	for i, c := range a.cells {
		lines, err := r.text(c)
		if err != nil {
			return nil, err
		}
		names[i] = strings.Join(lines, " ")
	}
	return names, nil
}

// varList lists up to 8 variable names, for messages.
func varList(vars map[string]*matArray) string {
	var names []string
	for name := range vars {
		names = append(names, shortQuote(name))
	}
	if len(names) == 0 {
		return "none"
	}
	slices.Sort(names)
	if len(names) > 8 {
		names = append(names[:8], "…")
	}
	return strings.Join(names, ", ")
}
