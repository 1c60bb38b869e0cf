package cifar

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"twolayer/matrix"
)

// fakeImages returns the raw (unnormalised) images and labels of the tiny
// files numbered files, concatenated, as the float path holds them: each
// pixel byte v as v/255.
func fakeImages(files ...int) (*matrix.Dense, []int) {
	var data []float64
	var labels []int
	for _, k := range files {
		for i := range tinyRecords[DataFiles()[k]] {
			labels = append(labels, int(fakeLabel(k, i)))
			for j := range ImageSize {
				data = append(data, float64(fakePixel(k, i, j))/255)
			}
		}
	}
	return denseOf(len(labels), ImageSize, data), labels
}

// checkSet checks that d (the split's set called name) holds, bit for bit,
// the images of raw normalised with stats by the float path (applyFloat),
// and labels, and that it carries stats.
func checkSet(t *testing.T, d Images, name string, raw *matrix.Dense, labels []int, stats Stats) {
	t.Helper()
	want := raw.Clone()
	applyFloat(stats, want)
	checkImages(t, name, d, want, labels)
	if s, ok := d.Stats(); !ok || !sameFloats(s.Mean, stats.Mean) || !sameFloats(s.Std, stats.Std) {
		t.Errorf("%s: not normalised with the training statistics", name)
	}
}

func TestSplitBatch1(t *testing.T) {
	d, err := LoadDataset(filepath.Join("testdata", "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	s := d.SplitBatch1()
	if s.Name != "batch1" {
		t.Errorf("Name = %q", s.Name)
	}
	trainRaw, trainLabels := fakeImages(0)
	wantStats := floatStats(trainRaw)
	for j := range ImageSize {
		if s.Stats.Mean[j] != wantStats.Mean[j] || s.Stats.Std[j] != wantStats.Std[j] {
			t.Fatalf("feature %d: stats %v %v, want the training set's %v %v", j, s.Stats.Mean[j], s.Stats.Std[j], wantStats.Mean[j], wantStats.Std[j])
		}
	}
	if s.Stats.Std[0] != 1 || s.Stats.Mean[0] != 100.0/255 {
		t.Errorf("constant pixel 0: mean %v std %v, want 100/255 and 1", s.Stats.Mean[0], s.Stats.Std[0])
	}
	checkSet(t, s.Train, "train", trainRaw, trainLabels, wantStats)
	valRaw, valLabels := fakeImages(1)
	checkSet(t, s.Validation, "validation", valRaw, valLabels, wantStats)
	testRaw, testLabels := fakeImages(5)
	checkSet(t, s.Test, "test", testRaw, testLabels, wantStats)
}

func TestSplitAll(t *testing.T) {
	d, err := LoadDataset(filepath.Join("testdata", "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	raw, labels := fakeImages(0, 1, 2, 3, 4) // 15 images
	n := len(labels)
	for _, nVal := range []int{1, 4, n - 1} {
		t.Run(fmt.Sprint(nVal), func(t *testing.T) {
			s, err := d.SplitAll(nVal)
			if err != nil {
				t.Fatal(err)
			}
			nTrain := n - nVal
			if want := fmt.Sprintf("all-%d-%d", nTrain, nVal); s.Name != want {
				t.Errorf("Name = %q, want %q", s.Name, want)
			}
			stats := floatStats(raw.RowRange(0, nTrain))
			if !sameFloats(s.Stats.Mean, stats.Mean) || !sameFloats(s.Stats.Std, stats.Std) {
				t.Errorf("the statistics differ from floatStats of the %d training images", nTrain)
			}
			checkSet(t, s.Train, "train", raw.RowRange(0, nTrain), labels[:nTrain], stats)
			checkSet(t, s.Validation, "validation", raw.RowRange(nTrain, n), labels[nTrain:], stats)
			testRaw, testLabels := fakeImages(5)
			checkSet(t, s.Test, "test", testRaw, testLabels, stats)
			if got := floatStats(s.Train.Matrix()); !(math.Abs(got.Mean[5]) <= 1e-12) || !(math.Abs(got.Std[5]-1) <= 1e-12) && nTrain > 1 {
				t.Errorf("normalised training feature 5: mean %v std %v", got.Mean[5], got.Std[5])
			}
		})
	}
}

// TestLoadDatasetErrors checks the one-line errors of LoadDataset (missing
// files, a missing directory, a bad label, a truncated file, a directory
// for a file) and of SplitAll (nVal out of range), word for word where
// they do not depend on the file system.
func TestLoadDatasetErrors(t *testing.T) {
	withBad := copyDir(t, "tiny")
	copyFile(t, filepath.Join("testdata", "malformed", "label10.bin"), filepath.Join(withBad, "data_batch_3.bin"))
	withTruncated := copyDir(t, "tiny")
	copyFile(t, filepath.Join("testdata", "malformed", "truncated.bin"), filepath.Join(withTruncated, TestFile))
	lacking := copyDir(t, "tiny", "data_batch_2.bin", TestFile)
	withDir := copyDir(t, "tiny", "data_batch_4.bin")
	if err := os.Mkdir(filepath.Join(withDir, "data_batch_4.bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	tiny := filepath.Join("testdata", "tiny")
	d, err := LoadDataset(tiny)
	if err != nil {
		t.Fatal(err)
	}
	loadAll := func(dir string) func() error {
		return func() error { _, err := LoadDataset(dir); return err }
	}
	splitAll := func(nVal int) func() error {
		return func() error { _, err := d.SplitAll(nVal); return err }
	}
	for _, tc := range []struct {
		name  string
		err   func() error
		is    error
		parts []string // the message must contain each; it is the first when tc.whole
		whole bool     // the message is parts[0], word for word
	}{
		{"lacking files", loadAll(lacking), ErrNotFound, []string{
			"cifar: " + lacking + " lacks 2 of the CIFAR-10 binary files (data_batch_2.bin, test_batch.bin): " + fixHint,
			"go run . download", "-data or $CIFAR10_DIR"}, true},
		{"no directory", loadAll(filepath.Join(lacking, "nothere")), ErrNotFound, []string{
			"cifar: CIFAR-10 directory " + filepath.Join(lacking, "nothere") + " does not exist: " + fixHint}, true},
		{"bad label", loadAll(withBad), ErrMalformed, []string{
			"cifar: " + filepath.Join(withBad, "data_batch_3.bin") + ": record 2 (byte offset 6146) has label 10; labels must be 0..9 (not a CIFAR-10 binary batch?)"}, true},
		{"truncated test batch", loadAll(withTruncated), ErrMalformed, []string{
			"cifar: " + filepath.Join(withTruncated, TestFile) + ": size 6246 bytes is not a multiple of the 3073-byte record: 2 whole records and 100 bytes left over (truncated download or not a CIFAR-10 binary batch)"}, true},
		{"a directory for a file", loadAll(withDir), nil, []string{filepath.Join(withDir, "data_batch_4.bin")}, false},
		{"nVal 0", splitAll(0), nil, []string{
			"cifar: 0 validation images requested; it must be between 1 and 14 (the training batches in testdata/tiny hold 15 images)"}, true},
		{"nVal -1", splitAll(-1), nil, []string{
			"cifar: -1 validation images requested; it must be between 1 and 14 (the training batches in testdata/tiny hold 15 images)"}, true},
		{"nVal all", splitAll(15), nil, []string{
			"cifar: 15 validation images requested; it must be between 1 and 14 (the training batches in testdata/tiny hold 15 images)"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			if err == nil {
				t.Fatal("no error")
			}
			if tc.whole && err.Error() != tc.parts[0] {
				t.Errorf("error %q, want %q", err, tc.parts[0])
			}
			checkError(t, err, tc.is, tc.parts...)
		})
	}
}

// loadSplits loads the files of dir with LoadDataset and returns the
// Dataset with its splits all-…-nVal and batch1.
func loadSplits(t testing.TB, dir string, nVal int) (d *Dataset, all, batch1 *Split) {
	t.Helper()
	d, err := LoadDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	all, err = d.SplitAll(nVal)
	if err != nil {
		t.Fatal(err)
	}
	return d, all, d.SplitBatch1()
}

// TestDatasetGOMAXPROCS checks that loading the files in parallel, and
// computing and applying the statistics, give the same split whatever the
// number of goroutines.
func TestDatasetGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	type result struct {
		s          *Split
		train, val *matrix.Dense // the normalised values
	}
	var results []result
	for _, procs := range []int{1, 2, 5} {
		runtime.GOMAXPROCS(procs)
		_, s, _ := loadSplits(t, filepath.Join("testdata", "tiny"), 3)
		results = append(results, result{s, s.Train.Matrix(), s.Validation.Matrix()})
	}
	r0 := results[0]
	for k, r := range results[1:] {
		if !sameImages(r.s.Train, r0.s.Train) || !sameImages(r.s.Validation, r0.s.Validation) || !sameImages(r.s.Test, r0.s.Test) ||
			!sameBits(r.train, r0.train) || !sameBits(r.val, r0.val) ||
			!sameFloats(r.s.Stats.Mean, r0.s.Stats.Mean) || !sameFloats(r.s.Stats.Std, r0.s.Stats.Std) {
			t.Errorf("split %d differs from the one loaded at GOMAXPROCS 1", k+1)
		}
	}
}
