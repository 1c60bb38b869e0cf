package main

import (
	"context"
	"flag"
	"fmt"

	"twolayer/experiments"
)

// optionFlags is a group of flags that set experiments.Options: it declares
// them on fs and returns the function that checks their values and writes
// them into the options.
type optionFlags func(fs *flag.FlagSet) func(e *env, o *experiments.Options) error

// commonFlags are the flags every experiment command has: where the data is
// and the results go, the seed, -quiet and -offline. They also send messages
// and progress to e's standard error.
func commonFlags(fs *flag.FlagSet) func(*env, *experiments.Options) error {
	data := fs.String("data", "", "CIFAR-10 directory, of the binary, Python or MATLAB version (default: $CIFAR10_DIR, then ./data/cifar-10-batches-bin)")
	out := fs.String("out", "results", "directory for the results: OUT/<command>/...")
	seed := fs.Uint64("seed", 1, "seed of every random choice (weights, λ of the coarse search, shuffling)")
	quiet := fs.Bool("quiet", false, "no progress display and no messages but warnings, only the results")
	offline := fs.Bool("offline", false, "never download CIFAR-10 when it is not found")
	return func(e *env, o *experiments.Options) error {
		o.DataDir, o.OutDir, o.Seed, o.Quiet, o.Offline = *data, *out, *seed, *quiet, *offline
		o.Log, o.Progress, o.Terminal = e.stderr, e.stderr, e.terminal
		return nil
	}
}

// overrideFlags change a section's own parameters, for quick runs.
func overrideFlags(fs *flag.FlagSet) func(*env, *experiments.Options) error {
	flags := []struct {
		name, usage string
		v           *int
	}{
		{"batch", "override the section's batch size (0: the section's)", nil},
		{"ns", "override the section's step size n_s (0: the section's)", nil},
		{"cycles", "override the section's number of cycles (0: the section's)", nil},
		{"nval", "override the validation images held out of the five batches (0: the section's)", nil},
		{"records", "override the recordings of the metrics per cycle (0: the section's own, 10, or 2 in the searches)", nil},
	}
	for i := range flags {
		flags[i].v = fs.Int(flags[i].name, 0, flags[i].usage)
	}
	return func(_ *env, o *experiments.Options) error {
		for _, f := range flags {
			if *f.v < 0 {
				return usagef("-%s %d: must be positive (or 0 for the section's value)", f.name, *f.v)
			}
		}
		o.BatchSize, o.StepSize, o.Cycles, o.NVal, o.RecordsPerCycle = *flags[0].v, *flags[1].v, *flags[2].v, *flags[3].v, *flags[4].v
		return nil
	}
}

// freshFlag turns off keeping results: the commands of the report's
// sections and all keep a run whose results are already in OUT, computed
// from the same parameters, seed and data.
func freshFlag(fs *flag.FlagSet) func(*env, *experiments.Options) error {
	fresh := fs.Bool("fresh", false, "recompute everything; without it, results already in OUT from the same parameters, seed and data are kept, and an interrupted search continues")
	return func(_ *env, o *experiments.Options) error {
		o.Fresh = *fresh
		return nil
	}
}

// sideFlag sets how many independent runs train at a time.
func sideFlag(fs *flag.FlagSet) func(*env, *experiments.Options) error {
	n := fs.Int("side-by-side", 0, "independent runs (the λ of a search; in all, also the two data setups of 3.1) trained at a time, each on its share of the cores; the results are the same (0: a search's λ one per core, the setups of 3.1 side by side from 8 cores)")
	return func(_ *env, o *experiments.Options) error {
		if *n < 0 {
			return usagef("-side-by-side %d: must be at least 1 (or 0 for this machine's default)", *n)
		}
		o.SideBySide = *n
		return nil
	}
}

// splitFlag is section 3.1's choice of data.
func splitFlag(fs *flag.FlagSet) func(*env, *experiments.Options) error {
	split := fs.String("split", "batch1", "data setup: batch1 (train data_batch_1, validate data_batch_2) or all (49,000/1,000, to OUT/<command>-all)")
	return func(_ *env, o *experiments.Options) error {
		if err := checkSplit(*split); err != nil {
			return err
		}
		o.Split = *split
		return nil
	}
}

// lambdaFlag is the final training's λ when there is no fine search to take
// it from.
func lambdaFlag(fs *flag.FlagSet) func(*env, *experiments.Options) error {
	lambda := fs.Float64("lambda", 0.004, "λ when OUT/fine/summary.json does not exist (default: the report's 0.004)")
	return func(_ *env, o *experiments.Options) error {
		if *lambda < 0 {
			return usagef("-lambda %g: λ must be ≥ 0", *lambda)
		}
		o.Lambda, o.LambdaSet = *lambda, flagGiven(fs, "lambda")
		return nil
	}
}

// bonusFlags are the bonus ablation's own flags.
func bonusFlags(fs *flag.FlagSet) func(*env, *experiments.Options) error {
	quick := fs.Bool("quick", false, "every row in a few minutes: m = 200, shorter runs, fewer candidates")
	hidden := fs.Int("hidden", 0, "m of the wide rows (0: 1000, or 200 with -quick)")
	return func(_ *env, o *experiments.Options) error {
		if *hidden < 0 {
			return usagef("-hidden %d: must be positive (or 0 for the ablation's)", *hidden)
		}
		o.Quick, o.WideHidden = *quick, *hidden
		return nil
	}
}

// options declares the flag groups on fs and returns the function that
// builds the experiments.Options from their values.
func options(fs *flag.FlagSet, groups ...optionFlags) func(e *env) (experiments.Options, error) {
	var apply []func(*env, *experiments.Options) error
	for _, g := range groups {
		apply = append(apply, g(fs))
	}
	return func(e *env) (experiments.Options, error) {
		var o experiments.Options
		for _, f := range apply {
			if err := f(e, &o); err != nil {
				return o, err
			}
		}
		return o, nil
	}
}

// section returns the flags and action of a command that runs one section
// of the report with the given flag groups and prints its summary.
func section(run func(context.Context, experiments.Options) (*experiments.Result, error), groups ...optionFlags) func(*flag.FlagSet) action {
	return func(fs *flag.FlagSet) action {
		opts := options(fs, groups...)
		return func(ctx context.Context, e *env, _ []string) error {
			o, err := opts(e)
			if err != nil {
				return err
			}
			r, err := run(ctx, o)
			if err != nil {
				return interrupted(err, "the run in progress wrote nothing; finished runs are kept, and the same command continues from them")
			}
			fmt.Fprint(e.stdout, r.Summary())
			return nil
		}
	}
}

// checkSplit returns a usage error unless split names a data setup.
func checkSplit(split string) error {
	if split != "batch1" && split != "all" {
		return usagef("-split %q: use batch1 or all", split)
	}
	return nil
}

// flagGiven reports whether the flag name was given on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
