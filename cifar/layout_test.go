package cifar

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The directories testdata/tiny-py and testdata/tiny-mat hold the images of
// testdata/tiny in the Python and MATLAB versions.

func TestVersionDirs(t *testing.T) {
	sums := tinySums(t)
	ref, refAll, ref1 := loadSplits(t, filepath.Join("testdata", "tiny"), 3)
	for _, tc := range []struct{ dir, version, folder, ext string }{
		{"tiny", "binary", DirName, ".bin"},
		{"tiny-py", "Python", "cifar-10-batches-py", ""},
		{"tiny-mat", "MATLAB", "cifar-10-batches-mat", ".mat"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", tc.dir)
			if v := Version(dir); v != tc.version {
				t.Errorf("Version = %q, want %q", v, tc.version)
			}
			if p, want := BatchPath(dir, TestFile), filepath.Join(dir, "test_batch"+tc.ext); p != want {
				t.Errorf("BatchPath(TestFile) = %s, want %s", p, want)
			}
			if err := CheckDir(dir); err != nil {
				t.Error(err)
			}
			// FindDir finds the version's folder in a parent directory
			parent := t.TempDir()
			if err := os.CopyFS(filepath.Join(parent, tc.folder), os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			if got, err := FindDir(parent); err != nil || got != filepath.Join(parent, tc.folder) {
				t.Errorf("FindDir(parent) = %q, %v; want its %s", got, err, tc.folder)
			}
			if names := ClassNames(dir); !slices.Equal(names, parseClassNames(tinyMeta)) {
				t.Errorf("ClassNames = %q, want those of batches.meta", names)
			}
			checks, err := verify(dir, sums)
			if err != nil {
				t.Fatal(err)
			}
			for k, c := range checks {
				if want := strings.TrimSuffix(DataFiles()[k], ".bin") + tc.ext; c.Name != want || c.Status != StatusOK || c.Got != c.Want {
					t.Errorf("check %d: %+v, want %s ok", k, c, want)
				}
			}
			d, s, s1 := loadSplits(t, dir, 3)
			if !sameImages(d.Train, ref.Train) || !sameImages(d.Test, ref.Test) {
				t.Error("the labels or pixel bytes differ from those of the binary version")
			}
			for k, pair := range [][2]*Split{{s, refAll}, {s1, ref1}} {
				got, want := pair[0], pair[1]
				if got.Name != want.Name || !sameFloats(got.Stats.Mean, want.Stats.Mean) || !sameFloats(got.Stats.Std, want.Stats.Std) {
					t.Errorf("split %s: name or statistics differ from those of the binary version's %s", got.Name, want.Name)
				}
				for i, sets := range [][2]Images{{got.Train, want.Train}, {got.Validation, want.Validation}, {got.Test, want.Test}} {
					if !sameImages(sets[0], sets[1]) || !sameBits(sets[0].Matrix(), sets[1].Matrix()) {
						t.Errorf("set %d of split %d (train, validation, test of all, then of batch1) differs from that of the binary version", i, k)
					}
				}
			}
		})
	}
}

// TestVersionDirErrors checks what a directory of the Python or MATLAB
// version that lacks or spoils a file says.
func TestVersionDirErrors(t *testing.T) {
	py := copyDir(t, "tiny-py", "data_batch_2")
	err := CheckDir(py)
	checkError(t, err, ErrNotFound, "lacks 1 of the CIFAR-10 Python files (data_batch_2)", "cifar-10-batches-py")
	_, err = LoadDataset(py)
	checkError(t, err, ErrNotFound, "lacks 1 of the CIFAR-10 Python files (data_batch_2)")
	checks, err := Verify(py)
	if err != nil || checks[1].Name != "data_batch_2" || checks[1].Status != StatusMissing {
		t.Errorf("Verify: %+v, %v; want data_batch_2 missing", checks, err)
	}

	mat := copyDir(t, "tiny-mat")
	spoilt, err := os.ReadFile(filepath.Join(mat, "test_batch.mat"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mat, "test_batch.mat"), spoilt[:len(spoilt)-50], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadDataset(mat)
	checkError(t, err, ErrMalformed, "test_batch.mat: MAT-file")
	checks, err = Verify(mat)
	if err != nil {
		t.Fatal(err)
	}
	if c := checks[5]; c.Status != StatusMalformed || !strings.Contains(c.Problem, "test_batch.mat: MAT-file") || c.Got != "" {
		t.Errorf("Verify on a spoilt test_batch.mat: %+v, want it malformed", c)
	}
	if w := CheckWarning(mat, checks); !strings.Contains(w, "malformed: test_batch.mat") || !strings.Contains(w, "differ: data_batch_1.mat") {
		t.Errorf("warning %q does not name the malformed file", w)
	}
	// a spoilt batches.meta.mat: the documented names
	if err := os.WriteFile(filepath.Join(mat, "batches.meta.mat"), []byte("MATLAB 5.0 MAT-file"), 0o644); err != nil {
		t.Fatal(err)
	}
	if names := ClassNames(mat); !slices.Equal(names, DefaultClassNames()) {
		t.Errorf("ClassNames with a spoilt batches.meta.mat = %q, want the documented names", names)
	}

	// a parent holding no batch files and a partial version folder: the
	// error is about the folder
	parent := t.TempDir()
	if err := os.CopyFS(filepath.Join(parent, "cifar-10-batches-py"), os.DirFS(py)); err != nil {
		t.Fatal(err)
	}
	_, err = FindDir(parent)
	checkError(t, err, ErrNotFound, filepath.Join(parent, "cifar-10-batches-py")+" (from -data) lacks 1 of the CIFAR-10 Python files (data_batch_2)")
}

// TestLoadBatchSniff checks that LoadBatch tells the versions apart by their
// first bytes, whatever the file's name.
func TestLoadBatchSniff(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join("testdata", "tiny-py", "data_batch_4"), filepath.Join(dir, "a.bin"))
	copyFile(t, filepath.Join("testdata", "tiny-mat", "data_batch_4.mat"), filepath.Join(dir, "b"))
	ref := tinyRecordsOf(t, "data_batch_4.bin")
	for _, name := range []string{"a.bin", "b"} {
		b, err := LoadBatch(filepath.Join(dir, name))
		if err != nil || !holdsRecords(b, ref) {
			t.Errorf("LoadBatch(%s): %v, or other images than data_batch_4.bin", name, err)
		}
	}
	// a spoilt pickle is reported as one
	if err := os.WriteFile(filepath.Join(dir, "c"), []byte("\x80\x02}q\x01(U\x04data"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadBatch(filepath.Join(dir, "c"))
	checkError(t, err, ErrMalformed, "c: pickle: ", "without the STOP opcode")
}

// TestMakeRecords checks the column-major transposition on sizes around its
// block of 64 images.
func TestMakeRecords(t *testing.T) {
	for _, n := range []int{1, 63, 64, 65, 130} {
		labels := make([]byte, n)
		rowMajor := make([]byte, n*ImageSize)
		colMajor := make([]byte, n*ImageSize)
		for i := range n {
			labels[i] = byte(i % NumClasses)
			for j := range ImageSize {
				v := byte(7*i + 13*j + i*j/64)
				rowMajor[i*ImageSize+j] = v
				colMajor[j*n+i] = v
			}
		}
		a, b := makeRecords(labels, rowMajor, false), makeRecords(labels, colMajor, true)
		if !bytes.Equal(a, b) {
			t.Fatalf("n = %d: column-major records differ from row-major ones", n)
		}
		for i := range n {
			if a[i*RecordSize] != labels[i] || !bytes.Equal(a[i*RecordSize+1:(i+1)*RecordSize], rowMajor[i*ImageSize:(i+1)*ImageSize]) {
				t.Fatalf("n = %d: record %d is not label %d and row %d", n, i, labels[i], i)
			}
		}
	}
}

// TestVersionMixed checks which version a directory holding files of
// several is taken for: the one with the most files, binary on a tie.
func TestVersionMixed(t *testing.T) {
	both := copyDir(t, "tiny")
	if err := os.CopyFS(both, os.DirFS(filepath.Join("testdata", "tiny-py"))); err != nil {
		t.Fatal(err)
	}
	if v := Version(both); v != "binary" {
		t.Errorf("binary and Python files: Version = %q, want binary", v)
	}
	mostlyMat := copyDir(t, "tiny-mat")
	copyFile(t, filepath.Join("testdata", "tiny", "data_batch_1.bin"), filepath.Join(mostlyMat, "data_batch_1.bin"))
	if v := Version(mostlyMat); v != "MATLAB" {
		t.Errorf("six MATLAB files and one binary: Version = %q, want MATLAB", v)
	}
	if v := Version(t.TempDir()); v != "binary" {
		t.Errorf("no files: Version = %q, want binary", v)
	}
}

// BenchmarkDecodeFormats reports the time to turn a batch of 10,000 images
// into binary records and decode them as LoadBatch does, for each format: a
// pickle as published (Python 2, protocol 2), a plain and a compressed
// MAT-file (big-endian), beside the binary file, which needs no turning. The
// pixels are random, which deflate compresses as little as real images.
func BenchmarkDecodeFormats(b *testing.B) {
	const n = 10000
	rng := rand.New(rand.NewPCG(1, 2))
	rec := make([]byte, n*RecordSize)
	for i := range rec {
		rec[i] = byte(rng.Uint32())
		if i%RecordSize == 0 {
			rec[i] %= NumClasses
		}
	}
	labels, pixels := make([]byte, n), make([]byte, 0, n*ImageSize)
	colMajor := make([]byte, n*ImageSize)
	for i := range n {
		labels[i] = rec[i*RecordSize]
		pixels = append(pixels, rec[i*RecordSize+1:(i+1)*RecordSize]...)
		for j := range ImageSize {
			colMajor[j*n+i] = rec[i*RecordSize+1+j]
		}
	}
	pkLabels := "]"
	for i := 0; i < n; i += 1000 {
		pkLabels += "("
		for _, l := range labels[i : i+1000] {
			pkLabels += "K" + string(rune(l))
		}
		pkLabels += "e"
	}
	data := matBE.uint8s("data", []uint32{n, ImageSize}, string(colMajor))
	labelsMat := matBE.uint8s("labels", []uint32{n, 1}, string(labels))
	files := []struct {
		name string
		f    format
		data []byte
	}{
		{"binary", formatBinary, rec},
		{"pickle", formatPickle, []byte(pkBatch(pkArray("M\x10\x27M\x00\x0c\x86", string(pixels)), pkLabels))},
		{"MAT", formatMat, []byte(matBE.header() + data + labelsMat)},
		{"MAT-compressed", formatMat, []byte(matBE.header() + matBE.compressed(data) + matBE.compressed(labelsMat))},
	}
	for _, file := range files {
		b.Run(file.name, func(b *testing.B) {
			b.SetBytes(int64(len(rec)))
			for b.Loop() {
				got, err := toRecords(file.name, file.data, file.f)
				if err != nil {
					b.Fatal(err)
				}
				n, err := countRecords(file.name, int64(len(got)))
				if err != nil {
					b.Fatal(err)
				}
				if err := stripLabels(file.name, got, make([]byte, n*ImageSize), make([]byte, n)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
