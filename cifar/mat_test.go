package cifar

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The MAT-files under testdata/ are written by testdata/make_formats.py;
// each holds the images and labels of a file of testdata/tiny/.

func TestMatVariants(t *testing.T) {
	for _, tc := range []struct{ file, bin string }{
		{"tiny-mat/data_batch_1.mat", "data_batch_1.bin"}, // scipy, compressed, little-endian
		{"tiny-mat/data_batch_3.mat", "data_batch_3.bin"},
		{"tiny-mat/test_batch.mat", "test_batch.bin"},
		{"mat/scipy-v5.mat", "data_batch_1.bin"},            // scipy, not compressed, small elements
		{"mat/scipy-double-labels.mat", "data_batch_1.bin"}, // labels stored as miDOUBLE
		{"mat/big-endian.mat", "data_batch_1.bin"},          // big-endian; compressed and plain; labels miUINT8 in a double array
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := toRecords(tc.file, data, sniff(data))
			if err != nil {
				t.Fatal(err)
			}
			want := tinyRecordsOf(t, tc.bin)
			if !bytes.Equal(got, want) {
				t.Fatalf("%d bytes of records differ from testdata/tiny/%s", len(got), tc.bin)
			}
			b, err := LoadBatch(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if !holdsRecords(b, want) {
				t.Errorf("LoadBatch's labels or pixel bytes differ from the records of testdata/tiny/%s", tc.bin)
			}
		})
	}
}

func TestMatClassNames(t *testing.T) {
	want := parseClassNames(tinyMeta)
	for _, file := range []string{"tiny-mat/batches.meta.mat", "mat/meta-big-endian.mat"} {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		names, err := matClassNames(data)
		if err != nil || !slices.Equal(names, want) {
			t.Errorf("%s: class names %q, %v; want %q", file, names, err, want)
		}
	}
}

// matBuilder assembles MAT-files by hand, in one byte order.
type matBuilder struct {
	o interface {
		binary.ByteOrder
		binary.AppendByteOrder
	}
}

var (
	matLE = matBuilder{binary.LittleEndian}
	matBE = matBuilder{binary.BigEndian}
)

func (m matBuilder) header() string {
	h := make([]byte, 128)
	copy(h, "MATLAB 5.0 MAT-file, written by a test")
	m.o.PutUint16(h[124:], 0x0100)
	m.o.PutUint16(h[126:], 'M'<<8|'I')
	return string(h)
}

// element is a data element, padded to 8 bytes.
func (m matBuilder) element(typ uint32, data string) string {
	b := m.o.AppendUint32(nil, typ)
	b = m.o.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	return string(b) + strings.Repeat("\x00", -len(data)&7)
}

// tag is an element's tag alone, declaring size bytes.
func (m matBuilder) tag(typ, size uint32) string {
	return string(m.o.AppendUint32(m.o.AppendUint32(nil, typ), size))
}

func (m matBuilder) u32s(v ...uint32) string {
	var b []byte
	for _, x := range v {
		b = m.o.AppendUint32(b, x)
	}
	return string(b)
}

// matrix is a miMATRIX element: array flags, dimensions, name, then body
// (the real part, or the cells).
func (m matBuilder) matrix(name string, flags uint32, dims []uint32, body string) string {
	content := m.element(miUINT32, m.u32s(flags, 0)) + m.element(miINT32, m.u32s(dims...)) + m.element(miINT8, name) + body
	return m.element(miMATRIX, content)
}

// uint8s is a uint8 matrix called name of dims with the bytes data.
func (m matBuilder) uint8s(name string, dims []uint32, data string) string {
	return m.matrix(name, 9, dims, m.element(miUINT8, data))
}

func (m matBuilder) compressed(el string) string {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write([]byte(el))
	w.Close()
	return m.tag(miCOMPRESSED, uint32(z.Len())) + z.String()
}

// goodMat is a valid MAT-file of one image with label 3, and its records.
var goodMat = matLE.header() + matLE.uint8s("data", []uint32{1, ImageSize}, onePixels) + matLE.uint8s("labels", []uint32{1, 1}, "\x03")

func TestMatHandMade(t *testing.T) {
	for _, data := range []string{goodMat, matBE.header() + matBE.compressed(matBE.uint8s("labels", []uint32{1, 1}, "\x03")) + matBE.compressed(matBE.uint8s("data", []uint32{1, ImageSize}, onePixels))} {
		rec, err := matRecords([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		if rec[0] != 3 || string(rec[1:]) != onePixels {
			t.Errorf("the hand-made MAT-file decodes to label %d and other pixels", rec[0])
		}
	}
}

// zlibOf is data compressed with zlib.
func zlibOf(data string) string {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write([]byte(data))
	w.Close()
	return z.String()
}

var (
	m        = matLE
	oneLabel = m.uint8s("labels", []uint32{1, 1}, "\x03")
	oneImage = m.uint8s("data", []uint32{1, ImageSize}, onePixels)
	// a cell array of one cell array of one character
	cellInCell = m.matrix("label_names", mxCELL, []uint32{1, 1},
		m.matrix("", mxCELL, []uint32{1, 1}, m.matrix("", mxCHAR, []uint32{1, 1}, m.element(miUTF8, "a"))))
)

// hostileMats returns files that must each end in one clear error: name,
// bytes, whether to read them as class names (batches.meta.mat) rather than
// a batch, a part of the message.
func hostileMats() []hostileMat {
	// a compressed element that honestly declares 16 MB of zeros, in 16 KB
	zeroBomb := zlibOf(m.tag(miMATRIX, 16<<20) + strings.Repeat("\x00", 16<<20))
	return []hostileMat{
		{"empty", "", false, `does not start with "MATLAB 5.0 MAT-file"`},
		{"not a MAT-file", "<html>", false, "not a MAT-file"},
		{"version 7.3", "MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00", false, "version 7.3 (HDF5)"},
		{"header cut", m.header()[:100], false, "shorter than its 128-byte header"},
		{"endian indicator", m.header()[:126] + "XX", false, `endian indicator "XX"`},
		{"version 2", m.header()[:124] + "\x00\x02IM", false, "version 0x0200"},
		{"element of 4 GB", m.header() + m.tag(miMATRIX, 0xfffffff0) + "abc", false, "at byte 128: a data element declares 4294967280 bytes, 3 remain"},
		{"tag cut", m.header() + "\x0e\x00\x00", false, "needs an 8-byte tag, 3 bytes remain"},
		{"small element of 7 bytes", m.header() + m.element(miMATRIX, m.u32s(7<<16|miUINT32, 0)), false, "small data element of 7 bytes"},
		{"flags of the wrong type", m.header() + m.element(miMATRIX, m.element(miINT8, "12345678")+m.element(miINT32, m.u32s(1, 1))+m.element(miINT8, "x")), false, "array flags are 8 bytes of type 1"},
		{"one dimension", m.header() + m.matrix("data", 9, []uint32{5}, m.element(miUINT8, "12345")), false, "want 2 to 32 int32"},
		{"negative dimension", m.header() + m.matrix("data", 9, []uint32{0xffffffff, 1}, ""), false, "negative dimension -1"},
		{"name of type double", m.header() + m.element(miMATRIX, m.element(miUINT32, m.u32s(9, 0))+m.element(miINT32, m.u32s(1, 1))+m.element(miDOUBLE, "12345678")), false, "name is of type 9"},
		{"dims of 2^31 images", m.header() + m.uint8s("data", []uint32{1<<31 - 1, ImageSize}, onePixels) + oneLabel, false, "needs more than the 3072 bytes of data it has"},
		{"dims and data disagree", m.header() + m.uint8s("data", []uint32{1, ImageSize}, onePixels[:100]) + oneLabel, false, "needs more than the 100 bytes of data it has"},
		{"real part cut", m.header() + m.matrix("data", 9, []uint32{1, ImageSize}, m.tag(miUINT8, ImageSize)), false, "its real part: a data element declares 3072 bytes, 0 remain"},
		{"compressed bomb declared", m.header() + m.tag(miCOMPRESSED, 20) + zlibOf(m.tag(miMATRIX, 0xffffffff)), false, "declares 4294967295 bytes, more than 64 times the file's size"},
		{"compressed bomb of zeros", m.header() + m.tag(miCOMPRESSED, uint32(len(zeroBomb))) + zeroBomb, false, "declares 16777216 bytes, more than 64 times"},
		{"compressed shorter than declared", m.header() + m.tag(miCOMPRESSED, uint32(len(zlibOf(m.tag(miMATRIX, 100)+"abc")))) + zlibOf(m.tag(miMATRIX, 100)+"abc"), false, "inflates to 3 of the 100 bytes it declares"},
		{"compressed longer than declared", m.header() + m.tag(miCOMPRESSED, uint32(len(zlibOf(m.tag(miMATRIX, 1)+"abc")))) + zlibOf(m.tag(miMATRIX, 1)+"abc"), false, "inflates to more than the 1 bytes it declares"},
		{"compressed garbage", m.header() + m.element(miCOMPRESSED, "not zlib at all"), false, "not zlib data"},
		{"compressed stream cut", m.header() + m.tag(miCOMPRESSED, 30) + zlibOf(oneImage)[:30], false, "(corrupted file?)"},
		{"compressed checksum", m.header() + m.tag(miCOMPRESSED, uint32(len(zlibOf(oneImage)))) + zlibOf(oneImage)[:len(zlibOf(oneImage))-1] + "\x00", false, "checksum"},
		{"compressed inside compressed", m.header() + m.compressed(m.compressed(oneImage)), false, "a compressed element inside the compressed element"},
		{"cell inside cell", m.header() + cellInCell, true, "a cell array inside a cell array"},
		{"cell of 2^31 cells", m.header() + m.matrix("label_names", mxCELL, []uint32{1<<31 - 1, 1}, ""), true, "does not fit in its 0 bytes"},
		{"cell of numbers", m.header() + m.matrix("label_names", mxCELL, []uint32{1, 1}, oneLabel), true, "is of class 9, want text"},
		{"text cut", m.header() + m.matrix("label_names", mxCHAR, []uint32{1, 5}, m.element(miUINT16, "a\x00")), true, "of dimensions [1 5] holds 1 characters"},
		{"text not UTF-8", m.header() + m.matrix("label_names", mxCHAR, []uint32{1, 1}, m.element(miUTF8, "\xff")), true, "not valid UTF-8"},
		{"text as doubles", m.header() + m.matrix("label_names", mxCHAR, []uint32{1, 1}, m.element(miDOUBLE, "12345678")), true, "stored as type 9"},
		{"no label_names", m.header() + oneLabel, true, `lacks the variable "label_names" (it holds "labels")`},
		{"no data", m.header() + oneLabel, false, `lacks the variable "data" or "labels" (it holds "labels")`},
		{"no variables", m.header(), false, "(it holds none)"},
		{"data a cell array", m.header() + m.matrix("data", mxCELL, []uint32{1, ImageSize}, "") + oneLabel, false, "does not fit"},
		{"data a struct", m.header() + m.matrix("data", 2, []uint32{1, ImageSize}, "") + oneLabel, false, `"data" is not an array of real numbers (class 2`},
		{"data complex", m.header() + m.matrix("data", 0x800|9, []uint32{1, ImageSize}, m.element(miUINT8, onePixels)) + oneLabel, false, "not an array of real numbers"},
		{"data of 100 columns", m.header() + m.uint8s("data", []uint32{30, 100}, strings.Repeat("x", 3000)) + oneLabel, false, "dimensions [30 100], want n×3072"},
		{"no images", m.header() + m.uint8s("data", []uint32{0, ImageSize}, "") + oneLabel, false, "want n×3072 with n ≥ 1"},
		{"data 0.5", m.header() + m.matrix("data", 6, []uint32{1, ImageSize}, m.element(miDOUBLE, strings.Repeat("\x00\x00\x00\x00\x00\x00\xe0\x3f", ImageSize))) + oneLabel, false, "element 0 of \"data\" is 0.5; pixel values must be integers 0..255"},
		{"data 256", m.header() + m.matrix("data", 13, []uint32{1, ImageSize}, m.element(miUINT16, strings.Repeat("\x00\x01", ImageSize))) + oneLabel, false, "is 256; pixel values must be integers 0..255"},
		{"data NaN", m.header() + m.matrix("data", 7, []uint32{1, ImageSize}, m.element(miSINGLE, strings.Repeat("\x00\x00\xc0\x7f", ImageSize))) + oneLabel, false, "is NaN"},
		{"label 10", m.header() + oneImage + m.uint8s("labels", []uint32{1, 1}, "\x0a"), false, "element 0 of \"labels\" is 10; labels must be integers 0..9"},
		{"label -1", m.header() + oneImage + m.matrix("labels", 8, []uint32{1, 1}, m.element(miINT8, "\xff")), false, "is -1; labels must be integers 0..9"},
		{"two labels", m.header() + oneImage + m.uint8s("labels", []uint32{2, 1}, "\x01\x02"), false, "\"labels\" has dimensions [2 1], want 1×1"},
		{"labels a matrix", m.header() + m.uint8s("data", []uint32{4, ImageSize}, strings.Repeat(onePixels, 4)) + m.uint8s("labels", []uint32{2, 2}, "\x01\x02\x03\x04"), false, "has dimensions [2 2], want 4×1"},
		{"labels text", m.header() + oneImage + m.matrix("labels", mxCHAR, []uint32{1, 1}, m.element(miUTF8, "3")), false, "is not an array of real numbers (class 4"},
	}
}

type hostileMat struct {
	name, data string
	meta       bool
	part       string
}

func TestMatHostile(t *testing.T) {
	for _, tc := range hostileMats() {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.data)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var err error
			if tc.meta {
				var names []string
				if names, err = matClassNames(data); err == nil {
					t.Fatalf("accepted as class names %q", names)
				}
				err = &FormatError{File: "hostile", Problem: err.Error()}
			} else {
				var rec []byte
				if rec, err = toRecords("hostile", data, formatMat); err == nil {
					t.Fatalf("accepted as %d records", len(rec)/RecordSize)
				}
			}
			runtime.ReadMemStats(&after)
			checkError(t, err, ErrMalformed, "cifar: hostile: ", tc.part)
			if len(err.Error()) > 400 {
				t.Errorf("message of %d bytes", len(err.Error()))
			}
			if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(allocPerByte*len(data)+2<<20); got > limit {
				t.Errorf("allocated %d bytes for a file of %d bytes, more than %d", got, len(data), limit)
			}
		})
	}
}

// TestMatTruncated cuts MAT-files at every length: each prefix must be one
// clear error, unless it ends between two variables after those of the
// batch (a MAT-file has no end marker), when it must decode as the whole.
func TestMatTruncated(t *testing.T) {
	for _, file := range []string{"mat/big-endian.mat", "tiny-mat/data_batch_3.mat"} {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		whole, err := matRecords(data)
		if err != nil {
			t.Fatal(err)
		}
		for n := range len(data) {
			if rec, err := toRecords("cut", data[:n], formatMat); err == nil {
				if !bytes.Equal(rec, whole) {
					t.Fatalf("%s: the first %d bytes are accepted as other records", file, n)
				}
			} else if !errors.Is(err, ErrMalformed) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("%s: the first %d bytes: %q", file, n, err)
			}
		}
	}
}

// FuzzLoadMat checks that no byte string makes the MAT-file reader panic,
// that every error is one ErrMalformed line naming the file, and that
// whatever it accepts is well-formed records.
func FuzzLoadMat(f *testing.F) {
	f.Add([]byte(goodMat))
	f.Add([]byte(matBE.header() + matBE.compressed(matBE.uint8s("labels", []uint32{1, 1}, "\x03")) + matBE.uint8s("data", []uint32{1, ImageSize}, onePixels)))
	f.Add([]byte(m.header() + cellInCell))
	fuzzFormat(f, formatMat, matClassNames, "mat/meta-big-endian.mat", "tiny-mat/batches.meta.mat")
}
