package cifar

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// OfficialMD5 returns the MD5 sums (lower-case hex) of the six data files
// of the official binary distribution, keyed by file name (from
// PROVENANCE.md of the shared copy, which was checked against them).
func OfficialMD5() map[string]string {
	return map[string]string{
		"data_batch_1.bin": "5dd7e06a14cb22eb9f671a540d1b7c25",
		"data_batch_2.bin": "5ea93a67294ea407fff1d09f752e9692",
		"data_batch_3.bin": "942cd6a4bcdd0dd3c604fbe906cb4421",
		"data_batch_4.bin": "ae636b3ba5c66a11e91e8cb52e771fcb",
		"data_batch_5.bin": "53f37980c15c3d472c316c40844f3f0d",
		"test_batch.bin":   "803d5f7f4d78ea53de84dbe85f74fb6d",
	}
}

// Status is the outcome of checking one file against its official MD5.
type Status int

// The outcomes of Verify.
const (
	StatusOK        Status = iota // present, MD5 matches
	StatusDiffers                 // present, MD5 differs
	StatusMissing                 // not there
	StatusMalformed               // a pickle or MAT-file that is not a CIFAR-10 batch
)

// String returns "ok", "differs", "missing" or "malformed".
func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusDiffers:
		return "differs"
	case StatusMissing:
		return "missing"
	case StatusMalformed:
		return "malformed"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// FileCheck is the result of checking one data file.
type FileCheck struct {
	Name    string // file name, e.g. "data_batch_1.bin" (or "data_batch_1", "data_batch_1.mat")
	Status  Status
	Got     string // MD5 of the file's records (hex), empty if missing or malformed
	Want    string // official MD5 (hex) of the binary file
	Problem string // what is wrong with a malformed file
}

// Verify computes the MD5 of each of the six data files in dir and compares
// it with the official one, in DataFiles order. The files may be of any of
// the three versions (see Version): a batch of the Python or MATLAB version
// is decoded and re-encoded as the records of the binary version (label
// byte, 3,072 pixel bytes), whose MD5 is the official binary file's exactly
// when every label and pixel is the same. A file that does not exist is
// StatusMissing, a pickle or MAT-file that cannot be decoded
// StatusMalformed; a file that exists but cannot be read is an error (the
// checks made so far are returned with it).
func Verify(dir string) ([]FileCheck, error) {
	return verify(dir, OfficialMD5())
}

// verify is Verify against the MD5 sums in want.
func verify(dir string, want map[string]string) ([]FileCheck, error) {
	l, _ := layoutOf(dir)
	checks := make([]FileCheck, 0, len(want))
	for _, name := range DataFiles() {
		c := FileCheck{Name: l.file(name), Want: want[name]}
		sum, err := l.recordsMD5(filepath.Join(dir, c.Name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			c.Status = StatusMissing
		case errors.Is(err, ErrMalformed):
			c.Status, c.Problem = StatusMalformed, err.Error()
		case err != nil:
			return checks, fmt.Errorf("cifar: checking %w", err)
		case sum == c.Want:
			c.Status, c.Got = StatusOK, sum
		default:
			c.Status, c.Got = StatusDiffers, sum
		}
		checks = append(checks, c)
	}
	return checks, nil
}

// fileMD5 returns the MD5 (hex) of the file at path.
func fileMD5(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CheckWarning returns "" when the checks that Verify returned for dir say
// that all six files match the official MD5 sums, otherwise one line for
// the user saying which files differ or are missing and what it means.
// Training code prints it as a warning before it starts; it takes the
// checks, not dir, because their MD5 sums also identify the data (see
// Identity).
func CheckWarning(dir string, checks []FileCheck) string {
	var differs, missing, malformed []string
	for _, c := range checks {
		switch c.Status {
		case StatusDiffers:
			differs = append(differs, c.Name)
		case StatusMissing:
			missing = append(missing, c.Name)
		case StatusMalformed:
			malformed = append(malformed, c.Name)
		}
	}
	if len(differs) == 0 && len(missing) == 0 && len(malformed) == 0 {
		return ""
	}
	var parts []string
	if len(differs) > 0 {
		parts = append(parts, "differ: "+strings.Join(differs, ", "))
	}
	if len(missing) > 0 {
		parts = append(parts, "missing: "+strings.Join(missing, ", "))
	}
	if len(malformed) > 0 {
		parts = append(parts, "malformed: "+strings.Join(malformed, ", "))
	}
	return fmt.Sprintf("warning: the CIFAR-10 files in %s are not the official ones (%s); results may not match the report (`go run . download` fetches the official files)",
		dir, strings.Join(parts, "; "))
}
