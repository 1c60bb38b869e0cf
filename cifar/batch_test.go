package cifar

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadBatchTiny loads every tiny file of each version and checks its
// labels and pixel bytes against the generator's, and its values (Image,
// Matrix: the report's X) against v/255 of them, bit for bit.
func TestLoadBatchTiny(t *testing.T) {
	for _, version := range []string{"tiny", "tiny-py", "tiny-mat"} {
		for k, name := range DataFiles() {
			path := BatchPath(filepath.Join("testdata", version), name)
			b, err := LoadBatch(path)
			if err != nil {
				t.Fatal(err)
			}
			n := tinyRecords[name]
			if b.Len() != n || b.Dim() != ImageSize {
				t.Fatalf("%s: %d images of %d values, want %d of %d", path, b.Len(), b.Dim(), n, ImageSize)
			}
			if _, ok := b.Stats(); ok {
				t.Errorf("%s: LoadBatch's images are normalised", path)
			}
			for i := range n {
				for j, v := range b.Pixels(i) {
					if want := fakePixel(k, i, j); v != want {
						t.Fatalf("%s: image %d, pixel byte %d = %d, want %d", path, i, j, v, want)
					}
				}
			}
			want, labels := fakeImages(k)
			checkImages(t, path, b, want, labels)
		}
	}
}

func TestLoadBatchErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		path  string
		is    error    // errors.Is(err, is) must hold
		parts []string // the message must contain each of these
	}{
		{"missing", filepath.Join("testdata", "nothere.bin"), fs.ErrNotExist,
			[]string{"testdata/nothere.bin", "no such file"}},
		{"directory", dir, nil,
			[]string{dir, "not a regular file"}},
		{"empty", filepath.Join("testdata", "malformed", "empty.bin"), ErrMalformed,
			[]string{"empty.bin", "empty file"}},
		{"truncated", filepath.Join("testdata", "malformed", "truncated.bin"), ErrMalformed,
			[]string{"truncated.bin", "6246 bytes", "not a multiple of the 3073-byte record", "2 whole records and 100 bytes left over"}},
		{"label10", filepath.Join("testdata", "malformed", "label10.bin"), ErrMalformed,
			[]string{"label10.bin: record 2 (byte offset 6146) has label 10; labels must be 0..9 (not a CIFAR-10 binary batch?)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := LoadBatch(tc.path)
			if err == nil {
				t.Fatalf("LoadBatch(%s) = %d images, no error", tc.path, b.Len())
			}
			checkError(t, err, tc.is, tc.parts...)
		})
	}
}

// FuzzLoadBatch checks that no file makes LoadBatch panic, that every
// error is one ErrMalformed line naming the file, and that whatever it
// accepts holds the file's records: its labels, and its pixel bytes, whose
// values Image writes as v/255.
func FuzzLoadBatch(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3})
	f.Add(fakeBatch(0, 1))
	f.Add(fakeBatch(2, 2))
	f.Add(fakeBatch(1, 2)[:RecordSize+7])
	bad := fakeBatch(0, 2)
	bad[RecordSize] = 255
	f.Add(bad)
	f.Add([]byte(goodPickle))
	f.Add([]byte(goodMat))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.bin")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		b, err := LoadBatch(path)
		if err != nil {
			if !errors.Is(err, ErrMalformed) || !strings.HasPrefix(err.Error(), "cifar: "+path+": ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: not one ErrMalformed line naming the file", err)
			}
			return
		}
		rec := data
		if format := sniff(data); format != formatBinary {
			if rec, err = toRecords(path, data, format); err != nil {
				t.Fatalf("LoadBatch accepts what toRecords rejects: %v", err)
			}
		}
		if len(rec) == 0 || !holdsRecords(b, rec) {
			t.Fatalf("%d bytes of records accepted as %d images of other labels or pixel bytes", len(rec), b.Len())
		}
		x := make([]float64, ImageSize)
		for i := range b.Len() {
			r := rec[i*RecordSize : (i+1)*RecordSize]
			if l := b.Label(i); l >= NumClasses {
				t.Fatalf("record %d: label %d", i, l)
			}
			b.Image(x, i, 0)
			if got, want := x[ImageSize-1], float64(r[RecordSize-1])/255; got != want {
				t.Fatalf("record %d: last value %v, want %v", i, got, want)
			}
		}
	})
}

// BenchmarkLoadBatch reports the time to load one batch file of 10,000
// records: a generated one (always), and data_batch_1.bin of $CIFAR10_DIR.
func BenchmarkLoadBatch(b *testing.B) {
	b.Run("generated", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "batch.bin")
		data := make([]byte, 10000*RecordSize)
		for i := range data {
			data[i] = byte(i * 7)
		}
		for i := range 10000 {
			data[i*RecordSize] = byte(i % NumClasses)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		benchLoad(b, path)
	})
	b.Run("real", func(b *testing.B) {
		benchLoad(b, filepath.Join(realDir(b), "data_batch_1.bin"))
	})
}

func benchLoad(b *testing.B, path string) {
	b.SetBytes(10000 * RecordSize)
	for b.Loop() {
		batch, err := LoadBatch(path)
		if err != nil {
			b.Fatal(err)
		}
		if batch.Len() != 10000 {
			b.Fatalf("%d images", batch.Len())
		}
	}
}

// BenchmarkStripLabels reports the time to turn 10,000 records into
// pixel bytes and labels reused from one run to the next, i.e. LoadBatch
// without reading the file and without the first touch of newly allocated
// memory (which dominates on some VMs).
func BenchmarkStripLabels(b *testing.B) {
	data := make([]byte, 10000*RecordSize)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for i := range 10000 {
		data[i*RecordSize] = byte(i % NumClasses)
	}
	pix, labels := make([]byte, 10000*ImageSize), make([]byte, 10000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := stripLabels("bench", data, pix, labels); err != nil {
			b.Fatal(err)
		}
	}
}

// checkError fails t unless err is a one-line error that matches is (when
// is is not nil) and contains every one of parts.
func checkError(t *testing.T, err error, is error, parts ...string) {
	t.Helper()
	msg := err.Error()
	if is != nil && !errors.Is(err, is) {
		t.Errorf("error %q is not %v", msg, is)
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error %q spans several lines", msg)
	}
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("error %q does not contain %q", msg, p)
		}
	}
}
