package experiments

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"twolayer/experiments/progress"
	"twolayer/network"
	"twolayer/serve"
)

// Options are the settings shared by all experiments. The zero value works:
// data found by cifar.FindDir, results under "results", seed 0, progress and
// messages on standard error.
type Options struct {
	DataDir string // the -data flag; "" searches $CIFAR10_DIR, then ./data/cifar-10-batches-bin
	OutDir  string // results root: each experiment writes OutDir/<experiment>/; "" means "results"
	Seed    uint64 // seed of every random choice (weights, λ of the coarse search, shuffling)
	Quiet   bool   // no progress display and no messages
	Offline bool   // never download the data
	// Fresh recomputes every run; without it a run whose results are
	// already under OutDir, computed from the same Inputs, is kept.
	Fresh bool
	// SideBySide is how many independent runs (the λ of a search, the two
	// data setups of section 3.1 in All) train at a time, each on its share
	// of the cores; 0 chooses for this machine (see sideBySide in side.go).
	// The results are the same, bit for bit, whatever it is.
	SideBySide int

	// Split is the data setup of section 3.1: "batch1" (the text's: train
	// data_batch_1, validate data_batch_2; the default) or "all" (all five
	// batches, 49,000 / 1,000; written to OUT/<experiment>-all/).
	Split string
	// Lambda is the λ of the final training when there is no fine search
	// summary to read it from; LambdaSet says it was given.
	Lambda    float64
	LambdaSet bool
	Init      network.Init // weight initialisation; the report's N(0, 0.01²) by default
	Hidden    int          // hidden units m; 0 means 50

	// Overrides of a section's own parameters, for quick runs and tests;
	// 0 keeps the section's value. Whatever is used is in summary.json.
	BatchSize       int
	StepSize        int
	Cycles          int
	NVal            int // validation images held out of the five batches
	RecordsPerCycle int

	// The bonus ablation (Bonus): Quick makes it a few-minute version of
	// itself (every row, narrower networks, shorter runs); WideHidden is the
	// m of its wide rows (0: 1000, or 200 with Quick); WithBonus makes All
	// run it after the report's sections.
	Quick      bool
	WideHidden int
	WithBonus  bool

	// Hub is where training runs publish their progress for the live page
	// (package serve, the -serve flag; see live.go); nil: not serving.
	Hub *serve.Hub

	Log      io.Writer // one-line messages; nil means os.Stderr
	Progress io.Writer // the progress display; nil means os.Stderr
	Terminal bool      // draw a redrawn bar (stderr is a terminal) rather than plain lines

	shared *shared          // data cache and once-only warnings, shared by copies of Options
	clock  func() time.Time // the time of the results; nil means time.Now (tests set a fixed one)
}

// withDefaults returns o with its empty fields filled in.
func (o Options) withDefaults() Options {
	if o.OutDir == "" {
		o.OutDir = "results"
	}
	if o.Split == "" {
		o.Split = "batch1"
	}
	if o.Hidden == 0 {
		o.Hidden = 50
	}
	if o.Log == nil {
		o.Log = os.Stderr
	}
	if o.Progress == nil {
		o.Progress = os.Stderr
	}
	if o.shared == nil {
		o.shared = &shared{}
	}
	return o
}

// validate returns a usage error for a setting of o that belongs to no
// run: the number of runs side by side, and the default m. The settings
// that make a run (the split, λ, the overrides of a section's batch, n_s,
// cycles, validation images and recordings) are checked as part of the
// run's Setup (Setup.validate).
func (o Options) validate() error {
	switch {
	case o.SideBySide < 0:
		return Usagef("-side-by-side %d: must be at least 1 (or 0 for this machine's default)", o.SideBySide)
	case o.Hidden < 0:
		return Usagef("%d hidden units: need at least 1 (or 0 for the report's 50)", o.Hidden)
	}
	return nil
}

// prepared runs f, the work of an exported function, with o's defaults
// filled in once o is checked (validate): the exported functions are where
// settings come in from outside, and All, which runs the sections, calls
// their work directly, so each setting is checked once.
func prepared[R any](ctx context.Context, o Options, f func(context.Context, Options) (R, error)) (R, error) {
	if err := o.validate(); err != nil {
		var none R
		return none, err
	}
	return f(ctx, o.withDefaults())
}

// now returns the current time, of o.clock when set.
func (o Options) now() time.Time {
	if o.clock != nil {
		return o.clock()
	}
	return time.Now()
}

// logf writes a message (a line, or a line and its continuation) unless quiet.
func (o Options) logf(format string, a ...any) {
	if o.Quiet {
		return
	}
	fmt.Fprintf(o.Log, format+"\n", a...)
}

// bar returns the progress display of a training run, nil when quiet.
func (o Options) bar(label string) *progress.Bar {
	return progress.New(o.Progress, o.Terminal, o.Quiet, label)
}

// ErrUsage marks errors in what the user asked for (bad flag values,
// impossible settings), as opposed to failures while running.
var ErrUsage = errors.New("usage")

// usageError wraps a message as an ErrUsage error.
type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == ErrUsage }

// Usagef returns an error for which errors.Is(err, ErrUsage) holds.
func Usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// pick returns override if it is set (non-zero), else def.
func pick(override, def int) int {
	if override != 0 {
		return override
	}
	return def
}
