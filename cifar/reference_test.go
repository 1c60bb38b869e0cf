package cifar

import (
	"fmt"
	"math"
	"os"
	"testing"

	"twolayer/matrix"
)

// The float64 path the package had before Images: a set decoded into an
// n×3072 matrix (pixel byte v as v/255), its statistics computed on the
// matrix and applied to it in place. It is kept here, word for word the
// removed code's arithmetic, as the reference the byte path is compared
// with bit for bit: Images.Image, Images.Matrix and Images.ComputeStats
// must give what these give, and they share nothing with them but
// parallelFor (which only splits the work).

// floatSet is a labelled set as the float path held it (the removed Set):
// X n×d, one image per row, and the n labels.
type floatSet struct {
	X      *matrix.Dense
	Labels []int
}

// floatSplit is a split of floatSets, all normalised with the statistics
// of the training set (the removed Split).
type floatSplit struct {
	Name                    string
	Train, Validation, Test floatSet
	Stats                   Stats
}

// decodeFloat decodes the binary records rec into a floatSet: record i's
// label, and its pixel bytes v as float64(v)/255 in row i (the removed
// decodeRecords, computing v/255 itself rather than reading pixelValue). It
// panics on a label above 9: the reference is only given good records.
func decodeFloat(rec []byte) floatSet {
	if len(rec)%RecordSize != 0 {
		panic(fmt.Sprintf("decodeFloat: %d bytes, not whole records", len(rec)))
	}
	n := len(rec) / RecordSize
	s := floatSet{X: matrix.New(n, ImageSize), Labels: make([]int, n)}
	for i := range n {
		r := rec[i*RecordSize : (i+1)*RecordSize]
		if r[0] >= NumClasses {
			panic(fmt.Sprintf("decodeFloat: record %d has label %d", i, r[0]))
		}
		s.Labels[i] = int(r[0])
		row := s.X.Row(i)
		for j, v := range r[1:] {
			row[j] = float64(v) / 255
		}
	}
	return s
}

// loadFloat reads the batch files paths (of any version, told apart as
// LoadBatch does) with os.ReadFile and decodes them, concatenated, with
// decodeFloat.
func loadFloat(t testing.TB, paths ...string) floatSet {
	t.Helper()
	var rec []byte
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r, err := toRecords(path, data, sniff(data))
		if err != nil {
			t.Fatal(err)
		}
		rec = append(rec, r...)
	}
	return decodeFloat(rec)
}

// loadFloatBatch1 is the removed LoadSplitBatch1 on the reference: the
// split "batch1" of dir (train = data_batch_1, validation = data_batch_2,
// test = test_batch), read with loadFloat and normalised with
// normalizeFloat.
func loadFloatBatch1(t testing.TB, dir string) *floatSplit {
	t.Helper()
	return newFloatSplit("batch1", loadFloat(t, BatchPath(dir, trainFiles[0])),
		loadFloat(t, BatchPath(dir, trainFiles[1])), loadFloat(t, BatchPath(dir, TestFile)))
}

// loadFloatAll is the removed LoadSplitAll on the reference: the split
// "all-<nTrain>-<nVal>" of dir, whose training and validation sets are row
// views of one matrix of the five training batches, read with loadFloat
// and normalised with normalizeFloat. nVal must be valid.
func loadFloatAll(t testing.TB, dir string, nVal int) *floatSplit {
	t.Helper()
	var paths []string
	for _, name := range TrainFiles() {
		paths = append(paths, BatchPath(dir, name))
	}
	all := loadFloat(t, paths...)
	n := len(all.Labels)
	nTrain := n - nVal
	train := floatSet{X: all.X.RowRange(0, nTrain), Labels: all.Labels[:nTrain:nTrain]}
	val := floatSet{X: all.X.RowRange(nTrain, n), Labels: all.Labels[nTrain:]}
	return newFloatSplit(fmt.Sprintf("all-%d-%d", nTrain, nVal), train, val, loadFloat(t, BatchPath(dir, TestFile)))
}

// newFloatSplit normalises train, val and test in place with the
// statistics of train (normalizeFloat) and returns them as the split
// called name.
func newFloatSplit(name string, train, val, test floatSet) *floatSplit {
	stats := normalizeFloat(train.X, val.X, test.X)
	return &floatSplit{Name: name, Train: train, Validation: val, Test: test, Stats: stats}
}

// floatStats is the removed ComputeStats: the per-feature mean and
// population standard deviation (ddof = 0) of the n×d matrix x,
//
//	μ_j = (1/n) Σ_i X_ij,  σ_j = sqrt((1/n) Σ_i (X_ij − μ_j)²),
//
// with σ_j replaced by 1 where it is 0. The sums run over the rows in
// order. It panics if x has no rows.
func floatStats(x *matrix.Dense) Stats {
	n, d := x.Dims()
	if n == 0 {
		panic("floatStats: no rows: the statistics of an empty training set are undefined")
	}
	mean := make([]float64, d)
	std := make([]float64, d)
	// Each goroutine owns a range of features and sums over the rows in
	// order, so the sums do not depend on the number of goroutines.
	parallelFor(d, func(lo, hi int) {
		m, ss := mean[lo:hi], std[lo:hi]
		for i := range n {
			for j, v := range x.Row(i)[lo:hi] {
				m[j] += v
			}
		}
		for j := range m {
			m[j] /= float64(n)
		}
		for i := range n {
			for j, v := range x.Row(i)[lo:hi] {
				dv := v - m[j]
				ss[j] += dv * dv
			}
		}
		for j := range ss {
			ss[j] = math.Sqrt(ss[j] / float64(n))
			if ss[j] == 0 {
				ss[j] = 1
			}
		}
	})
	return Stats{Mean: mean, Std: std}
}

// applyFloat is the removed Stats.Apply: it normalises x in place with the
// statistics s,
//
//	X_ij ← (X_ij − μ_j) / σ_j.
//
// It panics if x does not have len(s.Mean) columns.
func applyFloat(s Stats, x *matrix.Dense) {
	if x.Cols() != len(s.Mean) || len(s.Std) != len(s.Mean) {
		panic(fmt.Sprintf("applyFloat: %d×%d matrix, statistics of %d features (%d std)",
			x.Rows(), x.Cols(), len(s.Mean), len(s.Std)))
	}
	mean, std := s.Mean, s.Std[:len(s.Mean)]
	parallelFor(x.Rows(), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := x.Row(i)[:len(mean)]
			for j := range row {
				row[j] = (row[j] - mean[j]) / std[j]
			}
		}
	})
}

// normalizeFloat is the removed Normalize: it computes the statistics of
// train (floatStats) and applies them in place to train and then to each
// of others, and returns them. It panics if train has no rows or if a
// matrix has a different number of columns than train.
func normalizeFloat(train *matrix.Dense, others ...*matrix.Dense) Stats {
	s := floatStats(train)
	for _, x := range others {
		if x.Cols() != train.Cols() {
			panic(fmt.Sprintf("normalizeFloat: training set has %d features, another set %d", train.Cols(), x.Cols()))
		}
	}
	applyFloat(s, train)
	for _, x := range others {
		applyFloat(s, x)
	}
	return s
}
