package cifar

import (
	"runtime"
	"testing"
)

// The tests of the byte-backed sets on the real files ($CIFAR10_DIR).

// TestRealDataset checks that the splits of LoadDataset hold, bit for bit,
// what the float path's splits hold (loadFloatBatch1 and loadFloatAll, the
// removed LoadSplitBatch1 and LoadSplitAll): all 50,000 training and 10,000
// test images, normalised, and the statistics. The float split of all five
// batches takes 1.5 GB: skipped with -short.
func TestRealDataset(t *testing.T) {
	dir := realDir(t)
	d, err := LoadDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Len() != 50000 || d.Test.Len() != 10000 {
		t.Fatalf("%d training and %d test images", d.Train.Len(), d.Test.Len())
	}
	want := loadFloatBatch1(t, dir)
	checkSplit(t, d.SplitBatch1(), want)
	if testing.Short() {
		t.Skip("-short: not loading all five batches as float64 (1.5 GB)")
	}
	want = nil
	runtime.GC()
	want = loadFloatAll(t, dir, 1000)
	got, err := d.SplitAll(1000)
	if err != nil {
		t.Fatal(err)
	}
	checkSplit(t, got, want)
}

// TestRealKernels runs every kernel on every byte value at every feature
// with the statistics of the real training sets (data_batch_1; the 49,000
// images of all-49000-1000), against the division, and checks that the
// kernels' formula is exact for all of them: nothing falls back to the
// division.
func TestRealKernels(t *testing.T) {
	d, err := LoadDataset(realDir(t))
	if err != nil {
		t.Fatal(err)
	}
	all, err := d.SplitAll(1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Split{d.SplitBatch1(), all} {
		checkKernels(t, s.Stats)
		if z := newNormalizer(s.Stats); len(z.divide) != 0 {
			t.Errorf("%s: the fast formula is inexact at features %v", s.Name, z.divide)
		}
	}
}

// BenchmarkLoadDataset reports the time to read the six real files into a
// Dataset (no statistics: see BenchmarkSplitAll).
func BenchmarkLoadDataset(b *testing.B) {
	dir := realDir(b)
	for b.Loop() {
		if _, err := LoadDataset(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSplitAll reports the time to make the split all-49000-1000 of
// the loaded real files: the statistics of 49,000 images from their bytes,
// and their preparation for the kernels (newNormalizer, its exhaustive
// check included).
func BenchmarkSplitAll(b *testing.B) {
	d, err := LoadDataset(realDir(b))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := d.SplitAll(1000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComputeStats49000 reports the time to compute the statistics of
// the 49,000 real training images from their bytes (Images.ComputeStats)
// alone.
func BenchmarkComputeStats49000(b *testing.B) {
	d, err := LoadDataset(realDir(b))
	if err != nil {
		b.Fatal(err)
	}
	train := d.Train.Slice(0, 49000)
	for b.Loop() {
		train.ComputeStats()
	}
}

// TestRealDatasetMemory checks that LoadDataset allocates little more than
// the images themselves (60,000 × 3,072 pixel bytes and the labels): no
// buffer for a whole file. Run alone, its peak resident memory is that of
// loading (docs/performance.md):
//
//	go test -c -o cifar.test ./cifar && CIFAR10_DIR=DIR /usr/bin/time -v ./cifar.test -test.run '^TestRealDatasetMemory$'
func TestRealDatasetMemory(t *testing.T) {
	dir := realDir(t)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	d, err := LoadDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	images := uint64(d.Train.Len()+d.Test.Len()) * (ImageSize + 1)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d images: %.1f MB allocated for %.1f MB of pixels and labels", d.Train.Len()+d.Test.Len(), float64(allocated)/1e6, float64(images)/1e6)
	if allocated > images+1<<20 {
		t.Errorf("loading allocated %d bytes, more than the images' %d and 1 MiB", allocated, images)
	}
}
