package cifar

import (
	"math"
	"path/filepath"
	"slices"
	"testing"
)

// The tests in this file read the real CIFAR-10 files from $CIFAR10_DIR and
// skip when it is unset; the same features are tested on the tiny files
// under testdata/ elsewhere.

func TestRealBatches(t *testing.T) {
	dir := realDir(t)
	firstLabels := map[string][]int{
		"data_batch_1.bin": {6, 9, 9, 4, 1, 1, 2, 7, 8, 3},
		"test_batch.bin":   {3, 8, 8, 0, 6, 6, 1, 6, 3, 1},
	}
	for _, name := range DataFiles() {
		b, err := LoadBatch(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		labels := b.Labels()
		if b.Len() != 10000 || b.Dim() != ImageSize || len(labels) != 10000 {
			t.Fatalf("%s: %d images of %d values, %d labels; want 10000 of 3072, 10000", name, b.Len(), b.Dim(), len(labels))
		}
		if want, ok := firstLabels[name]; ok && !slices.Equal(labels[:10], want) {
			t.Errorf("%s: first labels %v, want %v", name, labels[:10], want)
		}
		if name == TestFile {
			var perClass [NumClasses]int
			for _, l := range labels {
				perClass[l]++
			}
			for c, n := range perClass {
				if n != 1000 {
					t.Errorf("test_batch: %d images of class %d, want 1000", n, c)
				}
			}
		}
	}
	if names := ClassNames(dir); !slices.Equal(names, DefaultClassNames()) {
		t.Errorf("ClassNames = %q, want the documented names", names)
	}
}

func TestRealChecksums(t *testing.T) {
	dir := realDir(t)
	checks, err := Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if c.Status != StatusOK {
			t.Errorf("%s: %v (MD5 %s, want %s)", c.Name, c.Status, c.Got, c.Want)
		}
	}
	if w := CheckFiles(dir); w != "" {
		t.Errorf("CheckFiles: %s", w)
	}
}

// TestRealSplits makes both splits of the real files and checks the
// normalised training sets: per-feature mean ≈ 0 and std ≈ 1, computed by
// floatStats on their matrices. The matrix of the full split's training
// set takes 1.2 GB: skipped with -short.
func TestRealSplits(t *testing.T) {
	d, err := LoadDataset(realDir(t))
	if err != nil {
		t.Fatal(err)
	}
	s := d.SplitBatch1()
	if s.Train.Len() != 10000 || s.Validation.Len() != 10000 || s.Test.Len() != 10000 {
		t.Errorf("batch1 sizes %d %d %d", s.Train.Len(), s.Validation.Len(), s.Test.Len())
	}
	checkStandardised(t, s)
	if testing.Short() {
		t.Skip("-short: not loading all five batches (1.5 GB)")
	}
	s, err = d.SplitAll(1000)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "all-49000-1000" || s.Train.Len() != 49000 || s.Validation.Len() != 1000 || s.Test.Len() != 10000 {
		t.Errorf("%s sizes %d %d %d", s.Name, s.Train.Len(), s.Validation.Len(), s.Test.Len())
	}
	if !slices.Equal(s.Train.Labels()[:10], []int{6, 9, 9, 4, 1, 1, 2, 7, 8, 3}) {
		t.Errorf("first training labels %v", s.Train.Labels()[:10])
	}
	checkStandardised(t, s)
}

// checkStandardised checks that every feature of s's training set has mean
// ≈ 0 and std ≈ 1, and that the validation set was normalised with the same
// statistics (its means are small but not 0).
func checkStandardised(t *testing.T, s *Split) {
	t.Helper()
	st := floatStats(s.Train.Matrix())
	for j := range ImageSize {
		if !(math.Abs(st.Mean[j]) <= 1e-10) || !(math.Abs(st.Std[j]-1) <= 1e-10) {
			t.Fatalf("%s: normalised feature %d has mean %g, std %g", s.Name, j, st.Mean[j], st.Std[j])
		}
	}
	val := floatStats(s.Validation.Matrix())
	for j := range ImageSize {
		if !(math.Abs(val.Mean[j]) <= 0.5) || !(val.Std[j] >= 0.5 && val.Std[j] <= 2) {
			t.Fatalf("%s: validation feature %d has mean %g, std %g: not normalised with the training statistics?", s.Name, j, val.Mean[j], val.Std[j])
		}
	}
}

// BenchmarkLoadDatasetSplitAll reports the time to load the six real files and
// make the 49,000/1,000/10,000 split of them (its statistics included; the
// values are normalised as they are read, see BenchmarkNormalizeBatch).
func BenchmarkLoadDatasetSplitAll(b *testing.B) {
	dir := realDir(b)
	for b.Loop() {
		d, err := LoadDataset(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.SplitAll(1000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNormalize reports the time to compute the statistics of a
// 10,000-image training set and apply them to it: ComputeStats, WithStats
// and every image's values through Image.
func BenchmarkNormalize(b *testing.B) {
	pix, labels := make([]byte, 10000*ImageSize), make([]byte, 10000)
	for i := range labels {
		for j := range ImageSize {
			pix[i*ImageSize+j] = byte((i*7 + j*13) % 256)
		}
	}
	m, err := NewImages(pix, labels)
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float64, ImageSize)
	for b.Loop() {
		norm := m.WithStats(m.ComputeStats())
		for i := range norm.Len() {
			norm.Image(x, i, 0)
		}
	}
}
