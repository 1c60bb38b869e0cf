package experiments

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// fakeRecords is the number of records of each fake batch file.
const fakeRecords = 200

// writeFakeCIFAR writes a tiny CIFAR-10 directory into a temporary
// directory: the six batch files with fakeRecords records each, in the
// binary format (label byte, then 3,072 pixel bytes). The images are
// learnable: each class has its own random mean image, and every pixel is
// that mean plus noise. It returns the directory.
func writeFakeCIFAR(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cifar-10-batches-bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var means [10][3072]float64
	for k := range means {
		for j := range means[k] {
			means[k][j] = 60 + 136*rng.Float64()
		}
	}
	names := []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"}
	for f, name := range names {
		buf := make([]byte, 0, fakeRecords*3073)
		for i := range fakeRecords {
			label := (i*7 + f) % 10 // every class, in another order in each file
			buf = append(buf, byte(label))
			for j := range 3072 {
				v := means[label][j] + 60*rng.NormFloat64()
				buf = append(buf, byte(min(255, max(0, v))))
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	meta := ""
	for k := range 10 {
		meta += fmt.Sprintf("class%d\n", k)
	}
	if err := os.WriteFile(filepath.Join(dir, "batches.meta.txt"), []byte(meta), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tinyOptions returns Options for quick runs on the fake data in dir,
// writing under a temporary directory.
func tinyOptions(t testing.TB, dir string) Options {
	return Options{
		DataDir: dir, OutDir: filepath.Join(t.TempDir(), "out"), Seed: 7, Quiet: true, Offline: true,
		BatchSize: 50, StepSize: 6, Cycles: 1, NVal: 100, RecordsPerCycle: 4,
		SideBySide: 1, // the tests of side by side set it themselves
	}
}
