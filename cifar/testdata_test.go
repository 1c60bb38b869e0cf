package cifar

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// The files under testdata/ are written by fakeTestdata; run
//
//	go test ./cifar -run TestTestdata -update
//
// to rewrite them after changing it.
var update = flag.Bool("update", false, "rewrite the files under testdata/")

// tinyRecords is the number of records in each tiny batch file.
var tinyRecords = map[string]int{
	"data_batch_1.bin": 3, "data_batch_2.bin": 3, "data_batch_3.bin": 2,
	"data_batch_4.bin": 3, "data_batch_5.bin": 4, "test_batch.bin": 4,
}

// fakeLabel and fakePixel define the content of record i of the tiny batch
// file number file (0..5 in DataFiles order). Pixel 0 is the same in every
// record, so that a split of the tiny files has a zero-variance feature.
func fakeLabel(file, i int) byte { return byte((3*file + 7*i) % NumClasses) }

func fakePixel(file, i, j int) byte {
	if j == 0 {
		return 100
	}
	return byte((53*file + 29*i + 7*j + j*j/1024) % 256)
}

// fakeBatch returns the bytes of the tiny batch file number file with n
// records.
func fakeBatch(file, n int) []byte {
	data := make([]byte, 0, n*RecordSize)
	for i := range n {
		data = append(data, fakeLabel(file, i))
		for j := range ImageSize {
			data = append(data, fakePixel(file, i, j))
		}
	}
	return data
}

// tinyMeta is the batches.meta.txt of testdata/tiny: names that differ from
// the documented ones, so a test can tell them from the fallback.
const tinyMeta = "plane\ncar\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n"

// fakeTestdata returns the files of testdata/, by path relative to it.
func fakeTestdata() map[string][]byte {
	files := map[string][]byte{}
	for k, name := range DataFiles() {
		files[filepath.Join("tiny", name)] = fakeBatch(k, tinyRecords[name])
	}
	files["tiny/batches.meta.txt"] = []byte(tinyMeta)
	files["meta-crlf/batches.meta.txt"] = []byte("airplane\r\nautomobile\r\nbird\r\ncat\r\ndeer\r\ndog\r\nfrog\r\nhorse\r\nship\r\ntruck\r\n\r\n\r\n")
	files["meta-short/batches.meta.txt"] = []byte("a\nb\nc\n")
	files["malformed/empty.bin"] = nil
	files["malformed/truncated.bin"] = fakeBatch(0, 3)[:2*RecordSize+100]
	label10 := fakeBatch(1, 3)
	label10[2*RecordSize] = 10
	files["malformed/label10.bin"] = label10
	return files
}

// TestTestdata checks that testdata/ holds what fakeTestdata generates (or
// rewrites it with -update), so that the tests below may rely on both.
func TestTestdata(t *testing.T) {
	for rel, want := range fakeTestdata() {
		path := filepath.Join("testdata", rel)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run `go test ./cifar -run TestTestdata -update`)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes differ from the generator's %d (run `go test ./cifar -run TestTestdata -update`)", path, len(got), len(want))
		}
	}
}

// copyDir copies the regular files of testdata/src into a new temporary
// directory, except those named in skip, and returns it.
func copyDir(t *testing.T, src string, skip ...string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(filepath.Join("testdata", src))
	if err != nil {
		t.Fatal(err)
	}
outer:
	for _, e := range entries {
		for _, s := range skip {
			if e.Name() == s {
				continue outer
			}
		}
		data, err := os.ReadFile(filepath.Join("testdata", src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// copyFile copies the file src to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// realDir returns $CIFAR10_DIR, or skips the test when it is unset or does
// not hold the six data files.
func realDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(EnvVar)
	if dir == "" {
		t.Skip("CIFAR10_DIR is not set: set it to a cifar-10-batches-bin directory to run the tests on the real data")
	}
	if err := CheckDir(dir); err != nil {
		t.Skipf("CIFAR10_DIR does not hold the data: %v", err)
	}
	return dir
}
