package cifar

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"twolayer/matrix"
	"twolayer/network"
)

// Images is the network's Data. (cifar's tests may import network: network
// does not import cifar.)
var _ network.Data = Images{}

// sameBits reports whether a and b have the same shape and entries with the
// same bits (so +0 and −0 differ, and equal NaNs match).
func sameBits(a, b *matrix.Dense) bool {
	if a.Rows() != b.Rows() || a.Cols() != b.Cols() {
		return false
	}
	for i := range a.Rows() {
		ra, rb := a.Row(i), b.Row(i)
		for j := range ra {
			if math.Float64bits(ra[j]) != math.Float64bits(rb[j]) {
				return false
			}
		}
	}
	return true
}

// checkImages checks that m holds, image by image, the rows of want (bit
// for bit, through Image) and the labels, and that Matrix gives the same
// (for small sets).
func checkImages(t *testing.T, name string, m Images, want *matrix.Dense, labels []int) {
	t.Helper()
	if m.Len() != len(labels) || want.Rows() != len(labels) || m.Dim() != want.Cols() {
		t.Fatalf("%s: %d images of %d values, want %d of %d", name, m.Len(), m.Dim(), want.Rows(), want.Cols())
	}
	if !slices.Equal(m.Labels(), labels) {
		t.Errorf("%s: labels %v, want %v", name, m.Labels(), labels)
	}
	x := make([]float64, ImageSize)
	for i := range labels {
		if m.Label(i) != labels[i] {
			t.Errorf("%s: Label(%d) = %d, want %d", name, i, m.Label(i), labels[i])
		}
		m.Image(x, i, 0)
		for j, v := range want.Row(i) {
			if math.Float64bits(x[j]) != math.Float64bits(v) {
				t.Fatalf("%s: image %d, value %d: %v, want %v", name, i, j, x[j], v)
			}
		}
	}
	if m.Len() <= 100 && !sameBits(m.Matrix(), want) { // (a matrix of the real sets would take GBs)
		t.Errorf("%s: Matrix differs from the images' values", name)
	}
}

// checkSplit checks that the byte-backed split got holds, bit for bit, the
// reference float split want: name, statistics, every image and label.
func checkSplit(t *testing.T, got *Split, want *floatSplit) {
	t.Helper()
	if got.Name != want.Name {
		t.Errorf("Name = %q, want %q", got.Name, want.Name)
	}
	if !sameFloats(got.Stats.Mean, want.Stats.Mean) || !sameFloats(got.Stats.Std, want.Stats.Std) {
		t.Errorf("%s: statistics differ from the float path's", got.Name)
	}
	for _, set := range []struct {
		name string
		got  Images
		want floatSet
	}{{"train", got.Train, want.Train}, {"validation", got.Validation, want.Validation}, {"test", got.Test, want.Test}} {
		checkImages(t, got.Name+" "+set.name, set.got, set.want.X, set.want.Labels)
		if s, ok := set.got.Stats(); !ok || !sameFloats(s.Mean, want.Stats.Mean) || !sameFloats(s.Std, want.Stats.Std) {
			t.Errorf("%s %s: not normalised with the training statistics", got.Name, set.name)
		}
	}
}

// sameFloats reports whether a and b hold the same bits.
func sameFloats(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

// TestDatasetSplits checks the splits of LoadDataset against those of the
// float path (loadFloatBatch1 and loadFloatAll, the removed LoadSplitBatch1
// and LoadSplitAll), bit for bit, on the tiny files of each version.
func TestDatasetSplits(t *testing.T) {
	for _, version := range []string{"tiny", "tiny-py", "tiny-mat"} {
		t.Run(version, func(t *testing.T) {
			dir := filepath.Join("testdata", version)
			d, err := LoadDataset(dir)
			if err != nil {
				t.Fatal(err)
			}
			if d.Train.Len() != 15 || d.Test.Len() != 4 || d.Dir != dir {
				t.Fatalf("%d training and %d test images from %s", d.Train.Len(), d.Test.Len(), d.Dir)
			}
			if _, ok := d.Train.Stats(); ok {
				t.Error("the dataset's training images are normalised")
			}
			checkSplit(t, d.SplitBatch1(), loadFloatBatch1(t, dir))
			for _, nVal := range []int{1, 4, 14} {
				got, err := d.SplitAll(nVal)
				if err != nil {
					t.Fatal(err)
				}
				checkSplit(t, got, loadFloatAll(t, dir, nVal))
			}
		})
	}
}

// TestDatasetSharesBytes checks that the splits of a Dataset are views of
// its one buffer: none copies the images.
func TestDatasetSharesBytes(t *testing.T) {
	d, all, b1 := loadSplits(t, filepath.Join("testdata", "tiny"), 4)
	same := func(a, b Images) bool { return &a.Pixels(0)[0] == &b.Pixels(0)[0] }
	if !same(all.Train, d.Train) || !same(b1.Train, d.Train) || !same(all.Validation, d.Train.Slice(11, 15)) ||
		!same(b1.Validation, d.Train.Slice(3, 6)) || !same(all.Test, d.Test) || !same(b1.Test, d.Test) {
		t.Error("a split's images are not a view of the dataset's bytes")
	}
	last := d.Train.Pixels(d.Train.Len() - 1)
	if unsafe.Add(unsafe.Pointer(&last[ImageSize-1]), 1) != unsafe.Pointer(&d.Test.Pixels(0)[0]) {
		t.Error("the test images do not follow the training images in one buffer")
	}
}

// TestImagesViews checks Slice, WithStats, Raw, Pixels and Stats against the
// float path: the images' v/255 (fakeImages), normalised by applyFloat.
func TestImagesViews(t *testing.T) {
	raw, labels := fakeImages(0, 1, 2, 3, 4) // 15 images
	d, err := LoadDataset(filepath.Join("testdata", "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	m := d.Train
	checkImages(t, "raw", m, raw, labels)
	for i := range m.Len() {
		for j, v := range m.Pixels(i) {
			if pixelValue[v] != raw.At(i, j) {
				t.Fatalf("Pixels(%d)[%d] = %d, want %v·255", i, j, v, raw.At(i, j))
			}
		}
	}
	if len(m.Pixels(2)) != ImageSize || cap(m.Pixels(2)) != ImageSize {
		t.Errorf("Pixels: len %d cap %d, want %d", len(m.Pixels(2)), cap(m.Pixels(2)), ImageSize)
	}

	stats := syntheticStats(ImageSize, 3)
	norm := m.WithStats(stats)
	want := raw.Clone()
	applyFloat(stats, want)
	checkImages(t, "normalised", norm, want, labels)
	stats.Mean[5] = 99 // WithStats copied them
	if s, ok := norm.Stats(); !ok || s.Mean[5] == 99 || s.Std[7] != stats.Std[7] {
		t.Error("Stats does not return a copy of the statistics given to WithStats")
	} else if s.Mean[1] = 42; func() bool { s2, _ := norm.Stats(); return s2.Mean[1] == 42 }() {
		t.Error("Stats returns the normalizer's own slices")
	}
	checkImages(t, "normalised", norm, want, labels)
	checkImages(t, "slice", norm.Slice(4, 9), want.RowRange(4, 9), labels[4:9])
	checkImages(t, "slice of a slice", norm.Slice(4, 9).Slice(1, 3), want.RowRange(5, 7), labels[5:7])
	checkImages(t, "empty slice", norm.Slice(15, 15), want.RowRange(15, 15), []int{})
	checkImages(t, "raw again", norm.Raw().Slice(2, 15), raw.RowRange(2, 15), labels[2:])
	if _, ok := norm.Raw().Stats(); ok {
		t.Error("Raw keeps the statistics")
	}

	var zero Images
	if zero.Len() != 0 || zero.Dim() != ImageSize || len(zero.Labels()) != 0 || zero.Matrix().Rows() != 0 {
		t.Errorf("zero Images: Len %d Dim %d", zero.Len(), zero.Dim())
	}
	for _, bad := range [][2]int{{-1, 2}, {3, 2}, {0, 16}} {
		if !panics(func() { m.Slice(bad[0], bad[1]) }) {
			t.Errorf("Slice(%d, %d) of 15 images does not panic", bad[0], bad[1])
		}
	}
	if !panics(func() { m.WithStats(constStats(10, 0, 1)) }) {
		t.Error("WithStats with statistics of 10 features does not panic")
	}
}

// panics reports whether f panics.
func panics(f func()) (p bool) {
	defer func() { p = recover() != nil }()
	f()
	return false
}

// TestImagesConcurrent reads every image from several goroutines at once
// (as the network's loader does), raw and normalised; run with -race.
func TestImagesConcurrent(t *testing.T) {
	d, err := LoadDataset(filepath.Join("testdata", "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := d.SplitAll(3)
	for _, m := range []Images{d.Train, s.Train, s.Test} {
		want := m.Matrix()
		var wg sync.WaitGroup
		errs := make(chan string, 8)
		for g := range 8 {
			wg.Go(func() {
				x := make([]float64, ImageSize)
				for k := range 50 {
					i := (g + 7*k) % m.Len()
					m.Image(x, i, 0)
					if !sameFloats(x, want.Row(i)) {
						errs <- fmt.Sprintf("goroutine %d: image %d differs", g, i)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	}
}

// TestImagesComputeStats checks the statistics from bytes against
// floatStats (the removed ComputeStats) on the float path's matrix of the
// same images, bit for bit, on random images with constant features, at
// several GOMAXPROCS.
func TestImagesComputeStats(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 3, 37, 200} {
		pix := randomPixels(n, uint64(n))
		for i := range n {
			pix[i*ImageSize+17] = 255                  // constant, and 1.0, so that its sums are exact: σ = 0, taken as 1
			pix[i*ImageSize+40] = byte(r.IntN(2))      // two values
			pix[i*ImageSize+ImageSize-1] = byte(i)     // rising
			pix[i*ImageSize+100] = byte(255 * (i % 2)) // the extremes
		}
		labels := make([]byte, n)
		m, err := NewImages(pix, labels)
		if err != nil {
			t.Fatal(err)
		}
		var rec []byte // the images as records, for the float path
		for i := range n {
			rec = append(append(rec, labels[i]), m.Pixels(i)...)
		}
		want := floatStats(decodeFloat(rec).X)
		for _, procs := range []int{1, 2, 5} {
			old := runtime.GOMAXPROCS(procs)
			got := m.WithStats(syntheticStats(ImageSize, 1)).ComputeStats() // the statistics carried do not matter
			runtime.GOMAXPROCS(old)
			if !sameFloats(got.Mean, want.Mean) || !sameFloats(got.Std, want.Std) {
				t.Fatalf("n = %d, GOMAXPROCS %d: the statistics differ from floatStats on the matrix", n, procs)
			}
		}
		if want.Std[17] != 1 {
			t.Errorf("constant feature: std %v", want.Std[17])
		}
	}
	if !panics(func() { Images{}.ComputeStats() }) {
		t.Error("ComputeStats of no images does not panic")
	}
}

func TestNewImages(t *testing.T) {
	if _, err := NewImages(make([]byte, 2*ImageSize), []byte{1, 9}); err != nil {
		t.Error(err)
	}
	for _, tc := range []struct {
		pix    int
		labels []byte
		want   string
	}{
		{2*ImageSize - 1, []byte{1, 2}, "cifar: 6143 pixel bytes for 2 labels; an image has 3072"},
		{2 * ImageSize, []byte{1, 10}, "cifar: image 1 has label 10; labels must be 0..9"},
	} {
		if _, err := NewImages(make([]byte, tc.pix), tc.labels); err == nil || err.Error() != tc.want {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}

// TestReadInPlace checks readInPlace against stripLabels on whole files of
// sizes where the tail buffer holds part of the last image, all of it, its
// label and more than one record (from 3,073 records on), and that a bad
// label there is reported as record i.
func TestReadInPlace(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(8, 8))
	for _, n := range []int{1, 2, 3, 3072, 3073, 3074, 6200} {
		data := make([]byte, n*RecordSize)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		for i := range n {
			data[i*RecordSize] = byte(r.IntN(NumClasses))
		}
		path := filepath.Join(dir, fmt.Sprint(n))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		pix, labels := make([]byte, n*ImageSize), make([]byte, n)
		if err := readInPlace(path, pix, labels); err != nil {
			t.Fatal(err)
		}
		wantPix, wantLabels := make([]byte, n*ImageSize), make([]byte, n)
		if err := stripLabels(path, data, wantPix, wantLabels); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(pix, wantPix) || !slices.Equal(labels, wantLabels) {
			t.Fatalf("%d records: readInPlace differs from stripLabels", n)
		}
		// A bad label in the last record, which lies in the tail buffer
		// from 3,073 records on.
		data[(n-1)*RecordSize] = 12
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		err := readInPlace(path, pix, labels)
		if want := fmt.Sprintf("record %d (byte offset %d) has label 12", n-1, (n-1)*RecordSize); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%d records: error %v, want one with %q", n, err, want)
		}
		// A file whose size is not the one it was sized with.
		err = readInPlace(path, make([]byte, (n+1)*ImageSize), make([]byte, n+1))
		if want := fmt.Sprintf("changed size while being read (%d bytes, then %d)", (n+1)*RecordSize, n*RecordSize); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%d records: error %v, want one with %q", n, err, want)
		}
	}
}
