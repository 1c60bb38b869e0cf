package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestAbsurdSizes runs the program with sizes no machine has the memory
// for, and with sizes no run can have, in every command that takes sizes:
// each ends within a second in one line on standard error, a usage error
// (exit code 2) saying what is wrong, never in the runtime's out-of-memory
// crash or a panic. There is no data here (and -offline): the memory check
// comes before the data is looked for. The sizes that need the memory
// check are refused on machines with less than a few terabytes of memory;
// where the system does not say how much it has (not Linux), only those
// beyond what a process can address are.
func TestAbsurdSizes(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	for _, c := range []struct {
		args   string
		want   string // in the line
		memory bool   // refused by the memory check
	}{
		{"train -hidden 2000000000", "train: -hidden 2000000000 needs about ", true},
		{"train -hidden 9223372036854775807", "train: -hidden 9223372036854775807 needs about ", true},
		{"train -hidden 99999999999999999999", `invalid value "99999999999999999999" for flag -hidden: value out of range`, false},
		{"train -hidden -5", "train: -hidden -5: need at least 1 hidden unit", false},
		{"train -batch 1000000000", "train: -batch 1000000000 needs about ", true},
		{"train -batch -1", "the batch size (-1) must be at least 1", false},
		{"train -ns 1000000000", "train: -ns 1000000000 -cycles 1 needs about ", true},
		{"train -cycles 2000000000", "2000000000 cycles of 2·500 steps are too many", false},
		{"train -records 2000000000 -ns 50000000", "the records of the metrics alone are 70.4 GB", true},
		{"train -split all -nval 999999999", "-nval 999999999: must be between 1 and 49,999", false},
		{"train -shift 1000000", "the augmentation's shift (1000000 pixels) must be in 0..31", false},
		{"one-cycle -ns 1000000000", "one-cycle: -ns 1000000000 needs about ", true},
		{"three-cycles -batch 1000000000", "three-cycles: -batch 1000000000 needs about ", true},
		{"coarse -side-by-side 100000000 -batch 1000000000", "for 8 runs side by side", true},
		{"fine -cycles 5000000", "fine: -cycles 5000000 needs about ", true},
		{"final -batch 1000000000", "final: -batch 1000000000 needs about ", true},
		{"all -cycles 1000000", "all: -cycles 1000000 needs about ", true},
		{"bonus -hidden 2000000000", "bonus: -hidden 2000000000 needs about ", true},
		{"bonus -quick -batch 1000000000", "bonus: -batch 1000000000 needs about ", true},
		{"lr-range -hidden 2000000000", "lr-range: -hidden 2000000000 needs about ", true},
		{"lr-range -steps 2000000000", "-steps 2000000000: the range test takes at most 1073741823 steps", false},
	} {
		t.Run(c.args, func(t *testing.T) {
			if c.memory && runtime.GOOS != "linux" {
				t.Skip("the memory available is known on Linux only")
			}
			args := append(strings.Fields(c.args), "-offline", "-out", filepath.Join(dir, "out"))
			start := time.Now()
			r := runBinary(t, bin, dir, args...)
			took := time.Since(start)
			checkAbsurd(t, r, took, c.want)
			if c.memory && !strings.Contains(r.stderr, "of memory (") {
				t.Errorf("not the memory check's line: %q", r.stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Errorf("an absurd setting got as far as creating the output directory")
	}
}

// TestAbsurdModelFiles: show and predict with a model file of a terabyte
// (a sparse file: nothing is written) stop before reading it, in one line.
func TestAbsurdModelFiles(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the memory available is known on Linux only")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "huge.bin")
	f, err := os.Create(model)
	if err != nil {
		t.Fatal(err)
	}
	err = f.Truncate(1 << 40)
	f.Close()
	if err != nil {
		t.Skipf("this file system takes no sparse file of a terabyte: %v", err)
	}
	for _, args := range [][]string{
		{"show", "-offline", "-model", model, "-out", filepath.Join(dir, "show")},
		{"predict", "-model", model, "-file", model, "-index", "0"},
	} {
		start := time.Now()
		r := runBinary(t, bin, dir, args...)
		checkAbsurd(t, r, time.Since(start), args[0]+": -model "+model+" needs about ")
		if !strings.Contains(r.stderr, "(the model files' bytes and weights alone are 2.2 TB); this machine has") || !strings.HasSuffix(r.stderr, ": give a smaller model\n") {
			t.Errorf("%s: %q does not name the model file's 2.2 TB and what to do", args[0], r.stderr)
		}
	}
}

// checkAbsurd checks the end of a command given an absurd size: exit code
// 2, nothing on standard output, one line on standard error that starts
// with "twolayer: " and says want, no trace of a crash, in under a second.
func checkAbsurd(t *testing.T, r result, took time.Duration, want string) {
	t.Helper()
	if r.code != 2 {
		t.Errorf("exit code %d, want 2 (a usage error); stderr %q", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("standard output %q, want nothing", r.stdout)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "twolayer: ") || !strings.HasSuffix(r.stderr, "\n") {
		t.Errorf("standard error %q, want one line starting with \"twolayer: \"", r.stderr)
	}
	for _, crash := range []string{"goroutine", "panic", "fatal error", "out of memory", "internal error"} {
		if strings.Contains(r.stderr, crash) {
			t.Errorf("standard error says %q: %q", crash, r.stderr)
		}
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("standard error %q does not say %q", r.stderr, want)
	}
	if took > time.Second {
		t.Errorf("took %v, want under a second", took)
	}
	t.Logf("%.0f ms: %s", took.Seconds()*1000, strings.TrimSpace(r.stderr))
}
