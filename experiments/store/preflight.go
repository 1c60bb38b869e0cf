package store

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

// CheckOutput checks, before a run starts, that its results can be written
// into dir (a directory of the results root out, or out itself): that out
// can be created and takes a new file, and so does dir if it exists already
// (a probe file, written, synced and removed), and that the disk holding
// them has room for need bytes when the system says how much is free. It
// returns one line saying what is wrong and what to do.
func CheckOutput(out, dir string, need int64) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("cannot create the output directory %s (%v): choose another -out, or make its parent writable", out, cause(err))
	}
	dirs := []string{out}
	if st, err := os.Stat(dir); err == nil && st.IsDir() && dir != out {
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
	if free, ok := freeSpace(out); ok && free < need {
		return fmt.Errorf("only %s free on the disk holding %s, and the run writes about %s: free some space, or choose another -out",
			megabytes(free), out, megabytes(need))
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
