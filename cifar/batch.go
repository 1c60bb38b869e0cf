package cifar

import (
	"fmt"
	"io"
	"os"

	"twolayer/matrix"
)

// Set is a labelled set of n images: a batch file, or the training,
// validation or test set of a Split. The network trains on and is evaluated
// on Sets (X n×d, one image per row); the report's one-hot Y (K×n) is never
// built, since the gradient G = P − Y only needs the labels (see
// network.ComputeGradients).
type Set struct {
	// X holds one image per row: n×d. For CIFAR-10 d = ImageSize and pixel
	// byte v is stored as v/255.
	X *matrix.Dense
	// Labels holds the n labels, each in 0..K−1 (K = NumClasses for
	// CIFAR-10); the report calls them y.
	Labels []int
}

// Len returns the number of images n, the rows of X (0 for an empty Set).
func (s Set) Len() int {
	if s.X == nil {
		return 0
	}
	return s.X.Rows()
}

// pixelValue[v] = v/255: the value of pixel byte v, computed once.
var pixelValue = func() (t [256]float64) {
	for v := range t {
		t[v] = float64(v) / 255
	}
	return t
}()

// LoadBatch is the report's LoadBatch (section 2.1): it reads the CIFAR-10
// batch file at path into a Set (X n×3072, one image per row, each pixel
// byte v as v/255; the n labels). The file may be of any of the three
// versions, told apart by their first bytes: binary records, a pickle of the
// Python version or a MAT-file of the MATLAB version (the last two are first
// turned into binary records, see readRecords). The file is read with a
// single read into a buffer of its size and decoded without further
// allocation per record or byte.
//
// The error names the file and what is wrong: it cannot be opened or read
// (errors.Is(err, fs.ErrNotExist) for a missing file), it is empty, its size
// is not a multiple of RecordSize, a label is above 9, or the pickle or
// MAT-file is not a CIFAR-10 batch (all but the first are ErrMalformed).
func LoadBatch(path string) (*Set, error) {
	data, err := readWhole(path, nil)
	if err == nil {
		data, err = toRecords(path, data, sniff(data))
	}
	if err != nil {
		return nil, err
	}
	return parseBatch(path, data)
}

// parseBatch decodes the bytes data of the batch file called name (used
// only in error messages).
func parseBatch(name string, data []byte) (*Set, error) {
	n, err := countRecords(name, int64(len(data)))
	if err != nil {
		return nil, err
	}
	b := &Set{X: matrix.New(n, ImageSize), Labels: make([]int, n)}
	if err := decodeRecords(name, data, b.X, b.Labels); err != nil {
		return nil, err
	}
	return b, nil
}

// countRecords returns the number of records in a batch file of size bytes,
// or an ErrMalformed error when the file is empty or its size is not a
// whole number of records.
func countRecords(name string, size int64) (int, error) {
	switch {
	case size == 0:
		return 0, &FormatError{File: name, Problem: "empty file (0 bytes); a CIFAR-10 batch holds records of 3073 bytes"}
	case size%RecordSize != 0:
		return 0, &FormatError{File: name, Problem: fmt.Sprintf(
			"size %d bytes is not a multiple of the 3073-byte record: %d whole records and %d bytes left over (truncated download or not a CIFAR-10 binary batch)",
			size, size/RecordSize, size%RecordSize)}
	}
	return int(size / RecordSize), nil
}

// decodeRecords decodes the len(labels) records in data into the rows of x
// (len(labels)×ImageSize, possibly a row view of a larger matrix) and into
// labels. It returns an ErrMalformed error naming the first record whose
// label is above 9. It panics if the sizes of data, x and labels disagree.
func decodeRecords(name string, data []byte, x *matrix.Dense, labels []int) error {
	if len(data) != len(labels)*RecordSize || x.Rows() != len(labels) || x.Cols() != ImageSize {
		panic(fmt.Sprintf("cifar.decodeRecords: %d bytes, %d labels, %d×%d matrix", len(data), len(labels), x.Rows(), x.Cols()))
	}
	for i := range labels {
		rec := data[i*RecordSize : (i+1)*RecordSize]
		if rec[0] >= NumClasses {
			return labelError(name, i, rec[0])
		}
		labels[i] = int(rec[0])
		pixels := rec[1:]
		row := x.Row(i)[:len(pixels)] // same length: no bounds checks below
		for j, v := range pixels {
			row[j] = pixelValue[v]
		}
	}
	return nil
}

// readWhole reads the file at path with one read into buf, grown to the
// file's size if needed (buf may be nil), and returns the bytes read.
func readWhole(path string, buf []byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cifar: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cifar: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("cifar: %s: not a regular file", path)
	}
	size := st.Size()
	if int64(int(size)) != size {
		return nil, fmt.Errorf("cifar: %s: file too large (%d bytes)", path, size)
	}
	if cap(buf) < int(size) {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, fmt.Errorf("cifar: reading %s: %w (the file changed size while being read?)", path, err)
	}
	return buf, nil
}

// FormatError reports a file that is not a well-formed CIFAR-10 batch (of
// any version). errors.Is(err, ErrMalformed) is true for it.
type FormatError struct {
	File    string // the file's path
	Problem string // what is wrong with it
}

// Error returns "cifar: FILE: PROBLEM".
func (e *FormatError) Error() string { return "cifar: " + e.File + ": " + e.Problem }

// Is reports whether target is ErrMalformed.
func (e *FormatError) Is(target error) bool { return target == ErrMalformed }

// Dim returns d, the values of an image (the columns of X).
func (s Set) Dim() int {
	if s.X == nil {
		return 0
	}
	return s.X.Cols()
}

// Label returns the label of image i.
func (s Set) Label(i int) int { return s.Labels[i] }

// Image copies image i (row i of X) into x.
func (s Set) Image(x []float64, i int) { copy(x, s.X.Row(i)) }
