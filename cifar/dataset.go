package cifar

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Dataset is CIFAR-10 loaded once: the images of the five training batches
// and of the test batch, as their pixel bytes in one buffer (184 MB for the
// real files). The splits of the report (SplitBatch1, SplitAll) are views
// of it, each normalised with the statistics of its own training images, so
// that every section of a run shares one copy of the data.
type Dataset struct {
	Dir   string // the directory it was loaded from
	Train Images // the images of data_batch_1 … data_batch_5, in order, unnormalised (50,000 for the real files)
	Test  Images // the images of test_batch, unnormalised (10,000)

	// batches[k] … batches[k+1]−1 are the images of Train from the
	// training batch file k (0-based).
	batches [len(trainFiles) + 1]int
}

// Split is a training, a validation and a test set of a Dataset, all
// normalised with the statistics of the training set.
type Split struct {
	Name                    string // "batch1" or "all-<nTrain>-<nVal>", e.g. "all-49000-1000"
	Train, Validation, Test Images
	Stats                   Stats // the training set's per-feature mean and std
}

// LoadDataset reads the six data files of dir (the binary, Python or MATLAB
// version) into a Dataset. The files are read several at a time; a binary
// file is read straight into its place in the buffer of all images, with no
// buffer for the whole file (readInPlace), so that loading takes little
// more memory than the images themselves. The errors name the files
// missing from dir (ErrNotFound), or the first bad file and what is wrong
// with it (ErrMalformed for a size that is not a whole number of records or
// a label above 9).
func LoadDataset(dir string) (*Dataset, error) {
	names := DataFiles()
	if err := requireFiles(dir, names); err != nil {
		return nil, err
	}
	all, start, err := loadImages(dir, names)
	if err != nil {
		return nil, err
	}
	nTrain := start[len(trainFiles)]
	d := &Dataset{Dir: dir, Train: all.Slice(0, nTrain), Test: all.Slice(nTrain, all.Len())}
	copy(d.batches[:], start)
	return d, nil
}

// trainBatch returns the images of training batch file k (0-based).
func (d *Dataset) trainBatch(k int) Images { return d.Train.Slice(d.batches[k], d.batches[k+1]) }

// SplitBatch1 returns the split of the report's first experiments: train =
// data_batch_1, validation = data_batch_2, test = test_batch, normalised
// with the statistics of data_batch_1. Its Name is "batch1". It computes the
// statistics (about 10 ms for 10,000 images on 2 cores).
func (d *Dataset) SplitBatch1() *Split {
	return newSplit("batch1", d.trainBatch(0), d.trainBatch(1), d.Test)
}

// SplitAll returns the split of the report's final experiments: the images
// of the five training batches in order, of which the last nVal are the
// validation set and the others the training set, and the test batch as the
// test set, normalised with the training set's statistics. Its Name is
// "all-<nTrain>-<nVal>", e.g. "all-49000-1000". It computes the statistics
// (about 45 ms for 49,000 images on 2 cores), so a split should be made once
// and kept. nVal must be at least 1 and less than the number of training
// images; the error says so otherwise.
func (d *Dataset) SplitAll(nVal int) (*Split, error) {
	n := d.Train.Len()
	if nVal < 1 || nVal >= n {
		return nil, fmt.Errorf("cifar: %d validation images requested; it must be between 1 and %d (the training batches in %s hold %d images)",
			nVal, n-1, d.Dir, n)
	}
	nTrain := n - nVal
	return newSplit(fmt.Sprintf("all-%d-%d", nTrain, nVal), d.Train.Slice(0, nTrain), d.Train.Slice(nTrain, n), d.Test), nil
}

// newSplit returns the split called name of the sets train, val and
// test, all normalised with the statistics of train (one normalizer for the
// three).
func newSplit(name string, train, val, test Images) *Split {
	stats := train.ComputeStats()
	z := newNormalizer(stats)
	train.norm, val.norm, test.norm = z, z, z
	return &Split{Name: name, Train: train, Validation: val, Test: test, Stats: stats}
}

// loadImages loads the batch files names of dir, in order, into one
// Images, unnormalised, and returns it with the index of each file's first
// image (and the total last). As loadFiles does for matrices, it sizes the
// files first, allocates once and fills each file's range of images,
// several files at a time. Files of the Python and MATLAB versions are
// decoded into binary records while sizing them (see readRecords). The error,
// if any, is that of the first bad file.
func loadImages(dir string, names []string) (Images, []int, error) {
	l, _ := layoutOf(dir)
	paths := make([]string, len(names))
	records := make([][]byte, len(names)) // the decoded records of a Python or MATLAB file
	start := make([]int, len(names)+1)    // file k fills images [start[k], start[k+1])
	errs := make([]error, len(names))
	parallelFor(len(names), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			paths[k] = filepath.Join(dir, l.file(names[k]))
			start[k+1], records[k], errs[k] = sizeFile(paths[k], l.format)
		}
	})
	for k := range names {
		if errs[k] != nil {
			return Images{}, nil, errs[k]
		}
		start[k+1] += start[k]
	}
	total := start[len(names)]
	m := Images{pix: make([]byte, total*ImageSize), labels: make([]byte, total)}
	parallelFor(len(names), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			a, b := start[k], start[k+1]
			pix, labels := m.pix[a*ImageSize:b*ImageSize:b*ImageSize], m.labels[a:b:b]
			if records[k] != nil {
				errs[k] = stripLabels(paths[k], records[k], pix, labels)
				records[k] = nil
				continue
			}
			errs[k] = readInPlace(paths[k], pix, labels)
		}
	})
	for _, err := range errs {
		if err != nil {
			return Images{}, nil, err
		}
	}
	return m, start, nil
}

// readInPlace reads the binary batch file at path, of n = len(labels)
// records, into pix (its n·ImageSize pixel bytes) and labels, with no
// buffer for the whole file. The file is n·RecordSize bytes, n more than
// pix holds: its first len(pix) bytes are read into pix itself and its last
// n into a small tail buffer; then each record i moves i+1 bytes back, from
// byte i·RecordSize+1 of the file to i·ImageSize of pix, its label going
// to labels[i]. Moving the records in order, first to last, never
// overwrites a byte not yet moved: record i ends at (i+1)·ImageSize, before
// record i+1 begins at (i+1)·RecordSize. The errors are those of loadInto,
// for the first record whose label is above 9.
func readInPlace(path string, pix, labels []byte) error {
	n := len(labels)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cifar: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cifar: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("cifar: %s: not a regular file", path)
	}
	if st.Size() != int64(n*RecordSize) {
		return fmt.Errorf("cifar: %s changed size while being read (%d bytes, then %d)", path, n*RecordSize, st.Size())
	}
	tail := make([]byte, n)
	if _, err = io.ReadFull(f, pix); err == nil {
		_, err = io.ReadFull(f, tail)
	}
	if err != nil {
		return fmt.Errorf("cifar: reading %s: %w (the file changed size while being read?)", path, err)
	}
	p := len(pix)
	for i := range n {
		rec := i * RecordSize // the record's first byte in the file: the label
		var label byte
		if rec < p {
			label = pix[rec]
		} else {
			label = tail[rec-p]
		}
		if label >= NumClasses {
			return labelError(path, i, label)
		}
		labels[i] = label
		dst := pix[i*ImageSize : (i+1)*ImageSize]
		from := rec + 1
		k := min(max(p-from, 0), ImageSize) // how many of the pixel bytes were read into pix
		if k > 0 {
			copy(dst[:k], pix[from:from+k])
		}
		if k < ImageSize {
			copy(dst[k:], tail[from+k-p:from+ImageSize-p])
		}
	}
	return nil
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
