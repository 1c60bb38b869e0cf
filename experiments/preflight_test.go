package experiments

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The store checks that the results can be written (store.CheckOutput) and
// writes them atomically; its own tests simulate a full disk. These tests
// check what the runners do about it: they check before anything runs, and
// a run whose writing fails leaves what had finished, complete and kept by
// the rerun. The failures are real ones that no permission lifts (a file
// or a directory in the way), so that they happen for root too.

// leftovers returns the temporary files and probe files under dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && (strings.Contains(d.Name(), ".tmp-") || d.Name() == ".twolayer-write-test") {
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

// blockWith puts a directory holding a file at path, where a run will write
// a file or look for a directory of its own: renaming a file over it, or
// removing a file inside it, fails whoever runs the test.
func blockWith(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(path, "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
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

// TestUnwritableOutput: OUT that cannot be created (a file is in the way)
// stops All, and a section, before anything is trained.
func TestUnwritableOutput(t *testing.T) {
	data := writeFakeCIFAR(t)
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	for _, run := range []struct {
		name string
		f    func(context.Context, Options) error
	}{
		{"all", func(ctx context.Context, o Options) error { _, err := All(ctx, o); return err }},
		{"one-cycle", func(ctx context.Context, o Options) error { _, err := OneCycle(ctx, o); return err }},
	} {
		o, log := loggedOptions(t, data)
		o.OutDir = filepath.Join(file, "out")
		err := run.f(context.Background(), o)
		checkOneLine(t, err, "cannot create the output directory "+o.OutDir, "choose another -out")
		if strings.Contains(log.String(), "==") || strings.Contains(log.String(), "step") {
			t.Errorf("%s started without an OUT:\n%s", run.name, log.String())
		}
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

// TestWriteFailsDuringSearch: the third λ of a search cannot write its
// history.json (a directory is in the way): one line says so, nothing is
// half-written, the two finished runs are complete and kept by the rerun,
// with the λ one at a time and two at a time (then the run beside the
// failing one may finish or be cancelled: the log counts the finished
// ones, and the rerun keeps exactly those).
func TestWriteFailsDuringSearch(t *testing.T) {
	data := writeFakeCIFAR(t)
	for _, side := range []int{1, 2} {
		o, log := loggedOptions(t, data)
		o.SideBySide = side
		dir := filepath.Join(o.OutDir, "fine")
		blocked := filepath.Join(dir, "runs", "3-lambda-0.002", "history.json")
		blockWith(t, blocked)
		_, err := Fine(context.Background(), o)
		checkOneLine(t, err, "cannot write "+blocked)
		var done int
		if i := strings.Index(log.String(), "fine: stopped after "); i < 0 {
			t.Fatalf("%d at a time: the log does not say the finished runs are kept:\n%s", side, log.String())
		} else if _, err := fmt.Sscanf(log.String()[i:], "fine: stopped after %d of 8 λ; their results are kept", &done); err != nil || done < 2 || (side == 1 && done != 2) {
			t.Fatalf("%d at a time: the log says %d runs finished (%v), want the 2 before it:\n%s", side, done, err, log.String())
		}
		if l := leftovers(t, o.OutDir); len(l) > 0 {
			t.Errorf("%d at a time: left %q behind", side, l)
		}
		for _, f := range []string{"summary.json", filepath.Join("runs", "3-lambda-0.002", "summary.json")} {
			if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%d at a time: %s was written (%v)", side, f, err)
			}
		}
		os.RemoveAll(blocked)
		o2, log2 := loggedOptions(t, data)
		o2.OutDir, o2.SideBySide = o.OutDir, side
		if _, err := Fine(context.Background(), o2); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(log2.String(), "kept from the run of"); n != done {
			t.Errorf("%d at a time: the rerun kept %d runs, want the %d that finished:\n%s", side, n, done, log2.String())
		}
	}
}

// TestWriteFailureLeavesNoOldSummary: a section computed again (another
// seed) whose files cannot all be written has no summary afterwards,
// neither the old one beside new files nor a new one beside old files; the
// next run computes it.
func TestWriteFailureLeavesNoOldSummary(t *testing.T) {
	o, log := loggedOptions(t, writeFakeCIFAR(t))
	if _, err := OneCycle(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	loss := filepath.Join(o.OutDir, "one-cycle", "loss.svg")
	os.Remove(loss)
	blockWith(t, loss)
	o.Seed = 8
	_, err := OneCycle(context.Background(), o)
	checkOneLine(t, err, "cannot write "+loss)
	if _, err := os.Stat(filepath.Join(o.OutDir, "one-cycle", "summary.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("one-cycle/summary.json is there after a failed rewrite (%v)", err)
	}
	os.RemoveAll(loss)
	o.Seed = 7
	log.Reset()
	if _, err := OneCycle(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "kept") {
		t.Errorf("a section whose rewrite failed was kept:\n%s", log.String())
	}
}
