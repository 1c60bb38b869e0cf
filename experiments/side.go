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
// Whether it pays depends on the machine. Measured on the 2-core AMD EPYC
// (Zen 4) this program is developed on, one run uses both cores well
// (a search's λ run 1.9–2.0 times as fast as on one core): two searches'
// λ runs side by side, each on one core, took 8.0–8.6 s, one after the
// other on both cores 7.7–8.9 s (the coarse search, with `-side-by-side`
// 1 and 2, in README.md's performance section). With more cores, one run's
// small products (50×3072×500) scale less and less well, and runs side by
// side keep the cores busy instead.

// coresPerRun is how many cores a run gets, at least, when runs go side by
// side by default: GOMAXPROCS/coresPerRun runs at a time (see sideBySide).
const coresPerRun = 2

// sideBySide returns how many of n independent runs to train at a time:
// Options.SideBySide if set, else GOMAXPROCS/coresPerRun (so one on 2 or 3
// cores), at most n and at least 1.
func (o Options) sideBySide(n int) int {
	k := o.SideBySide
	if k == 0 {
		k = runtime.GOMAXPROCS(0) / coresPerRun
	}
	return max(1, min(k, n))
}

// inParallel runs job(ctx, o, i) for i = 0..n−1, k = o.sideBySide(n) at a
// time, taking the jobs in order of i, each with its products on
// GOMAXPROCS/k goroutines. With k > 1 the jobs get Options whose messages
// and progress lines are written one at a time (the progress display
// becomes plain lines: a redrawn bar cannot be shared). When a job fails,
// the jobs not started yet are not started, and the running ones are
// cancelled. It returns each job's error (nil for a job that finished,
// errNotRun for one that did not run or was cancelled because another
// failed) and the first error by index that is not errNotRun (nil when
// every job finished).
func inParallel(ctx context.Context, o Options, n int, job func(ctx context.Context, o Options, i int) error) ([]error, error) {
	errs := make([]error, n)
	k := o.sideBySide(n)
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
