package cifar

import (
	"fmt"
	"math"

	"twolayer/matrix"
)

// Images is a labelled set of n CIFAR-10 images held as the bytes of the
// files: the n×3,072 pixel bytes of the records, one image after the other
// (the label bytes stripped), and the n labels, 180 MB for all 60,000
// images where float64 values would take 1.47 GB. The network reads the
// images one at a time through Image, which turns the bytes into the values
// of the report's LoadBatch (v/255), normalised when the set carries
// statistics:
//
//	x_j = (v_j/255 − μ_j) / σ_j,  j = 0 … 3071,
//
// with IEEE arithmetic, bit for bit what normalising a float64 matrix of
// the values v/255 gives (the report's Normalize). Images satisfies
// network.Data.
//
// An Images is a view: Slice, WithStats and Raw return other views of the
// same bytes, so the sets of every split of a Dataset share one copy. The
// zero Images holds no image.
type Images struct {
	pix    []byte      // n·ImageSize pixel bytes, image i at [i·ImageSize, (i+1)·ImageSize)
	labels []byte      // n labels, each 0..9
	norm   *normalizer // the statistics Image normalises with; nil: none (raw values)
}

// NewImages returns the images of the pixel bytes pix, ImageSize per image
// in the binary files' order (1,024 red, 1,024 green, 1,024 blue bytes, each
// plane row-major), and their labels, unnormalised. It keeps pix and labels,
// which must not be changed afterwards. The error says what is wrong: a
// length that is not ImageSize per label, or a label above 9.
func NewImages(pix, labels []byte) (Images, error) {
	if len(pix) != len(labels)*ImageSize {
		return Images{}, fmt.Errorf("cifar: %d pixel bytes for %d labels; an image has %d", len(pix), len(labels), ImageSize)
	}
	for i, l := range labels {
		if l >= NumClasses {
			return Images{}, fmt.Errorf("cifar: image %d has label %d; labels must be 0..9", i, l)
		}
	}
	return Images{pix: pix, labels: labels}, nil
}

// LoadBatch is the report's LoadBatch (section 2.1): it reads the CIFAR-10
// batch file at path into unnormalised Images, whose Matrix is the report's
// X (n×3072, one image per row, each pixel byte v as v/255) and whose
// labels are its y. The file may be of any of the three versions, told apart
// by their first bytes: binary records, a pickle of the Python version or a
// MAT-file of the MATLAB version (the last two are first turned into binary
// records, see readRecords).
//
// The error names the file and what is wrong: it cannot be opened or read
// (errors.Is(err, fs.ErrNotExist) for a missing file), it is empty, its size
// is not a multiple of RecordSize, a label is above 9, or the pickle or
// MAT-file is not a CIFAR-10 batch (all but the first are ErrMalformed).
func LoadBatch(path string) (Images, error) {
	data, err := readWhole(path, nil)
	if err == nil {
		data, err = toRecords(path, data, sniff(data))
	}
	if err != nil {
		return Images{}, err
	}
	n, err := countRecords(path, int64(len(data)))
	if err != nil {
		return Images{}, err
	}
	m := Images{pix: make([]byte, n*ImageSize), labels: make([]byte, n)}
	if err := stripLabels(path, data, m.pix, m.labels); err != nil {
		return Images{}, err
	}
	return m, nil
}

// stripLabels copies the n = len(labels) records in data (n·RecordSize
// bytes) into pix (n·ImageSize bytes) and labels, and returns an
// ErrMalformed error naming the file called name and the first record
// whose label is above 9.
func stripLabels(name string, data, pix, labels []byte) error {
	for i := range labels {
		rec := data[i*RecordSize : (i+1)*RecordSize]
		if rec[0] >= NumClasses {
			return labelError(name, i, rec[0])
		}
		labels[i] = rec[0]
		copy(pix[i*ImageSize:(i+1)*ImageSize], rec[1:])
	}
	return nil
}

// labelError reports record i of the file called name, whose label is
// above 9.
func labelError(name string, i int, label byte) error {
	return &FormatError{File: name, Problem: fmt.Sprintf(
		"record %d (byte offset %d) has label %d; labels must be 0..9 (not a CIFAR-10 binary batch?)",
		i, i*RecordSize, label)}
}

// Len returns the number of images n.
func (m Images) Len() int { return len(m.labels) }

// Dim returns the number of values of an image, ImageSize.
func (m Images) Dim() int { return ImageSize }

// Label returns the label of image i, 0..9.
func (m Images) Label(i int) int { return int(m.labels[i]) }

// Labels returns the n labels, in a new slice.
func (m Images) Labels() []int {
	y := make([]int, len(m.labels))
	for i, l := range m.labels {
		y[i] = int(l)
	}
	return y
}

// Pixels returns the ImageSize bytes of image i, as in the file: 1,024 red,
// 1,024 green and 1,024 blue bytes, each plane row-major (for drawing the
// image). The slice shares the set's memory and must not be changed.
func (m Images) Pixels(i int) []byte {
	return m.pix[i*ImageSize : (i+1)*ImageSize : (i+1)*ImageSize]
}

// Image writes values j, j+1, …, j+len(x)−1 of image i into x (the whole
// image: j = 0 and ImageSize values): pixel byte v as v/255, minus μ_j and
// divided by σ_j when the set is normalised (WithStats), bit for bit
// (v/255 − μ_j)/σ_j in float64. It is safe to call from several goroutines
// at once. It panics unless 0 ≤ j and j+len(x) ≤ ImageSize.
func (m Images) Image(x []float64, i, j int) {
	z := m.norm
	if z == nil {
		z = rawNormalizer()
	}
	z.apply(x, m.Pixels(i)[j:j+len(x)], j)
}

// Slice returns images i0 … i1−1, a view of the same bytes with the same
// statistics. It panics unless 0 ≤ i0 ≤ i1 ≤ Len().
func (m Images) Slice(i0, i1 int) Images {
	if i0 < 0 || i0 > i1 || i1 > m.Len() {
		panic(fmt.Sprintf("cifar: Images.Slice(%d, %d) of %d images", i0, i1, m.Len()))
	}
	return Images{pix: m.pix[i0*ImageSize : i1*ImageSize : i1*ImageSize], labels: m.labels[i0:i1:i1], norm: m.norm}
}

// WithStats returns the same images normalised with the statistics s
// (copied): a view of the same bytes. Preparing the statistics takes about
// a millisecond (see pixels.go), so a set should be made once and kept, not
// remade for each use. It panics unless s has ImageSize means and standard
// deviations.
func (m Images) WithStats(s Stats) Images {
	if len(s.Mean) != ImageSize || len(s.Std) != ImageSize {
		panic(fmt.Sprintf("cifar: Images.WithStats: statistics of %d means and %d standard deviations; an image has %d values",
			len(s.Mean), len(s.Std), ImageSize))
	}
	m.norm = newNormalizer(s)
	return m
}

// Raw returns the same images unnormalised (Image writes v/255).
func (m Images) Raw() Images {
	m.norm = nil
	return m
}

// Stats returns a copy of the statistics the set is normalised with, and
// false when it is not normalised.
func (m Images) Stats() (Stats, bool) {
	if m.norm == nil {
		return Stats{}, false
	}
	return m.norm.stats(), true
}

// Matrix returns the n×3072 matrix whose row i holds the values Image
// writes for image i: the report's X for an unnormalised set, X normalised
// for a normalised one. It takes 24 KiB per image (1.47 GB for
// all 60,000): for small sets, examples and tests.
func (m Images) Matrix() *matrix.Dense {
	x := matrix.New(m.Len(), ImageSize)
	parallelFor(m.Len(), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			m.Image(x.Row(i), i, 0)
		}
	})
	return x
}

// Stats holds per-feature statistics of a training set, one entry per
// column of its n×d matrix.
type Stats struct {
	Mean []float64 // μ_j = (1/n) Σ_i X_ij
	Std  []float64 // σ_j = sqrt((1/n) Σ_i (X_ij − μ_j)²), or 1 where that is 0
}

// ComputeStats returns the per-feature mean and population standard
// deviation of the images' values v/255 (whatever statistics the set
// carries), bit for bit what ComputeStats gives on the matrix of the same
// images (m.Raw().Matrix()): the sums run over the images in order, with
// the same roundings. It panics if the set holds no image.
//
// The sums cannot be taken any faster by counting how often each byte
// occurs at a feature: floating-point addition is not associative, and
// s_{i+1} = RN(s_i + x_i) over the images in order is the result to
// reproduce. What is saved is reading one byte per value instead of eight.
func (m Images) ComputeStats() Stats {
	n := m.Len()
	if n == 0 {
		panic("cifar.Images.ComputeStats: no images: the statistics of an empty training set are undefined")
	}
	mean := make([]float64, ImageSize)
	std := make([]float64, ImageSize)
	// Each goroutine owns a range of features and sums over the images in
	// order, as ComputeStats does, so that the sums do not depend on the
	// number of goroutines.
	parallelFor(ImageSize, func(lo, hi int) {
		mu, ss := mean[lo:hi], std[lo:hi]
		for i := range n {
			sumPixels(mu, m.pix[i*ImageSize+lo:i*ImageSize+hi])
		}
		for j := range mu {
			mu[j] /= float64(n)
		}
		for i := range n {
			sumSquares(ss, m.pix[i*ImageSize+lo:i*ImageSize+hi], mu)
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
