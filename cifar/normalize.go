package cifar

import (
	"fmt"
	"math"

	"twolayer/matrix"
)

// Stats holds per-feature statistics of a training set, one entry per
// column of its n×d matrix.
type Stats struct {
	Mean []float64 // μ_j = (1/n) Σ_i X_ij
	Std  []float64 // σ_j = sqrt((1/n) Σ_i (X_ij − μ_j)²), or 1 where that is 0
}

// ComputeStats returns the per-feature mean and population standard
// deviation (ddof = 0, as numpy's std) of the n×d matrix x:
//
//	μ_j = (1/n) Σ_i X_ij,  σ_j = sqrt((1/n) Σ_i (X_ij − μ_j)²),
//
// with σ_j replaced by 1 where it is 0, so that a constant feature is left
// unscaled. The sums run over the rows in order, so the result does not
// depend on anything but x. It panics if x has no rows.
func ComputeStats(x *matrix.Dense) Stats {
	n, d := x.Dims()
	if n == 0 {
		panic("cifar.ComputeStats: no rows: the statistics of an empty training set are undefined")
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

// Apply normalises x in place with the statistics s:
//
//	X_ij ← (X_ij − μ_j) / σ_j,  X is n×d, μ and σ have d entries.
//
// It panics if x does not have len(s.Mean) columns.
func (s Stats) Apply(x *matrix.Dense) {
	if x.Cols() != len(s.Mean) || len(s.Std) != len(s.Mean) {
		panic(fmt.Sprintf("cifar.Stats.Apply: %d×%d matrix, statistics of %d features (%d std)",
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

// Normalize computes the per-feature statistics of train (see ComputeStats)
// and applies them in place to train and then to each of others (validation
// and test sets are normalised with the training statistics). It returns
// the statistics, so that a saved model can normalise new data the same way.
// It panics if train has no rows or if a matrix has a different number of
// columns than train.
func Normalize(train *matrix.Dense, others ...*matrix.Dense) Stats {
	s := ComputeStats(train)
	for _, x := range others {
		if x.Cols() != train.Cols() {
			panic(fmt.Sprintf("cifar.Normalize: training set has %d features, another set %d", train.Cols(), x.Cols()))
		}
	}
	s.Apply(train)
	for _, x := range others {
		s.Apply(x)
	}
	return s
}
