package store

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fullDisk is a writer that fails as a write to a full disk does.
type fullDisk struct{ name string }

func (d fullDisk) Write([]byte) (int, error) {
	return 0, &fs.PathError{Op: "write", Path: d.name, Err: syscall.ENOSPC}
}

// failWrites makes every file written atomically whose path contains one
// of parts fail as on a full disk ("" fails them all), until the test ends.
func failWrites(t *testing.T, parts ...string) {
	writeHook = func(path string, w io.Writer) io.Writer {
		for _, p := range parts {
			if strings.Contains(path, p) {
				return fullDisk{path}
			}
		}
		return w
	}
	t.Cleanup(func() { writeHook = nil })
}

// leftovers returns the temporary files and probe files under dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && (strings.Contains(d.Name(), ".tmp-") || d.Name() == probeName) {
			found = append(found, path)
		}
		return nil
	})
	return found
}

// checkOneLine fails unless err is a one-line error containing each of want.
func checkOneLine(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one saying %q", want)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error of more than one line: %q", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

// TestCheckOutputReadOnly: a results root that takes no file is found, in
// one line.
func TestCheckOutputReadOnly(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(out, 0o555)
	t.Cleanup(func() { os.Chmod(out, 0o755) })
	if f, err := os.Create(filepath.Join(out, "x")); err == nil {
		f.Close()
		t.Skip("a read-only directory takes files here (running as root?); TestCheckOutputUnwritable covers it another way")
	}
	checkOneLine(t, CheckOutput(out, out, 0), "cannot write the results into "+out, "permission denied", "choose another -out")
}

// TestCheckOutputUnwritable: a root that cannot be created (a file is in
// the way), and a run's directory that takes no file, are found.
func TestCheckOutputUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	out := filepath.Join(file, "out")
	checkOneLine(t, CheckOutput(out, out, 0), "cannot create the output directory "+out, "choose another -out")

	out = filepath.Join(t.TempDir(), "out")
	dir := filepath.Join(out, "one-cycle")
	os.MkdirAll(dir, 0o755)
	failWrites(t, filepath.Join("one-cycle", probeName))
	checkOneLine(t, CheckOutput(out, dir, 0), "the disk holding "+dir+" is full", "no space left on device")
	if l := leftovers(t, out); len(l) > 0 {
		t.Errorf("left %q behind", l)
	}
}

// TestCheckOutputDiskFull: a disk that takes no file at all is found by the
// probe.
func TestCheckOutputDiskFull(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	failWrites(t, "")
	checkOneLine(t, CheckOutput(out, filepath.Join(out, "coarse"), 0), "the disk holding "+out+" is full", "no space left on device", "free some space")
	if l := leftovers(t, out); len(l) > 0 {
		t.Errorf("left %q behind", l)
	}
}

// TestCheckOutputNoRoom: a disk with less free space than the run writes
// is found; one with enough is not.
func TestCheckOutputNoRoom(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	freeSpace = func(string) (int64, bool) { return 1_000_000, true }
	t.Cleanup(func() { freeSpace = diskFree })
	checkOneLine(t, CheckOutput(out, out, 2_500_000), "only 1.0 MB free on the disk holding "+out, "writes about 2.5 MB", "free some space, or choose another -out")
	if err := CheckOutput(out, out, 900_000); err != nil {
		t.Errorf("room for the run: %v", err)
	}
}
