package main

import (
	"context"
	"flag"
	"fmt"

	"twolayer/experiments"
	"twolayer/experiments/report"
	"twolayer/experiments/store"
	"twolayer/network"
)

// optionFlags is a group of flags that set experiments.Options: it declares
// them on fs and returns the function that writes their values into the
// options. The values are checked by package experiments, once, where they
// are used.
type optionFlags func(fs *flag.FlagSet) func(e *env, o *experiments.Options)

// commonFlags are the flags every experiment command has: where the data is
// and the results go, the seed, -quiet and -offline. They also send messages
// and progress to e's standard error.
func commonFlags(fs *flag.FlagSet) func(*env, *experiments.Options) {
	data := fs.String("data", "", "CIFAR-10 directory, of the binary, Python or MATLAB version (default: $CIFAR10_DIR, then ./data/cifar-10-batches-bin)")
	out := fs.String("out", "results", "directory for the results: OUT/<command>/...")
	seed := fs.Uint64("seed", 1, "seed of every random choice (weights, λ of the coarse search, shuffling)")
	quiet := fs.Bool("quiet", false, "no progress display and no messages but warnings, only the results")
	offline := fs.Bool("offline", false, "never download CIFAR-10 when it is not found")
	return func(e *env, o *experiments.Options) {
		o.DataDir, o.OutDir, o.Seed, o.Quiet, o.Offline = *data, *out, *seed, *quiet, *offline
		o.Log, o.Progress, o.Terminal = e.stderr, e.stderr, e.terminal
	}
}

// overrideFlags change a section's own parameters, for quick runs.
func overrideFlags(fs *flag.FlagSet) func(*env, *experiments.Options) {
	batch := fs.Int("batch", 0, "override the section's batch size (0: the section's)")
	ns := fs.Int("ns", 0, "override the section's step size n_s (0: the section's)")
	cycles := fs.Int("cycles", 0, "override the section's number of cycles (0: the section's)")
	nval := fs.Int("nval", 0, "override the validation images held out of the five batches (0: the section's)")
	records := fs.Int("records", 0, "override the recordings of the metrics per cycle (0: the section's own, 10, or 2 in the searches)")
	return func(_ *env, o *experiments.Options) {
		o.BatchSize, o.StepSize, o.Cycles, o.NVal, o.RecordsPerCycle = *batch, *ns, *cycles, *nval, *records
	}
}

// freshFlag turns off keeping results: the commands of the report's
// sections and all keep a run whose results are already in OUT, computed
// from the same parameters, seed and data.
func freshFlag(fs *flag.FlagSet) func(*env, *experiments.Options) {
	fresh := fs.Bool("fresh", false, "recompute everything; without it, results already in OUT from the same parameters, seed and data are kept, and an interrupted search continues")
	return func(_ *env, o *experiments.Options) { o.Fresh = *fresh }
}

// sideFlag sets how many independent runs train at a time.
func sideFlag(fs *flag.FlagSet) func(*env, *experiments.Options) {
	n := fs.Int("side-by-side", 0, "independent runs (the λ of a search; in all, also the two data setups of 3.1) trained at a time, each on its share of the cores; the results are the same (0: a search's λ one per core, the setups of 3.1 side by side from 8 cores)")
	return func(_ *env, o *experiments.Options) { o.SideBySide = *n }
}

// splitFlag is section 3.1's choice of data.
func splitFlag(fs *flag.FlagSet) func(*env, *experiments.Options) {
	split := fs.String("split", "batch1", "data setup: batch1 (train data_batch_1, validate data_batch_2) or all (49,000/1,000, to OUT/<command>-all)")
	return func(_ *env, o *experiments.Options) { o.Split = *split }
}

// lambdaFlag is the final training's λ when there is no fine search to take
// it from.
func lambdaFlag(fs *flag.FlagSet) func(*env, *experiments.Options) {
	lambda := fs.Float64("lambda", 0.004, "λ when OUT/fine/summary.json does not exist (default: the report's 0.004)")
	return func(_ *env, o *experiments.Options) {
		o.Lambda, o.LambdaSet = *lambda, flagGiven(fs, "lambda")
	}
}

// bonusFlags are the bonus ablation's own flags.
func bonusFlags(fs *flag.FlagSet) func(*env, *experiments.Options) {
	quick := fs.Bool("quick", false, "every row in a few minutes: m = 200, shorter runs, fewer candidates")
	hidden := fs.Int("hidden", 0, "m of the wide rows (0: 1000, or 200 with -quick)")
	return func(_ *env, o *experiments.Options) { o.Quick, o.WideHidden = *quick, *hidden }
}

// options declares the flag groups on fs and returns the function that
// builds the experiments.Options from their values.
func options(fs *flag.FlagSet, groups ...optionFlags) func(e *env) experiments.Options {
	var apply []func(*env, *experiments.Options)
	for _, g := range groups {
		apply = append(apply, g(fs))
	}
	return func(e *env) experiments.Options {
		var o experiments.Options
		for _, f := range apply {
			f(e, &o)
		}
		return o
	}
}

// section returns the flags and action of a command that runs one section
// of the report with the given flag groups and prints its summary.
func section[S store.Summary](run func(context.Context, experiments.Options) (S, error), groups ...optionFlags) func(*flag.FlagSet) action {
	return func(fs *flag.FlagSet) action {
		opts := options(fs, groups...)
		return func(ctx context.Context, e *env, _ []string) error {
			return printed(e, "the run in progress wrote nothing; finished runs are kept, and the same command continues from them")(run(ctx, opts(e)))
		}
	}
}

// training is section for a command that trains: it also declares
// -serve, which serves the live page while it trains (served).
func training[S store.Summary](run func(context.Context, experiments.Options) (S, error), groups ...optionFlags) func(*flag.FlagSet) action {
	return func(fs *flag.FlagSet) action {
		opts := options(fs, groups...)
		addr := serveFlag(fs)
		return func(ctx context.Context, e *env, _ []string) error {
			return served(ctx, e, *addr, opts(e), func(o experiments.Options) error {
				return printed(e, "the run in progress wrote nothing; finished runs are kept, and the same command continues from them")(run(ctx, o))
			})
		}
	}
}

// printed returns what ends a command that runs: it prints the summary of
// the run (report.Brief), or returns the run's error, saying what an
// interruption left behind (see interrupted).
func printed(e *env, left string) func(store.Summary, error) error {
	return func(r store.Summary, err error) error {
		if err != nil {
			return interrupted(err, left)
		}
		fmt.Fprint(e.stdout, report.Brief(r))
		return nil
	}
}

// initValue is a flag that names a weight initialisation (network.ParseInit).
type initValue struct{ init *network.Init }

func (v initValue) String() string {
	if v.init == nil {
		return ""
	}
	return v.init.String()
}

func (v initValue) Set(s string) (err error) {
	*v.init, err = network.ParseInit(s)
	return err
}

// initFlag declares the flag -init on fs, with def by default.
func initFlag(fs *flag.FlagSet, def network.Init, usage string) *network.Init {
	init := def
	fs.Var(initValue{&init}, "init", usage)
	return &init
}

// flagGiven reports whether the flag name was given on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
