package experiments

import (
	"context"
	"errors"
	"fmt"
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

// entries returns the names in dir.
func entries(dir string) []string {
	es, _ := os.ReadDir(dir)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
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

// checkNothingStarted fails unless All, whose log is log, stopped before its
// first section ("== name" in the log) and left nothing in out.
func checkNothingStarted(t *testing.T, log, out string) {
	t.Helper()
	if strings.Contains(log, "==") {
		t.Errorf("All started a section:\n%s", log)
	}
	if names := entries(out); len(names) > 0 {
		t.Errorf("OUT holds %q", names)
	}
}

// TestReadOnlyOutput: an output directory that cannot be written stops All
// before anything runs, in one line.
func TestReadOnlyOutput(t *testing.T) {
	o, log := loggedOptions(t, writeFakeCIFAR(t))
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(o.OutDir, 0o555)
	t.Cleanup(func() { os.Chmod(o.OutDir, 0o755) })
	if f, err := os.Create(filepath.Join(o.OutDir, "x")); err == nil {
		f.Close()
		t.Skip("a read-only directory takes files here (running as root?); TestUnwritableOutput covers it another way")
	}
	_, err := All(context.Background(), o)
	checkOneLine(t, err, "cannot write the results into "+o.OutDir, "permission denied", "choose another -out")
	checkNothingStarted(t, log.String(), o.OutDir)
}

// TestUnwritableOutput: OUT that cannot be created (a file is in the way),
// and a section directory that takes no file, are found before training.
func TestUnwritableOutput(t *testing.T) {
	data := writeFakeCIFAR(t)
	o, log := loggedOptions(t, data)
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	o.OutDir = filepath.Join(file, "out")
	_, err := All(context.Background(), o)
	checkOneLine(t, err, "cannot create the output directory "+o.OutDir, "choose another -out")
	if strings.Contains(log.String(), "==") {
		t.Errorf("All started without an OUT:\n%s", log.String())
	}

	// the probe of the section's own directory fails: nothing is trained
	o2, log2 := loggedOptions(t, data)
	failWrites(t, filepath.Join("one-cycle", probeName))
	os.MkdirAll(filepath.Join(o2.OutDir, "one-cycle"), 0o755)
	_, err = OneCycle(context.Background(), o2)
	checkOneLine(t, err, "the disk holding "+filepath.Join(o2.OutDir, "one-cycle")+" is full", "no space left on device")
	if strings.Contains(log2.String(), "step") {
		t.Errorf("trained anyway:\n%s", log2.String())
	}
	if l := leftovers(t, o2.OutDir); len(l) > 0 {
		t.Errorf("left %q behind", l)
	}
}

// TestNoRoom: a disk with less free space than All writes stops it before
// anything runs.
func TestNoRoom(t *testing.T) {
	o, log := loggedOptions(t, writeFakeCIFAR(t))
	freeSpace = func(string) (int64, bool) { return 1_000_000, true }
	t.Cleanup(func() { freeSpace = diskFree })
	_, err := All(context.Background(), o)
	checkOneLine(t, err, "only 1.0 MB free on the disk holding "+o.OutDir, "free some space, or choose another -out")
	if strings.Contains(log.String(), "==") {
		t.Errorf("All started without room:\n%s", log.String())
	}
	if names := entries(o.OutDir); len(names) > 0 {
		t.Errorf("OUT holds %q", names)
	}
}

// TestAllBytes: the estimate of what All writes with the report's settings
// lies between the files' known sizes (the model alone is 1.3 MB) and a
// generous bound.
func TestAllBytes(t *testing.T) {
	n := allBytes(Options{}.withDefaults())
	if n < 5e6 || n > 100e6 {
		t.Errorf("All writes about %d bytes by the estimate, want 5–100 MB", n)
	}
}

// TestDiskFullBeforeTraining: a disk that takes no file at all is found by
// the probe, before anything runs.
func TestDiskFullBeforeTraining(t *testing.T) {
	o, log := loggedOptions(t, writeFakeCIFAR(t))
	failWrites(t, "")
	_, err := All(context.Background(), o)
	checkOneLine(t, err, "the disk holding "+o.OutDir+" is full", "no space left on device", "free some space")
	checkNothingStarted(t, log.String(), o.OutDir)
}

// TestDiskFullDuringSearch: the disk fills while the third λ of a search
// writes its files: one line says so, nothing is half-written, the two
// finished runs are complete and kept by the rerun.
func TestDiskFullDuringSearch(t *testing.T) {
	data := writeFakeCIFAR(t)
	o, log := loggedOptions(t, data)
	failWrites(t, filepath.Join("runs", "3-lambda-0.002", "history.json"))
	_, err := Fine(context.Background(), o)
	checkOneLine(t, err, "the disk is full: "+filepath.Join(o.OutDir, "fine", "runs", "3-lambda-0.002", "history.json")+" could not be written (no space left on device); nothing was half-written")
	if !strings.Contains(log.String(), "fine: stopped after 2 of 8 λ; their results are kept") {
		t.Errorf("log does not say the finished runs are kept:\n%s", log.String())
	}
	if l := leftovers(t, o.OutDir); len(l) > 0 {
		t.Errorf("left %q behind", l)
	}
	dir := filepath.Join(o.OutDir, "fine")
	for _, f := range []string{"summary.json", filepath.Join("runs", "3-lambda-0.002", "summary.json")} {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s was written (%v)", f, err)
		}
	}
	writeHook = nil
	o2, log2 := loggedOptions(t, data)
	o2.OutDir = o.OutDir
	if _, err := Fine(context.Background(), o2); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log2.String(), "kept from the run of"); n != 2 {
		t.Errorf("the rerun kept %d runs, want 2:\n%s", n, log2.String())
	}
}

// TestDiskFullDuringSearchSideBySide: as TestDiskFullDuringSearch with the
// λ two at a time: the run beside the failing one may finish or be
// cancelled; the log counts the finished ones, and the rerun keeps exactly
// those.
func TestDiskFullDuringSearchSideBySide(t *testing.T) {
	data := writeFakeCIFAR(t)
	o, log := loggedOptions(t, data)
	o.SideBySide = 2
	failWrites(t, filepath.Join("runs", "3-lambda-0.002", "history.json"))
	_, err := Fine(context.Background(), o)
	checkOneLine(t, err, "the disk is full: "+filepath.Join(o.OutDir, "fine", "runs", "3-lambda-0.002", "history.json")+" could not be written (no space left on device); nothing was half-written")
	var done int
	if i := strings.Index(log.String(), "fine: stopped after "); i < 0 {
		t.Fatalf("log does not say the finished runs are kept:\n%s", log.String())
	} else if _, err := fmt.Sscanf(log.String()[i:], "fine: stopped after %d of 8 λ", &done); err != nil || done < 2 {
		t.Fatalf("log says %d runs finished (%v), want at least the 2 before it:\n%s", done, err, log.String())
	}
	if l := leftovers(t, o.OutDir); len(l) > 0 {
		t.Errorf("left %q behind", l)
	}
	writeHook = nil
	o2, log2 := loggedOptions(t, data)
	o2.OutDir, o2.SideBySide = o.OutDir, 2
	if _, err := Fine(context.Background(), o2); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log2.String(), "kept from the run of"); n != done {
		t.Errorf("the rerun kept %d runs, want the %d that finished:\n%s", n, done, log2.String())
	}
}

// TestDiskFullLeavesNoOldSummary: a section computed again (another seed)
// whose files cannot all be written has no summary afterwards, neither the
// old one beside new files nor a new one beside old files; the next run
// computes it.
func TestDiskFullLeavesNoOldSummary(t *testing.T) {
	o, log := loggedOptions(t, writeFakeCIFAR(t))
	if _, err := OneCycle(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	o.Seed = 8
	failWrites(t, filepath.Join("one-cycle", "loss.svg"))
	_, err := OneCycle(context.Background(), o)
	checkOneLine(t, err, "the disk is full", "loss.svg")
	if _, err := os.Stat(filepath.Join(o.OutDir, "one-cycle", "summary.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("one-cycle/summary.json is there after a failed rewrite (%v)", err)
	}
	writeHook = nil
	o.Seed = 7
	log.Reset()
	if _, err := OneCycle(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "kept") {
		t.Errorf("a section whose rewrite failed was kept:\n%s", log.String())
	}
}
