package experiments

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// freeSpace returns the bytes free for this user on the disk holding dir,
// and false when the system does not say (see diskFree); tests replace it.
var freeSpace = diskFree

// checkOutput checks, before a run starts, that its results can be written
// into dir (OUT/<experiment>): that OUT can be created and takes a new file,
// and so does dir if it exists already (a probe file, written, synced and
// removed), and that the disk holding them has room for need bytes when the
// system says how much is free. It returns one line saying what is wrong
// and what to do.
func checkOutput(o Options, dir string, need int64) error {
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return fmt.Errorf("cannot create the output directory %s (%v): choose another -out, or make its parent writable", o.OutDir, cause(err))
	}
	dirs := []string{o.OutDir}
	if st, err := os.Stat(dir); err == nil && st.IsDir() && dir != o.OutDir {
		dirs = append(dirs, dir)
	}
	for _, d := range dirs {
		if err := probe(d); err != nil {
			if isDiskFull(err) {
				return fmt.Errorf("the disk holding %s is full (%v): free some space, or choose another -out", d, cause(err))
			}
			return fmt.Errorf("cannot write the results into %s (%v): choose another -out, or make it writable", d, cause(err))
		}
	}
	if free, ok := freeSpace(o.OutDir); ok && free < need {
		return fmt.Errorf("only %s free on the disk holding %s, and the run writes about %s: free some space, or choose another -out",
			megabytes(free), o.OutDir, megabytes(need))
	}
	return nil
}

// probeName is the file that probe writes and removes.
const probeName = ".twolayer-write-test"

// probe writes a small file into dir the way results are written
// (WriteFileAtomic) and removes it.
func probe(dir string) error {
	path := filepath.Join(dir, probeName)
	err := WriteBytesAtomic(path, make([]byte, 4096))
	os.Remove(path)
	return err
}

// cause returns the system's reason for a file error ("permission denied",
// "read-only file system"), without the path, which the caller names.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// megabytes formats a number of bytes as "12.3 MB".
func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// Estimates of the bytes the runs write, upper bounds from the sizes of
// their files: an SVG plot takes about 12 bytes per point (two coordinates
// with two decimals) plus some 6 kB of axes and labels; a row of curves.csv
// about 150 bytes; an η of history.json about 25 bytes and a recording 250;
// a saved model 8 bytes per weight and per statistic; a summary.json less
// than 16 kB (the final training's, with the confusion matrix, the largest).
const (
	svgBase       = 8 << 10
	svgPerPoint   = 16
	summaryBytes  = 16 << 10
	csvRowBytes   = 160
	etaBytes      = 25
	recordBytes   = 250
	picturesBytes = 2 << 20 // the four PNGs of the final training, at most
	maxTrain      = 50000   // CIFAR-10's training images: n_s = 2⌊n / n_batch⌋ is at most 2⌊50,000 / n_batch⌋
)

// steps returns an upper bound of the update steps of s and of its
// recordings.
func (s Setup) steps() (steps, records int64) {
	c := s.Config
	ns := int64(c.StepSize)
	if s.StepSizeFromData {
		ns = 2 * maxTrain / int64(max(c.BatchSize, 1))
	}
	steps = 2 * int64(c.Cycles) * ns
	return steps, int64(c.Cycles*c.RecordsPerCycle) + 2
}

// runBytes estimates the bytes the files of a training run of s take:
// summary.json, curves.csv and the four plots (cost, loss and accuracy with
// two series of one point per recording, η with one point per step).
func runBytes(s Setup) int64 {
	steps, records := s.steps()
	return summaryBytes + csvRowBytes*records + 3*(svgBase+2*svgPerPoint*records) + svgBase + svgPerPoint*steps
}

// unitBytes estimates the bytes of a search's unit: summary.json,
// curves.csv and history.json.
func unitBytes(s Setup) int64 {
	steps, records := s.steps()
	return summaryBytes + csvRowBytes*records + etaBytes*steps + recordBytes*records
}

// searchBytes estimates the bytes a search of n λ on s writes: its units,
// its own files (a run's, plus search.csv and search.svg).
func searchBytes(s Setup, n int) int64 {
	return int64(n)*unitBytes(s) + runBytes(s) + int64(n)*csvRowBytes + svgBase + 3*svgPerPoint*int64(n)
}

// modelBytes estimates the bytes of a saved model with m hidden units:
// W1, b1, W2, b2 and the statistics (mean, std) as float64, plus a header.
func modelBytes(m int) int64 {
	const d, k = 3072, 10
	return 8*int64(m*d+m+k*m+k+2*d) + 4<<10
}
