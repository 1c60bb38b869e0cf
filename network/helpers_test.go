package network

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"twolayer/cifar"
	"twolayer/matrix"
)

// randomSet returns n images of d values drawn from N(0, 1) and labels
// uniform in 0..k−1, from seed.
func randomSet(n, d, k int, seed uint64) Set {
	r := rand.New(rand.NewPCG(seed, 1))
	X := matrix.New(n, d)
	for i := 0; i < n; i++ {
		row := X.Row(i)
		for j := range row {
			row[j] = r.NormFloat64()
		}
	}
	y := make([]int, n)
	for i := range y {
		y[i] = r.IntN(k)
	}
	return Set{X: X, Labels: y}
}

// cifarOrRandom returns the first n images of data_batch_1 as cifarBatch1
// does when $CIFAR10_DIR is set, else randomSet(n, 3072, 10, seed); the
// string says which.
func cifarOrRandom(t testing.TB, n int, seed uint64) (Set, string) {
	if os.Getenv("CIFAR10_DIR") != "" {
		return cifarBatch1(t, n), "CIFAR-10 data_batch_1"
	}
	return randomSet(n, 3072, 10, seed), "synthetic N(0,1) images (CIFAR10_DIR unset)"
}

// cifarBatch1 returns the first n images of data_batch_1.bin in
// $CIFAR10_DIR, loaded by cifar.LoadBatch and normalised with the statistics
// of those n images, as a matrix; it skips the test when the directory or
// the file is absent.
func cifarBatch1(t testing.TB, n int) Set {
	dir := os.Getenv("CIFAR10_DIR")
	if dir == "" {
		t.Skip("CIFAR10_DIR is not set: skipping the test on the real CIFAR-10 data (set it to the cifar-10-batches-bin directory)")
	}
	b, err := cifar.LoadBatch(filepath.Join(dir, "data_batch_1.bin"))
	if err != nil {
		t.Skipf("CIFAR10_DIR=%s: %v", dir, err)
	}
	if b.Len() < n {
		t.Fatalf("data_batch_1.bin has %d images, want at least %d", b.Len(), n)
	}
	first := b.Slice(0, n)
	first = first.WithStats(first.ComputeStats())
	return Set{X: first.Matrix(), Labels: first.Labels()}
}

// sameBits reports whether a and b hold bitwise-equal values.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// defaultConfig returns the report's setting of section 3.1(a): η_min = 1e-5,
// η_max = 0.1, n_s = 500, one cycle, batches of 100, λ = 0.01, 10
// recordings per cycle, no shuffling.
func defaultConfig() Config {
	return Config{EtaMin: 1e-5, EtaMax: 0.1, StepSize: 500, Cycles: 1, BatchSize: 100, Lambda: 0.01, RecordsPerCycle: 10}
}

// reduced is ReducedProblem on the Set s, returning the reduced images and
// labels as a Set.
func reduced(net *Params, s Set, d, n int) (*Params, Set) {
	q, X, y := ReducedProblem(net, s.X, s.Labels, d, n)
	return q, Set{X: X, Labels: y}
}
