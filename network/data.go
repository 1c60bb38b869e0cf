package network

import (
	"fmt"

	"twolayer/matrix"
)

// Data is a labelled set of n images, each d values, as the network reads
// it: one image at a time, into memory the network owns (a mini-batch, or a
// chunk of an evaluation), just before the products use it. The network
// never holds a data set of its own, so the images may be stored in any
// form: the CIFAR-10 loader keeps them as the bytes of the files and
// normalises each one as it is read (package cifar), and Set holds them as
// a matrix.
//
// Image and Label may be called from several goroutines at once.
type Data interface {
	// Len returns the number of images n.
	Len() int
	// Dim returns the number of values d of an image.
	Dim() int
	// Label returns y_i, the class of image i (0 ≤ i < n), in 0..K−1.
	Label(i int) int
	// Image writes values j, j+1, …, j+len(x)−1 of image i (0 ≤ i < n)
	// into x, as the network takes them (for CIFAR-10: normalised); the
	// whole image is j = 0 and d values. The products that read a set
	// without storing it (an evaluation's) read it a block of each image
	// at a time.
	Image(x []float64, i, j int)
}

// Set is Data held in memory as a matrix: X is n×d with one image per row,
// and Labels holds the n labels. The report's one-hot Y (K×n) is never
// built: the gradient G = P − Y needs only the labels (see
// ComputeGradients).
type Set struct {
	X      *matrix.Dense // n×d, one image per row
	Labels []int         // n labels y_i, each in 0..K−1
}

// Len returns the number of images n, the rows of X (0 for an empty Set).
func (s Set) Len() int {
	if s.X == nil {
		return 0
	}
	return s.X.Rows()
}

// Dim returns d, the columns of X.
func (s Set) Dim() int {
	if s.X == nil {
		return 0
	}
	return s.X.Cols()
}

// Label returns Labels[i].
func (s Set) Label(i int) int { return s.Labels[i] }

// Image copies entries j, …, j+len(x)−1 of row i of X into x.
func (s Set) Image(x []float64, i, j int) { copy(x, s.X.Row(i)[j:j+len(x)]) }

// checkData returns an error unless data fits net: d values per image, and
// n labels, each in 0..K−1. name says which set it is in the message.
func checkData(net *Params, data Data, name string) error {
	d, _, k := net.Dims()
	if s, ok := data.(Set); ok {
		if s.X == nil {
			return fmt.Errorf("the %s set has no images", name)
		}
		if len(s.Labels) != s.X.Rows() {
			return fmt.Errorf("the %s set has %d images but %d labels", name, s.X.Rows(), len(s.Labels))
		}
	}
	if data.Dim() != d {
		return fmt.Errorf("the %s set has %d values per image but the network takes %d", name, data.Dim(), d)
	}
	for i := range data.Len() {
		if y := data.Label(i); y < 0 || y >= k {
			return fmt.Errorf("the %s set's label %d (image %d) is outside 0..%d", name, y, i, k-1)
		}
	}
	return nil
}

// checkSet is checkData for n images X (n×d) with labels y.
func checkSet(net *Params, X *matrix.Dense, y []int, name string) error {
	return checkData(net, Set{X: X, Labels: y}, name)
}

// loader reads images of a Data into the rows of a matrix, on every core:
// a mini-batch, or a chunk of an evaluation. It is the one place where
// images enter the network.
type loader struct {
	from []int         // row r of the matrix gets image from[r]
	data Data          // during a load: where the images come from
	X    *matrix.Dense // and the matrix they go into
}

// newLoader returns a loader for up to n rows at a time.
func newLoader(n int) loader { return loader{from: make([]int, n)} }

// load fills the rows of X (r×d) with the images i0..i0+r−1 of data, and y
// (r entries) with their labels.
func (l *loader) load(data Data, X *matrix.Dense, y []int, i0 int) {
	for r := range y {
		l.from[r] = i0 + r
	}
	l.gather(data, X, y)
}

// gather fills row r of X, and y[r], with image from[r] of data and its
// label, for r < len(y): the labels here, the images in chunks of rows on
// every core (loadRows).
func (l *loader) gather(data Data, X *matrix.Dense, y []int) {
	for r := range y {
		y[r] = data.Label(l.from[r])
	}
	l.data, l.X = data, X
	matrix.ParallelFor(len(y), chunkOf(len(y), X.Cols()), l, loadRows)
	l.data, l.X = nil, nil
}

// loadRows copies the images of rows lo..hi−1 into l.X (a pass).
func loadRows(l *loader, lo, hi int) {
	for r := lo; r < hi; r++ {
		l.data.Image(l.X.Row(r), l.from[r], 0)
	}
}
