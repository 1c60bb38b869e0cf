package experiments

import (
	"context"
	"errors"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"twolayer/matrix"
)

// TestSideBySideIsByteIdentical: All with runs side by side writes the
// files of All with the runs one after the other, byte for byte (each with
// a clock that stands still, so that every time is 0 s), at GOMAXPROCS 4:
// two at a time (the two data setups of 3.1 together, the λ of each search
// two at a time, each on two cores) and three at a time (each on one core),
// with the sections in the order of allStages.
func TestSideBySideIsByteIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every experiment three times; skipped in -short")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	data := writeFakeCIFAR(t)
	clock := at(time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC))
	var want map[string][]byte
	out := ""
	for _, side := range []int{1, 2, 3} {
		o, log := loggedOptions(t, data)
		if out == "" {
			out = o.OutDir
		}
		o.OutDir, o.clock, o.SideBySide = out, clock, side // the same OUT path: summaries name their files by it
		a, err := All(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, stage := range allStages() {
			for _, seq := range stage {
				for _, s := range seq {
					names = append(names, s.name)
				}
			}
		}
		if got := a.Finished(); !slices.Equal(got, names) {
			t.Errorf("side by side %d: sections %v, want %v", side, got, names)
		}
		got := snapshot(t, o.OutDir)
		if want == nil {
			want = got
		} else {
			compareTrees(t, want, got)
		}
		if matrix.SetParallelism(0) != 0 {
			t.Errorf("side by side %d: All did not restore the products' parallelism", side)
		}
		if !strings.Contains(log.String(), "fine: λ = 0.007 (8 of 8)") {
			t.Errorf("side by side %d: the log lacks the last λ:\n%s", side, log.String())
		}
		os.RemoveAll(o.OutDir)
	}
}

// TestInParallel: the jobs run k at a time and all of them; after a
// failure the jobs not started are not run and the first real error by
// index is returned; with a cancelled context, its error.
func TestInParallel(t *testing.T) {
	o := Options{SideBySide: 3}.withDefaults()
	var running, most atomic.Int32
	job := func(fail int) func(ctx context.Context, o Options, i int) error {
		return func(ctx context.Context, o Options, i int) error {
			n := running.Add(1)
			defer running.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			if i == fail {
				return errors.New("job failed")
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(5 * time.Millisecond):
				return nil
			}
		}
	}
	errs, err := inParallel(context.Background(), o, 8, 1, job(-1))
	if err != nil || countErrors(errs) != 0 {
		t.Fatalf("all jobs succeed: %v, %v", errs, err)
	}
	if m := most.Load(); m > 3 {
		t.Errorf("%d jobs ran at once, want at most 3", m)
	}

	for _, side := range []int{3, 1} {
		o.SideBySide = side
		errs, err = inParallel(context.Background(), o, 8, 1, job(4))
		if err == nil || err.Error() != "job failed" {
			t.Errorf("%d at a time, job 4 fails: error %v", side, err)
		}
		for i, e := range errs {
			// One at a time, the jobs before 4 finish and those after are
			// not run; side by side, a job may be cancelled or not run.
			switch {
			case i == 4:
			case side == 1 && i < 4 && e != nil, side == 1 && i > 4 && e != errNotRun:
				t.Errorf("one at a time, job %d: %v", i, e)
			case e != nil && e != errNotRun:
				t.Errorf("%d at a time, job %d: %v, want nil or errNotRun", side, i, e)
			}
		}
	}
	o.SideBySide = 3

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := inParallel(ctx, o, 8, 1, job(-1)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: error %v", err)
	}
	o.SideBySide = 1
	if _, err := inParallel(ctx, o, 8, 1, job(-1)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context, one at a time: error %v", err)
	}
}

// TestSideBySideDefault: the number of runs at a time.
func TestSideBySideDefault(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range []struct{ set, procs, n, cores, want int }{
		{0, 1, 8, 1, 1}, {0, 2, 8, 1, 2}, {0, 16, 8, 1, 8}, {0, 3, 2, 1, 2},
		{0, 2, 2, 4, 1}, {0, 7, 2, 4, 1}, {0, 8, 2, 4, 2}, {0, 64, 2, 4, 2},
		{5, 2, 8, 1, 5}, {5, 2, 3, 4, 3}, {1, 16, 8, 1, 1},
	} {
		runtime.GOMAXPROCS(c.procs)
		if got := (Options{SideBySide: c.set}).sideBySide(c.n, c.cores); got != c.want {
			t.Errorf("SideBySide %d, GOMAXPROCS %d, %d runs of at least %d cores: %d at a time, want %d", c.set, c.procs, c.n, c.cores, got, c.want)
		}
	}
}
