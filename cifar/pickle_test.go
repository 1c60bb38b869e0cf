package cifar

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The pickles under testdata/ are written by testdata/make_formats.py; each
// holds the images and labels of a file of testdata/tiny/.

// tinyRecordsOf returns the bytes of testdata/tiny/name.
func tinyRecordsOf(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "tiny", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestPickleVariants(t *testing.T) {
	for _, file := range []string{
		"tiny-py/data_batch_1",    // as published: Python 2, protocol 2, str
		"pickle/py3-p2.pkl",       // Python 3, protocol 2: _codecs.encode
		"pickle/py3-p2-bytes.pkl", // ... loaded with encoding="bytes": bytes keys
		"pickle/py3-p3.pkl",       // BINBYTES
		"pickle/py3-p4.pkl",       // FRAME, MEMOIZE, STACK_GLOBAL
		"pickle/py3-p4-bytes.pkl", // ... with bytes keys
		"pickle/py3-p5.pkl",       // _frombuffer, BYTEARRAY8
		"pickle/numpy2-p2.pkl",    // numpy._core.multiarray._reconstruct
		"pickle/numpy2-p5.pkl",    // numpy._core.numeric._frombuffer
		"pickle/fortran-p2.pkl",   // a column-major array, is_fortran True
		"pickle/fortran-p5.pkl",   // ... under protocol 5: order "F"
		"tiny-py/test_batch",      // 4 images
		"tiny-py/data_batch_3",    // 2 images
	} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			binName := filepath.Base(file) + ".bin"
			if strings.HasPrefix(file, "pickle/") {
				binName = "data_batch_1.bin"
			}
			want := tinyRecordsOf(t, binName)
			got, err := toRecords(file, data, sniff(data))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%d bytes of records differ from testdata/tiny/%s", len(got), binName)
			}
			// LoadBatch tells the format by the first bytes
			b, err := LoadBatch(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			if !holdsRecords(b, want) {
				t.Errorf("LoadBatch's labels or pixel bytes differ from the records of testdata/tiny/%s", binName)
			}
		})
	}
}

func TestPickleClassNames(t *testing.T) {
	want := parseClassNames(tinyMeta)
	for _, file := range []string{"tiny-py/batches.meta", "pickle/meta-py3-p5.pkl", "pickle/meta-py3-p2-bytes.pkl"} {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		names, err := pickleClassNames(data)
		if err != nil || !slices.Equal(names, want) {
			t.Errorf("%s: class names %q, %v; want %q", file, names, err, want)
		}
	}
	if _, err := pickleClassNames([]byte("\x80\x02}.")); err == nil || !strings.Contains(err.Error(), "label_names") {
		t.Errorf("a dict without label_names: error %v", err)
	}
}

// Pieces for assembling pickles by hand, as Python 2's cPickle wrote them.
const (
	pkReconstruct = "cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85U\x01b\x87R"
	pkDtypeU1     = "cnumpy\ndtype\nU\x02u1K\x00K\x01\x87R(K\x03U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
)

func le32(n uint32) string { return string(binary.LittleEndian.AppendUint32(nil, n)) }
func le64(n uint64) string { return string(binary.LittleEndian.AppendUint64(nil, n)) }

// pkArray is a pickled uint8 array of the given shape (a pickled tuple) and
// bytes.
func pkArray(shape, data string) string {
	return pkReconstruct + "(K\x01" + shape + pkDtypeU1 + "\x89T" + le32(uint32(len(data))) + data + "tb"
}

// pkBatch is a pickled batch dict with the given "data" and "labels".
func pkBatch(array, labels string) string {
	return "\x80\x02}(U\x04data" + array + "U\x06labels" + labels + "u."
}

// onePixels is one image's pixels.
var onePixels = string(fakeBatch(0, 1)[1:])

// goodPickle is a valid pickled batch of one image with label 3.
var goodPickle = pkBatch(pkArray("K\x01M\x00\x0c\x86", onePixels), "](K\x03e")

func TestPickleHandMade(t *testing.T) {
	rec, err := pickleRecords([]byte(goodPickle))
	if err != nil {
		t.Fatal(err)
	}
	if rec[0] != 3 || string(rec[1:]) != onePixels {
		t.Errorf("the hand-made pickle decodes to label %d and other pixels", rec[0])
	}
}

// hostilePickles are files that must each end in one clear error: name,
// bytes, a part of the message.
var hostilePickles = []struct {
	name, data, part string
}{
	{"empty", "", "does not start with the PROTO opcode"},
	{"not a pickle", "<html>", "does not start with the PROTO opcode"},
	{"protocol 6", "\x80\x06}.", "protocol 6"},
	{"PROTO twice", "\x80\x02\x80\x02}.", "may only come first"},
	{"BINBYTES8 of 2^62 bytes", "\x80\x04\x8e" + le64(1<<62) + "abc", "needs 4611686018427387904 bytes but only 3 remain"},
	{"BYTEARRAY8 of 2^64-1 bytes", "\x80\x05\x96" + le64(1<<64-1), "needs 18446744073709551615 bytes"},
	{"BINUNICODE8 of 2^62 bytes", "\x80\x04\x8d" + le64(1<<62), "needs 4611686018427387904 bytes"},
	{"BINSTRING of 2^31 bytes", "\x80\x02T" + le32(1<<31), "needs 2147483648 bytes"},
	{"FRAME of 2^62 bytes", "\x80\x04\x95" + le64(1<<62) + "}.", "FRAME at byte 2 declares 4611686018427387904 bytes"},
	{"deep nest of MARKs", "\x80\x02" + strings.Repeat("(", 100000), "MARKs nested more than 32 deep"},
	{"a stack of 70,000 lists", "\x80\x02" + strings.Repeat("]", 70000), "more than 8192 values on the stack"},
	{"lists nested 8,000 deep", "\x80\x02" + strings.Repeat("]", 8000) + strings.Repeat("a", 7999) + ".", "holds a list, want a dict"},
	{"truncated in the pixels", goodPickle[:200], "needs 3072 bytes but only"},
	{"truncated before STOP", goodPickle[:len(goodPickle)-1], "without the STOP opcode"},
	{"truncated opcode argument", "\x80\x02K", "needs 1 bytes but only 0 remain"},
	{"unknown opcode", "\x80\x02\xff", "unknown opcode 0xff at byte 2"},
	{"protocol 0 opcode INT", "\x80\x02I1\n.", "opcode INT (0x49) at byte 2"},
	{"out-of-band buffer", "\x80\x05\x97", "NEXT_BUFFER (an out-of-band buffer)"},
	{"INST", "\x80\x02(ios\nsystem\n", "opcode INST"},
	{"GLOBAL os.system", "\x80\x02cos\nsystem\n(U\x02idtR.", `names "os.system" at byte 2`},
	{"GLOBAL builtins.eval", "\x80\x02c__builtin__\neval\n", `names "__builtin__.eval"`},
	{"GLOBAL numpy.load", "\x80\x02cnumpy\nload\n", `names "numpy.load"`},
	{"GLOBAL of a long name", "\x80\x02c" + strings.Repeat("x", 5000) + "\ny\n", `names "xxxxxxxxxx`},
	{"STACK_GLOBAL builtins.exec", "\x80\x04\x8c\x08builtins\x8c\x04exec\x93", `names "builtins.exec"`},
	{"STACK_GLOBAL on ints", "\x80\x04K\x01K\x02\x93", "STACK_GLOBAL at byte 6 on a int and a int"},
	{"GLOBAL without end of line", "\x80\x02cnumpy", "no end of line"},
	{"GET of an unknown memo entry", "\x80\x02h\x05", "memo entry 5, which was never PUT"},
	{"PUT on an empty stack", "\x80\x02q\x01", "needs a value on the stack"},
	{"REDUCE of an int", "\x80\x02K\x01)R", "calls a int, not a function"},
	{"REDUCE with too few values", "\x80\x02)R", "needs 2 values on the stack, finds 1"},
	{"REDUCE across a MARK", "\x80\x02cnumpy\ndtype\n()R", "needs 2 values on the stack, finds 1"},
	{"ndarray called", "\x80\x02cnumpy\nndarray\n)R", "it may only be an argument of _reconstruct"},
	{"_reconstruct of something else", "\x80\x02cnumpy.core.multiarray\n_reconstruct\nK\x00K\x00K\x00\x87R", "want numpy.ndarray, (0,)"},
	{"dtype without arguments", "\x80\x02cnumpy\ndtype\n)R", "numpy.dtype called at byte 16"},
	{"_codecs.encode with utf-8", "\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x05\x00\x00\x00utf-8\x86R", `other arguments than a str and "latin1"`},
	{"_codecs.encode of U+0100", "\x80\x02c_codecs\nencode\nX\x02\x00\x00\x00\xc4\x80X\x06\x00\x00\x00latin1\x86R", "above U+00FF"},
	{"str not UTF-8", "\x80\x02X\x01\x00\x00\x00\xff", "not valid UTF-8"},
	{"APPEND to an int", "\x80\x02K\x01K\x02a", "APPEND at byte 6 to a int"},
	{"SETITEMS on a list", "\x80\x02](K\x01K\x02u", "SETITEMS at byte 8 on a list"},
	{"SETITEMS with an odd count", "\x80\x02}(K\x01u", "odd number (1)"},
	{"APPENDS without MARK", "\x80\x02]e", "needs a MARK"},
	{"BUILD on a dict", "\x80\x02})b", "BUILD at byte 4 on a dict"},
	{"BUILD with a non-tuple state", "\x80\x02}K\x01b", "with a int as state"},
	{"dtype with fields", "\x80\x02cnumpy\ndtype\nU\x02u1K\x00K\x01\x87R(K\x03U\x01|NN}NJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb", "structured"},
	{"dtype state too short", "\x80\x02cnumpy\ndtype\nU\x02u1K\x00K\x01\x87R(K\x03tb", "a numpy dtype state of 1 items"},
	{"STOP with two values", "\x80\x02K\x01K\x02.", "leaves 2 values and 0 marks"},
	{"STOP on an empty stack", "\x80\x02.", "leaves 0 values"},
	{"not a dict", "\x80\x02](K\x01e.", "holds a list, want a dict"},
	{"no data", "\x80\x02}(U\x06labels]u.", `no "data" (keys: "labels")`},
	{"no labels", "\x80\x02}(U\x04data" + pkArray("K\x01M\x00\x0c\x86", onePixels) + "u.", `no "labels"`},
	{"data is a list", pkBatch("]", "](K\x03e"), `"data" is a list, want a numpy array`},
	{"shape of 2^40 images", pkBatch(pkArray("\x8a\x06\x00\x00\x00\x00\x00\x01M\x00\x0c\x86", onePixels), "]"), "opcode LONG1"},
	{"shape bigger than the data", pkBatch(pkArray("J\xff\xff\xff\x7fJ\xff\xff\xff\x7f\x86", onePixels), "]"), "needs more than the 3072 bytes of data it has"},
	{"shape smaller than the data", pkBatch(pkArray("K\x01M\xff\x0b\x86", onePixels), "]"), "needs 3071 bytes of data, has 3072"},
	{"negative dimension", pkBatch(pkArray("J\xff\xff\xff\xffM\x00\x0c\x86", onePixels), "]"), "dimension 0 is not an int in 0..2⁴⁰"},
	{"wrong width", pkBatch(pkArray("M\x00\x0cK\x01\x86", onePixels), "](K\x03e"), "has shape [3072 1], want n×3072"},
	{"no images", pkBatch(pkArray("K\x00M\x00\x0c\x86", ""), "]"), "has shape [0 3072], want n×3072 with n ≥ 1"},
	{"dtype f8", pkBatch(strings.Replace(pkArray("K\x01M\x00\x01\x86", onePixels[:2048]), "U\x02u1", "U\x02f8", 1), "](K\x03e"), `dtype "f8", want uint8`},
	{"dtype without size", pkBatch(strings.Replace(pkArray("K\x01M\x00\x0c\x86", onePixels), "U\x02u1", "U\x01O", 1), "](K\x03e"), `dtype "O" is not a plain number type`},
	{"label 10", pkBatch(pkArray("K\x01M\x00\x0c\x86", onePixels), "](K\x0ae"), "label 0 is 10; labels must be ints 0..9"},
	{"label -1", pkBatch(pkArray("K\x01M\x00\x0c\x86", onePixels), "](J\xff\xff\xff\xffe"), "label 0 is -1"},
	{"label a str", pkBatch(pkArray("K\x01M\x00\x0c\x86", onePixels), "](U\x01ae"), "label 0 is a bytes"},
	{"two labels for one image", pkBatch(pkArray("K\x01M\x00\x0c\x86", onePixels), "](K\x01K\x02e"), "a list of 2 items, want a list of 1 ints"},
	{"labels a tuple", pkBatch(pkArray("K\x01M\x00\x0c\x86", onePixels), "K\x01\x85"), "is a 1-tuple of 1 items"},
}

func TestPickleHostile(t *testing.T) {
	for _, tc := range hostilePickles {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.data)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			rec, err := toRecords("hostile", data, formatPickle)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatalf("accepted as %d records", len(rec)/RecordSize)
			}
			checkError(t, err, ErrMalformed, "cifar: hostile: ", tc.part)
			if len(err.Error()) > 400 {
				t.Errorf("message of %d bytes", len(err.Error()))
			}
			if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(allocPerByte*len(data)+1<<20); got > limit {
				t.Errorf("allocated %d bytes for a file of %d bytes, more than %d", got, len(data), limit)
			}
		})
	}
}

// allocPerByte bounds what a reader may allocate for each byte of a hostile
// file (plus 1 MiB): what the unpickler holds grows with the opcodes it runs,
// never with a size a file declares.
const allocPerByte = 64

// TestPickleTruncated cuts a published-style pickle at every length: each
// prefix must be one clear error.
func TestPickleTruncated(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "tiny-py", "data_batch_3"))
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(data) {
		if _, err := toRecords("cut", data[:n], formatPickle); err == nil {
			t.Fatalf("the first %d bytes are accepted", n)
		} else if !errors.Is(err, ErrMalformed) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("the first %d bytes: %q", n, err)
		}
	}
}

// TestPickleLargeAlloc checks that a well-formed pickle of many images
// allocates little beyond the records it decodes to.
func TestPickleLargeAlloc(t *testing.T) {
	const n = 2000
	pixels := bytes.Repeat([]byte(onePixels), n)
	labels := "]" + strings.Repeat("("+strings.Repeat("K\x07", 1000)+"e", n/1000)
	data := []byte(pkBatch(pkArray("M"+string(binary.LittleEndian.AppendUint16(nil, n))+"M\x00\x0c\x86", string(pixels)), labels))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rec, err := toRecords("large", data, formatPickle)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec) != n*RecordSize || rec[(n-1)*RecordSize] != 7 {
		t.Fatalf("%d bytes of records, want %d", len(rec), n*RecordSize)
	}
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(len(rec)+1<<20); got > limit {
		t.Errorf("allocated %d bytes for %d bytes of records", got, len(rec))
	}
}

// FuzzLoadPickle checks that no byte string makes the unpickler panic, that
// every error is one ErrMalformed line naming the file, and that whatever it
// accepts is well-formed records.
func FuzzLoadPickle(f *testing.F) {
	f.Add([]byte(goodPickle))
	f.Add([]byte("\x80\x02}(U\x0blabel_names](U\x01aU\x01be."))
	fuzzFormat(f, formatPickle, pickleClassNames, "pickle/py3-p5.pkl", "pickle/numpy2-p2.pkl")
}

// fuzzFormat runs the fuzz test of a format's decoder: the seeds already
// added to f and the testdata files, then for each input, the records
// decoded from it (one ErrMalformed line naming the file, or well-formed
// records) and its class names (which must not panic).
func fuzzFormat(f *testing.F, ff format, classNames func([]byte) ([]string, error), files ...string) {
	for _, file := range files {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := toRecords("fuzz", data, ff)
		if err != nil {
			if !errors.Is(err, ErrMalformed) || !strings.HasPrefix(err.Error(), "cifar: fuzz: ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: not one ErrMalformed line naming the file", err)
			}
		} else {
			checkRecords(t, rec)
		}
		classNames(data)
	})
}

// checkRecords fails t unless rec is a whole, non-zero number of records
// with labels 0..9.
func checkRecords(t *testing.T, rec []byte) {
	t.Helper()
	if len(rec) == 0 || len(rec)%RecordSize != 0 {
		t.Fatalf("%d bytes of records", len(rec))
	}
	for i := 0; i < len(rec); i += RecordSize {
		if rec[i] >= NumClasses {
			t.Fatalf("record %d has label %d", i/RecordSize, rec[i])
		}
	}
}
