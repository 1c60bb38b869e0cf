package experiments

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"twolayer/matrix"
)

// Independent runs side by side.
//
// The runs of a search (one per λ) and the two data setups of section 3.1
// depend on each other in nothing: each has its own network, seed and
// files, and reads the data it shares with the others. So they may run
// side by side, k at a time, each on its share of the cores: the products
// of each run use GOMAXPROCS/k goroutines (matrix.SetParallelism) instead
// of all of them. Each run computes the same numbers, bit for bit, as it
// does alone (the products give the same bits at any parallelism), and the
// results are gathered in the runs' order, so the files are those of the
// runs one after the other.
//
// Whether it pays depends on the machine, and on the runs. Measured on
// the 2-core AMD EPYC (Zen 4) this program is developed on, on the real
// data: the coarse search with its 8 λ runs two at a time, each on one core,
// took 34.8 and 37.2 s, one after the other on both cores 39.1 and 40.5 s
// (alternating runs of `coarse -side-by-side 2` and `1`); but the two data
// setups of 3.1 side by side took 27–30 s, one after the other 25–29 s (in
// all, twice each way): they are unequal (3.1 on all five batches records
// five times as many images), and a run of batch 100 already uses two
// cores well (1.85 times as fast as on one).
//
// So a search runs GOMAXPROCS λ at a time, each on one core or, on a
// machine with more cores than λ, on GOMAXPROCS/8; the two setups of 3.1 run
// side by side only where each gets at least four cores (on 8 or more),
// where one run of batch 100 no longer keeps all of them busy (3.1(a) ran
// 2.0 times as fast on 16 cores of a Xeon as on 2, not 8 times:
// scripts/device-bench measures it, and BenchmarkSideBySide the same
// question for search-like runs).

// Cores per run below which runs do not go side by side by default (see
// sideBySide): a λ run of a search, and a data setup of section 3.1.
const (
	searchCoresPerRun = 1
	setupCoresPerRun  = 4
)

// sideBySide returns how many of n independent runs to train at a time:
// Options.SideBySide if set, else as many as give each run at least
// coresPerRun cores of GOMAXPROCS; at most n and at least 1.
func (o Options) sideBySide(n, coresPerRun int) int {
	k := o.SideBySide
	if k == 0 {
		k = runtime.GOMAXPROCS(0) / coresPerRun
	}
	return max(1, min(k, n))
}

// inParallel runs job(ctx, o, i) for i = 0..n−1, k = o.sideBySide(n,
// coresPerRun) at a time, taking the jobs in order of i, each with its products on
// GOMAXPROCS/k goroutines. With k > 1 the jobs get Options whose messages
// and progress lines are written one at a time (the progress display
// becomes plain lines: a redrawn bar cannot be shared). When a job fails,
// the jobs not started yet are not started, and the running ones are
// cancelled. It returns each job's error (nil for a job that finished,
// errNotRun for one that did not run or was cancelled because another
// failed) and the first error by index that is not errNotRun (nil when
// every job finished).
func inParallel(ctx context.Context, o Options, n, coresPerRun int, job func(ctx context.Context, o Options, i int) error) ([]error, error) {
	errs := make([]error, n)
	k := o.sideBySide(n, coresPerRun)
	if k > 1 {
		defer matrix.SetParallelism(matrix.SetParallelism(max(1, runtime.GOMAXPROCS(0)/k)))
		var mu sync.Mutex
		o.Log, o.Progress, o.Terminal = &lockedWriter{w: o.Log, mu: &mu}, &lockedWriter{w: o.Progress, mu: &mu}, false
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range k {
		wg.Go(func() {
			for i := range next {
				if context.Cause(ctx) == errNotRun {
					errs[i] = errNotRun
					continue
				}
				err := job(ctx, o, i)
				switch {
				case err == nil:
				case context.Cause(ctx) == errNotRun && errors.Is(err, context.Canceled):
					err = errNotRun // cancelled because another job failed
				default:
					cancel(errNotRun)
				}
				errs[i] = err
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && err != errNotRun {
			return errs, err
		}
	}
	return errs, nil
}

// errNotRun is the error of a job that inParallel did not start, or
// cancelled, because another job failed.
var errNotRun = errors.New("not run: another run failed")

// lockedWriter serialises the writes of runs side by side to one writer.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
