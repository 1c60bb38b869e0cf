package cifar

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"twolayer/matrix"
)

// fakeImages returns the raw (unnormalised) images and labels of the tiny
// files numbered files, concatenated.
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

// checkSet checks that d (the split's set called name) holds the images of
// raw, normalised with stats, and labels.
func checkSet(t *testing.T, d Set, name string, raw *matrix.Dense, labels []int, stats Stats) {
	t.Helper()
	if d.Len() != len(labels) || d.X.Rows() != len(labels) || d.X.Cols() != ImageSize {
		t.Fatalf("%s: %d labels, %d×%d images; want %d", name, d.Len(), d.X.Rows(), d.X.Cols(), len(labels))
	}
	want := raw.Clone()
	stats.Apply(want)
	for i := range labels {
		if d.Labels[i] != labels[i] {
			t.Errorf("%s: label %d = %d, want %d", name, i, d.Labels[i], labels[i])
		}
		for j := range ImageSize {
			if d.X.At(i, j) != want.At(i, j) {
				t.Fatalf("%s: X(%d, %d) = %v, want %v", name, i, j, d.X.At(i, j), want.At(i, j))
			}
		}
	}
}

func TestLoadSplitBatch1(t *testing.T) {
	s, err := LoadSplitBatch1(filepath.Join("testdata", "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "batch1" {
		t.Errorf("Name = %q", s.Name)
	}
	trainRaw, trainLabels := fakeImages(0)
	wantStats := ComputeStats(trainRaw)
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

func TestLoadSplitAll(t *testing.T) {
	raw, labels := fakeImages(0, 1, 2, 3, 4) // 15 images
	n := len(labels)
	for _, nVal := range []int{1, 4, n - 1} {
		t.Run(fmt.Sprint(nVal), func(t *testing.T) {
			s, err := LoadSplitAll(filepath.Join("testdata", "tiny"), nVal)
			if err != nil {
				t.Fatal(err)
			}
			nTrain := n - nVal
			if want := fmt.Sprintf("all-%d-%d", nTrain, nVal); s.Name != want {
				t.Errorf("Name = %q, want %q", s.Name, want)
			}
			stats := ComputeStats(raw.RowRange(0, nTrain))
			checkSet(t, s.Train, "train", raw.RowRange(0, nTrain), labels[:nTrain], stats)
			checkSet(t, s.Validation, "validation", raw.RowRange(nTrain, n), labels[nTrain:], stats)
			testRaw, testLabels := fakeImages(5)
			checkSet(t, s.Test, "test", testRaw, testLabels, stats)
			if got := ComputeStats(s.Train.X); !(math.Abs(got.Mean[5]) <= 1e-12) || !(math.Abs(got.Std[5]-1) <= 1e-12) && nTrain > 1 {
				t.Errorf("normalised training feature 5: mean %v std %v", got.Mean[5], got.Std[5])
			}
		})
	}
}

func TestLoadSplitErrors(t *testing.T) {
	withBad := copyDir(t, "tiny")
	copyFile(t, filepath.Join("testdata", "malformed", "label10.bin"), filepath.Join(withBad, "data_batch_3.bin"))
	withTruncated := copyDir(t, "tiny")
	copyFile(t, filepath.Join("testdata", "malformed", "truncated.bin"), filepath.Join(withTruncated, TestFile))
	lacking := copyDir(t, "tiny", "data_batch_2.bin", TestFile)
	tiny := filepath.Join("testdata", "tiny")
	tests := []struct {
		name  string
		load  func() (*Split, error)
		is    error
		parts []string
	}{
		{"batch1 lacking files", func() (*Split, error) { return LoadSplitBatch1(lacking) }, ErrNotFound,
			[]string{lacking, "lacks 2", "data_batch_2.bin, test_batch.bin", "go run . download", "-data or $CIFAR10_DIR"}},
		{"all lacking files", func() (*Split, error) { return LoadSplitAll(lacking, 1) }, ErrNotFound,
			[]string{lacking, "data_batch_2.bin, test_batch.bin"}},
		{"no directory", func() (*Split, error) { return LoadSplitAll(filepath.Join(lacking, "nothere"), 1) }, ErrNotFound,
			[]string{"nothere does not exist", "go run . download"}},
		{"bad label", func() (*Split, error) { return LoadSplitAll(withBad, 1) }, ErrMalformed,
			[]string{"data_batch_3.bin", "record 2", "label 10"}},
		{"truncated test batch", func() (*Split, error) { return LoadSplitBatch1(withTruncated) }, ErrMalformed,
			[]string{"test_batch.bin", "2 whole records and 100 bytes left over"}},
		{"nVal 0", func() (*Split, error) { return LoadSplitAll(tiny, 0) }, nil,
			[]string{"0 validation images", "between 1 and 14", "hold 15 images"}},
		{"nVal all", func() (*Split, error) { return LoadSplitAll(tiny, 15) }, nil,
			[]string{"15 validation images", "between 1 and 14"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.load()
			if err == nil {
				t.Fatal("no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %v", err, tc.is)
			}
			for _, p := range tc.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not contain %q", err, p)
				}
			}
		})
	}
}

// TestLoadSplitGOMAXPROCS checks that loading the files in parallel gives
// the same split whatever the number of goroutines.
func TestLoadSplitGOMAXPROCS(t *testing.T) {
	var splits []*Split
	for _, procs := range []int{1, 2, 5} {
		old := runtime.GOMAXPROCS(procs)
		s, err := LoadSplitAll(filepath.Join("testdata", "tiny"), 3)
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		splits = append(splits, s)
	}
	for k, s := range splits[1:] {
		if !sameMatrix(s.Train.X, splits[0].Train.X) || !sameMatrix(s.Validation.X, splits[0].Validation.X) ||
			!slices.Equal(s.Train.Labels, splits[0].Train.Labels) || !slices.Equal(s.Stats.Std, splits[0].Stats.Std) {
			t.Errorf("split %d differs from the one loaded at GOMAXPROCS 1", k+1)
		}
	}
}
