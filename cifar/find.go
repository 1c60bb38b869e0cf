package cifar

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// EnvVar is the environment variable that FindDir reads.
const EnvVar = "CIFAR10_DIR"

// DefaultParent is the directory that `go run . download` passes to
// Download, relative to the working directory.
const DefaultParent = "data"

// DefaultDir is where FindDir looks last and where Download(ctx,
// DefaultParent, …) puts the files: data/cifar-10-batches-bin, relative to
// the working directory.
const DefaultDir = DefaultParent + "/" + DirName

// fixHint is the advice given whenever the data files are not where they
// are looked for.
const fixHint = "run `go run . download` to fetch the data, or point -data or $" + EnvVar + " at an existing copy of " +
	DirName + ", " + pyDirName + " or " + matDirName

// MissingFilesError reports a directory that lacks some of the six data
// files. errors.Is(err, ErrNotFound) is true for it.
type MissingFilesError struct {
	Dir     string   // the directory looked in
	From    string   // where Dir came from, e.g. "-data" or "$CIFAR10_DIR"; may be empty
	Missing []string // the data files it lacks, or all six if Dir does not exist
	Absent  bool     // Dir itself does not exist
	// Version is the version ("binary", "Python" or "MATLAB") whose files
	// Dir holds some of; empty when it holds none of any version.
	Version string
}

// Error returns one line naming the directory, the missing files and the
// two ways to get them.
func (e *MissingFilesError) Error() string {
	where := e.Dir
	if e.From != "" {
		where = e.Dir + " (from " + e.From + ")"
	}
	switch {
	case e.Absent:
		return fmt.Sprintf("cifar: CIFAR-10 directory %s does not exist: %s", where, fixHint)
	case e.Version == "":
		return fmt.Sprintf("cifar: %s holds none of the CIFAR-10 batch files (data_batch_1 … data_batch_5 and test_batch: .bin files, Python pickles or .mat files): %s",
			where, fixHint)
	}
	return fmt.Sprintf("cifar: %s lacks %s of the CIFAR-10 %s files (%s): %s",
		where, countWord(len(e.Missing)), e.Version, strings.Join(e.Missing, ", "), fixHint)
}

// countWord says how many of the six files n is, in words.
func countWord(n int) string {
	if n == len(trainFiles)+1 {
		return "all"
	}
	return fmt.Sprint(n)
}

// Is reports whether target is ErrNotFound.
func (e *MissingFilesError) Is(target error) bool { return target == ErrNotFound }

func checkDir(dir, from string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return &MissingFilesError{Dir: dir, From: from, Missing: DataFiles(), Absent: true}
	}
	if err != nil {
		return fmt.Errorf("cifar: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("cifar: %s is not a directory: %s", dir, fixHint)
	}
	l, found := layoutOf(dir)
	if found == 0 {
		return &MissingFilesError{Dir: dir, From: from, Missing: DataFiles()}
	}
	var missing []string
	for _, name := range l.files() {
		st, err := os.Stat(filepath.Join(dir, name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			missing = append(missing, name)
		case err != nil:
			return fmt.Errorf("cifar: %w", err)
		case !st.Mode().IsRegular():
			missing = append(missing, name+" (not a regular file)")
		}
	}
	if len(missing) > 0 {
		return &MissingFilesError{Dir: dir, From: from, Missing: missing, Version: l.version}
	}
	return nil
}

// FindDir returns the directory that holds the CIFAR-10 batch files, of any
// of the three versions (binary, Python or MATLAB). It looks in flagDir (the
// -data flag) if it is not empty, else in $CIFAR10_DIR if it is set, else in
// DefaultDir. A directory qualifies when it holds the six batch files of one
// version itself, or in the folder that version's archive unpacks to
// (cifar-10-batches-bin, cifar-10-batches-py, cifar-10-batches-mat, looked
// for in that order: the parent Download was given, say). The first source
// that is given decides: -data naming a directory without the files is an
// error even if $CIFAR10_DIR is set.
//
// When the files are not found the error, for which errors.Is(err,
// ErrNotFound) holds, names the directory, the missing files and both fixes:
// `go run . download`, or pointing -data or $CIFAR10_DIR at a copy of any of
// the three versions.
func FindDir(flagDir string) (string, error) {
	dir, from := flagDir, "-data"
	if dir == "" {
		dir, from = os.Getenv(EnvVar), "$"+EnvVar
	}
	if dir == "" {
		dir, from = DefaultDir, "the default location; -data not given, $"+EnvVar+" not set"
	}
	err := checkDir(dir, from)
	if err == nil {
		return dir, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	var mfe *MissingFilesError
	if !errors.As(err, &mfe) || mfe.Absent {
		return "", err
	}
	base := filepath.Base(filepath.Clean(dir))
	for _, l := range layouts {
		if base == l.dir {
			return "", err
		}
	}
	// a version's folder inside dir that lacks files, when dir holds none
	var partial error
	for _, l := range layouts {
		sub := filepath.Join(dir, l.dir)
		serr := checkDir(sub, from)
		if serr == nil {
			return sub, nil
		}
		var smfe *MissingFilesError
		if mfe.Version == "" && partial == nil && errors.As(serr, &smfe) && !smfe.Absent {
			partial = serr
		}
	}
	if partial != nil {
		return "", partial
	}
	return "", err
}
