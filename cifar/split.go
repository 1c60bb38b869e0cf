package cifar

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"twolayer/matrix"
)

// Split is a training, a validation and a test set, all normalised with
// the statistics of the training set.
type Split struct {
	Name                    string // "batch1" or "all-<nTrain>-<nVal>", e.g. "all-49000-1000"
	Train, Validation, Test Set
	Stats                   Stats // the training set's per-feature mean and std
}

// LoadSplitBatch1 loads the split of the report's first experiments from
// dir: train = data_batch_1, validation = data_batch_2, test = test_batch,
// normalised with the training statistics (see Normalize). Split.Name is
// "batch1".
func LoadSplitBatch1(dir string) (*Split, error) {
	names := []string{trainFiles[0], trainFiles[1], TestFile}
	if err := requireFiles(dir, names); err != nil {
		return nil, err
	}
	train, err := loadFiles(dir, names[:1])
	if err != nil {
		return nil, err
	}
	val, err := loadFiles(dir, names[1:2])
	if err != nil {
		return nil, err
	}
	test, err := loadFiles(dir, names[2:])
	if err != nil {
		return nil, err
	}
	stats := Normalize(train.X, val.X, test.X)
	return &Split{Name: "batch1", Train: train, Validation: val, Test: test, Stats: stats}, nil
}

// LoadSplitAll loads the split of the report's final experiments from dir:
// the five training batches concatenated in order, of which the last nVal
// images are the validation set and the others the training set, and
// test_batch as the test set; all normalised with the training statistics.
// Split.Name is "all-<nTrain>-<nVal>", e.g. "all-49000-1000".
//
// The images are decoded straight into one matrix of all training images
// (50,000×3072 float64, 1.2 GB for the real data): Train.X and
// Validation.X are row views of it.
// nVal must be at least 1 and less than the number of training images.
func LoadSplitAll(dir string, nVal int) (*Split, error) {
	names := append(TrainFiles(), TestFile)
	if err := requireFiles(dir, names); err != nil {
		return nil, err
	}
	all, err := loadFiles(dir, names[:len(trainFiles)])
	if err != nil {
		return nil, err
	}
	n := all.Len()
	if nVal < 1 || nVal >= n {
		return nil, fmt.Errorf("cifar: %d validation images requested; it must be between 1 and %d (the training batches in %s hold %d images)",
			nVal, n-1, dir, n)
	}
	test, err := loadFiles(dir, names[len(trainFiles):])
	if err != nil {
		return nil, err
	}
	nTrain := n - nVal
	train := Set{X: all.X.RowRange(0, nTrain), Labels: all.Labels[:nTrain:nTrain]}
	val := Set{X: all.X.RowRange(nTrain, n), Labels: all.Labels[nTrain:]}
	stats := Normalize(train.X, val.X, test.X)
	return &Split{Name: fmt.Sprintf("all-%d-%d", nTrain, nVal), Train: train, Validation: val, Test: test, Stats: stats}, nil
}

// requireFiles returns a *MissingFilesError when dir lacks any of names.
func requireFiles(dir string, names []string) error {
	if st, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return &MissingFilesError{Dir: dir, Missing: names, Absent: true}
	} else if err == nil && !st.IsDir() {
		return fmt.Errorf("cifar: %s is not a directory: %s", dir, fixHint)
	}
	l, _ := layoutOf(dir)
	var missing []string
	for _, name := range names {
		if _, err := os.Stat(filepath.Join(dir, l.file(name))); errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, l.file(name))
		}
	}
	if len(missing) > 0 {
		return &MissingFilesError{Dir: dir, Missing: missing, Version: l.version}
	}
	return nil
}

// loadFiles loads the batch files names of dir, in order, into one Set:
// it sizes the files first, allocates the matrix once and decodes each file
// straight into its range of rows, several files at a time (each with its
// own read buffer). Files of the Python and MATLAB versions are decoded into
// binary records while sizing them (see readRecords). The error, if any, is
// that of the first bad file.
func loadFiles(dir string, names []string) (Set, error) {
	l, _ := layoutOf(dir)
	paths := make([]string, len(names))
	records := make([][]byte, len(names)) // the decoded records of a Python or MATLAB file
	start := make([]int, len(names)+1)    // file k fills rows [start[k], start[k+1])
	errs := make([]error, len(names))
	parallelFor(len(names), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			paths[k] = filepath.Join(dir, l.file(names[k]))
			start[k+1], records[k], errs[k] = sizeFile(paths[k], l.format)
		}
	})
	for k := range names {
		if errs[k] != nil {
			return Set{}, errs[k]
		}
		start[k+1] += start[k]
	}
	total := start[len(names)]
	d := Set{X: matrix.New(total, ImageSize), Labels: make([]int, total)}
	parallelFor(len(names), func(lo, hi int) {
		var buf []byte
		for k := lo; k < hi; k++ {
			x, labels := d.X.RowRange(start[k], start[k+1]), d.Labels[start[k]:start[k+1]]
			if records[k] != nil {
				errs[k] = decodeRecords(paths[k], records[k], x, labels)
				records[k] = nil
				continue
			}
			buf, errs[k] = loadInto(paths[k], buf, x, labels)
		}
	})
	for _, err := range errs {
		if err != nil {
			return Set{}, err
		}
	}
	return d, nil
}

// sizeFile returns the number of records of the batch file at path, of
// format f: for a binary file, from its size; a file of another format is
// decoded, and its records are returned too.
func sizeFile(path string, f format) (int, []byte, error) {
	if f != formatBinary {
		rec, err := readRecords(path, f, nil)
		return len(rec) / RecordSize, rec, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0, nil, fmt.Errorf("cifar: %w", err)
	}
	n, err := countRecords(path, st.Size())
	return n, nil, err
}

// loadInto reads the batch file at path, using buf as its read buffer, and
// decodes it into x and labels, which must be sized for the file. It
// returns the possibly grown buffer.
func loadInto(path string, buf []byte, x *matrix.Dense, labels []int) ([]byte, error) {
	data, err := readWhole(path, buf)
	if err != nil {
		return buf, err
	}
	if len(data) != len(labels)*RecordSize {
		return data, fmt.Errorf("cifar: %s changed size while being read (%d bytes, then %d)", path, len(labels)*RecordSize, len(data))
	}
	return data, decodeRecords(path, data, x, labels)
}
