package cifar

import (
	"bytes"
	"fmt"
	"slices"

	"twolayer/matrix"
)

// denseOf returns the r×c matrix whose rows, one after the other, are data.
func denseOf(r, c int, data []float64) *matrix.Dense {
	if len(data) != r*c {
		panic(fmt.Sprintf("denseOf: %d values for a %d×%d matrix", len(data), r, c))
	}
	a := matrix.New(r, c)
	for i := range r {
		copy(a.Row(i), data[i*c:(i+1)*c])
	}
	return a
}

// sameMatrix reports whether a and b have the same shape and equal entries.
func sameMatrix(a, b *matrix.Dense) bool {
	if a.Rows() != b.Rows() || a.Cols() != b.Cols() {
		return false
	}
	for i := range a.Rows() {
		ra, rb := a.Row(i), b.Row(i)
		for j := range ra {
			if ra[j] != rb[j] {
				return false
			}
		}
	}
	return true
}

// sameImages reports whether a and b hold the same images: the same
// number, the same labels and the same pixel bytes.
func sameImages(a, b Images) bool {
	if a.Len() != b.Len() || !slices.Equal(a.Labels(), b.Labels()) {
		return false
	}
	for i := range a.Len() {
		if !bytes.Equal(a.Pixels(i), b.Pixels(i)) {
			return false
		}
	}
	return true
}

// holdsRecords reports whether m holds the binary records rec, one image a
// record: the record's label and its pixel bytes.
func holdsRecords(m Images, rec []byte) bool {
	if len(rec)%RecordSize != 0 || m.Len() != len(rec)/RecordSize {
		return false
	}
	for i := range m.Len() {
		r := rec[i*RecordSize : (i+1)*RecordSize]
		if m.Label(i) != int(r[0]) || !bytes.Equal(m.Pixels(i), r[1:]) {
			return false
		}
	}
	return true
}

// CheckDir returns nil when dir holds the six data files of one version
// (binary, Python or MATLAB: the one of which it holds the most), else a
// *MissingFilesError listing the missing ones.
func CheckDir(dir string) error { return checkDir(dir, "") }

// CheckFiles verifies the data files in dir (Verify) and returns the
// warning of CheckWarning, or one line saying why they could not be
// verified.
func CheckFiles(dir string) (warning string) {
	checks, err := Verify(dir)
	if err != nil {
		return fmt.Sprintf("warning: could not verify the CIFAR-10 files in %s: %v", dir, err)
	}
	return CheckWarning(dir, checks)
}
