package cifar

import (
	"fmt"
	"io"
	"os"
)

// pixelValue[v] = v/255: the value of pixel byte v, computed once.
var pixelValue = func() (t [256]float64) {
	for v := range t {
		t[v] = float64(v) / 255
	}
	return t
}()

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
