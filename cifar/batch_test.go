package cifar

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twolayer/matrix"
)

func TestLoadBatchTiny(t *testing.T) {
	for k, name := range DataFiles() {
		b, err := LoadBatch(filepath.Join("testdata", "tiny", name))
		if err != nil {
			t.Fatal(err)
		}
		n := tinyRecords[name]
		if r, c := b.X.Dims(); r != n || c != ImageSize {
			t.Fatalf("%s: X is %d×%d, want %d×%d", name, r, c, n, ImageSize)
		}
		if len(b.Labels) != n {
			t.Fatalf("%s: %d labels, want %d", name, len(b.Labels), n)
		}
		for i := range n {
			if want := int(fakeLabel(k, i)); b.Labels[i] != want {
				t.Errorf("%s: label %d = %d, want %d", name, i, b.Labels[i], want)
			}
			for j := range ImageSize {
				if got, want := b.X.At(i, j), float64(fakePixel(k, i, j))/255; got != want {
					t.Fatalf("%s: X(%d, %d) = %v, want %v", name, i, j, got, want)
				}
			}
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
			[]string{"label10.bin", "record 2", "label 10", "must be 0..9"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := LoadBatch(tc.path)
			if err == nil {
				t.Fatalf("LoadBatch(%s) = %d images, no error", tc.path, b.X.Rows())
			}
			checkError(t, err, tc.is, tc.parts...)
		})
	}
}

// FuzzLoadBatch checks that no byte string makes the decoder panic, and that
// whatever it accepts is a consistent batch.
func FuzzLoadBatch(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3})
	f.Add(fakeBatch(0, 1))
	f.Add(fakeBatch(2, 2))
	f.Add(fakeBatch(1, 2)[:RecordSize+7])
	bad := fakeBatch(0, 2)
	bad[RecordSize] = 255
	f.Add(bad)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := parseBatch("fuzz.bin", data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) || !strings.HasPrefix(err.Error(), "cifar: fuzz.bin: ") {
				t.Fatalf("error %q: not ErrMalformed or does not name the file", err)
			}
			return
		}
		n := len(data) / RecordSize
		if len(data) == 0 || len(data)%RecordSize != 0 || b.X.Rows() != n || len(b.Labels) != n {
			t.Fatalf("%d bytes accepted as %d records", len(data), b.X.Rows())
		}
		for i, l := range b.Labels {
			if l != int(data[i*RecordSize]) || l >= NumClasses {
				t.Fatalf("record %d: label %d from byte %d", i, l, data[i*RecordSize])
			}
			if got, want := b.X.At(i, ImageSize-1), float64(data[(i+1)*RecordSize-1])/255; got != want {
				t.Fatalf("record %d: last pixel %v, want %v", i, got, want)
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
		if batch.X.Rows() != 10000 {
			b.Fatalf("%d images", batch.X.Rows())
		}
	}
}

// BenchmarkDecodeRecords reports the time to decode 10,000 records into a
// matrix that is reused, i.e. LoadBatch without reading the file and without
// the first touch of newly allocated memory (which dominates on some VMs).
func BenchmarkDecodeRecords(b *testing.B) {
	data := make([]byte, 10000*RecordSize)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for i := range 10000 {
		data[i*RecordSize] = byte(i % NumClasses)
	}
	x, labels := matrix.New(10000, ImageSize), make([]int, 10000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := decodeRecords("bench", data, x, labels); err != nil {
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
