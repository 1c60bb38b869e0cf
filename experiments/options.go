package experiments

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"twolayer/cifar"
	"twolayer/experiments/progress"
	"twolayer/network"
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

	Log      io.Writer // one-line messages; nil means os.Stderr
	Progress io.Writer // the progress display; nil means os.Stderr
	Terminal bool      // draw a redrawn bar (stderr is a terminal) rather than plain lines

	shared *shared          // data cache and once-only warnings, shared by copies of Options
	clock  func() time.Time // the time of the results; nil means time.Now (tests set a fixed one)
}

// shared is the state that the experiments of one All run share.
type shared struct {
	mu     sync.Mutex
	dir    string // the data directory, once found
	dataID string // the identity of its content (cifar.Identity), "" if unknown
	warned bool
	// The splits loaded, most recently used last: at most splitSlots of
	// them (0 means 1), so that one run after the other keeps one split in
	// memory and runs side by side on different splits keep theirs.
	splits     []cachedSplit
	splitSlots int
}

// setSplitSlots sets how many splits loadSplit keeps (n runs side by side
// on different splits keep theirs) and returns the previous setting.
func (sh *shared) setSplitSlots(n int) int {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	prev := sh.splitSlots
	sh.splitSlots = n
	return prev
}

// cachedSplit is a loaded data split and its key (see loadSplit).
type cachedSplit struct {
	key   string
	split *cifar.Split
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

// FindData returns the CIFAR-10 directory: cifar.FindDir's answer, or,
// when no copy is found and nothing names one (-data and $CIFAR10_DIR are
// empty) and Offline is not set, a fresh download into ./data, announced in
// one line. If the download fails too, the error says so and names both
// fixes. It checks the files once (cifar.Verify): when they differ from the
// official ones it warns, and it records the identity of their content for
// the Inputs of the runs (cifar.Identity).
func FindData(ctx context.Context, o Options) (string, error) {
	o = o.withDefaults()
	o.shared.mu.Lock()
	defer o.shared.mu.Unlock()
	if o.shared.dir != "" {
		return o.shared.dir, nil
	}
	dir, err := cifar.FindDir(o.DataDir)
	if err != nil {
		if !errors.Is(err, cifar.ErrNotFound) || o.Offline || o.DataDir != "" || os.Getenv(cifar.EnvVar) != "" {
			return "", err
		}
		target := filepath.Dir(cifar.DefaultDir)
		o.logf("CIFAR-10 not found: downloading it into ./%s (-offline turns this off)", target)
		var progress io.Writer
		if !o.Quiet {
			progress = o.Progress
		}
		if derr := cifar.Download(ctx, target, cifar.DownloadOptions{Progress: progress}); derr != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", fmt.Errorf("downloading CIFAR-10 failed (%v); %v", derr, err)
		}
		if dir, err = cifar.FindDir(""); err != nil {
			return "", err
		}
	}
	checks, err := cifar.Verify(dir)
	warning := ""
	if err != nil {
		warning = fmt.Sprintf("warning: could not verify the CIFAR-10 files in %s: %v", dir, err)
	} else {
		warning = cifar.CheckWarning(dir, checks)
		o.shared.dataID = cifar.Identity(dir, checks)
	}
	if !o.shared.warned && warning != "" {
		o.shared.warned = true
		fmt.Fprintln(o.Log, warning) // a warning, not progress: -quiet does not silence it
	}
	o.shared.dir = dir
	return dir, nil
}

// loadSplit loads (or takes from the cache) a data split: "batch1", or
// "all" with nVal validation images.
func loadSplit(ctx context.Context, o Options, split string, nVal int) (*cifar.Split, error) {
	dir, err := FindData(ctx, o)
	if err != nil {
		return nil, err
	}
	key := split
	if split == "all" {
		key = fmt.Sprintf("all-%d", nVal)
	}
	o.shared.mu.Lock()
	defer o.shared.mu.Unlock()
	for i, c := range o.shared.splits {
		if c.key == key {
			o.shared.splits = append(append(o.shared.splits[:i:i], o.shared.splits[i+1:]...), c)
			return c.split, nil
		}
	}
	if n := len(o.shared.splits) - max(o.shared.splitSlots, 1) + 1; n > 0 {
		clear(o.shared.splits[:n]) // let the old ones be collected first
		o.shared.splits = o.shared.splits[n:]
	}
	var s *cifar.Split
	switch split {
	case "batch1":
		s, err = cifar.LoadSplitBatch1(dir)
	case "all":
		s, err = cifar.LoadSplitAll(dir, nVal)
	default:
		return nil, Usagef("unknown split %q: use batch1 or all", split)
	}
	if err != nil {
		return nil, err
	}
	o.shared.splits = append(o.shared.splits, cachedSplit{key, s})
	return s, nil
}

// pick returns override if it is set (non-zero), else def.
func pick(override, def int) int {
	if override != 0 {
		return override
	}
	return def
}
