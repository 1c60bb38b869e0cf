package network

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

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
	return Set{X: X, Y: y}
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

// cifarBatch1 reads the first n images of data_batch_1.bin from $CIFAR10_DIR
// with pixels scaled to [0, 1] and then normalised per feature with the
// statistics of those n images (std 0 replaced by 1); it skips the test when
// the directory or the file is absent. It is a reader for tests only, so that
// network's tests do not depend on the cifar package.
func cifarBatch1(t testing.TB, n int) Set {
	dir := os.Getenv("CIFAR10_DIR")
	if dir == "" {
		t.Skip("CIFAR10_DIR is not set: skipping the test on the real CIFAR-10 data (set it to the cifar-10-batches-bin directory)")
	}
	b, err := os.ReadFile(filepath.Join(dir, "data_batch_1.bin"))
	if err != nil {
		t.Skipf("CIFAR10_DIR=%s: %v", dir, err)
	}
	const d, rec = 3072, 3073
	if len(b) < n*rec {
		t.Fatalf("data_batch_1.bin has %d bytes, want at least %d", len(b), n*rec)
	}
	X := matrix.New(n, d)
	y := make([]int, n)
	for i := 0; i < n; i++ {
		y[i] = int(b[i*rec])
		row := X.Row(i)
		for j := range row {
			row[j] = float64(b[i*rec+1+j]) / 255
		}
	}
	for j := 0; j < d; j++ {
		mean, sq := 0.0, 0.0
		for i := 0; i < n; i++ {
			mean += X.At(i, j)
		}
		mean /= float64(n)
		for i := 0; i < n; i++ {
			sq += (X.At(i, j) - mean) * (X.At(i, j) - mean)
		}
		std := math.Sqrt(sq / float64(n))
		if std == 0 {
			std = 1
		}
		for i := 0; i < n; i++ {
			X.Set(i, j, (X.At(i, j)-mean)/std)
		}
	}
	return Set{X: X, Y: y}
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
