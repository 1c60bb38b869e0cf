// Command twolayer reruns the experiments of the DD2424 assignment 2 report
// (a two-layer network on CIFAR-10 trained with cyclical learning rates),
// trains networks with any setting, and classifies images with a saved one.
//
// Usage:
//
//	go run . <command> [flags]
//	go run . -h                 lists the commands
//	go run . <command> -h       lists a command's flags
//
// Errors are one line on standard error starting with "twolayer: "; the exit
// code is 2 for a usage error (unknown command, bad flag value, impossible
// setting) and 1 for a failure (missing data, unreadable file, interrupted).
// Ctrl-C stops cleanly: the run in progress writes nothing, the finished
// ones keep their files.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"twolayer/cifar"
	"twolayer/experiments"
	"twolayer/network"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills the program at once
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand of the program.
type command struct {
	name    string
	summary string // one line for the command list
	run     func(ctx context.Context, e *env, args []string) error
}

// commands lists the subcommands in the order of the report.
var commands = []command{
	{"gradcheck", "2.9: analytic gradients against forward and centered differences", runSection("gradcheck", experiments.GradCheck, false)},
	{"one-cycle", "3.1(a): λ = 0.01, η 1e-5..1e-1, n_s = 500, batch 100, 1 cycle (-split all: 49,000/1,000)", runSection("one-cycle", experiments.OneCycle, true)},
	{"three-cycles", "3.1(b): as one-cycle with n_s = 800 and 3 cycles", runSection("three-cycles", experiments.ThreeCycles, true)},
	{"coarse", "3.2: 8 random λ = 10^l, l in [-5, -1]; 45,000/5,000, batch 500, 2 cycles; ranked by validation", runSection("coarse", experiments.Coarse, false)},
	{"fine", "3.3: λ in {0, 0.001, ..., 0.007}, otherwise as coarse", runSection("fine", experiments.Fine, false)},
	{"final", "3.4: the best λ of fine, batch 100, 3 cycles, 49,000/1,000; saves the model", runFinal},
	{"all", "all of the above in order, then OUT/report.md and OUT/report.html", runAll},
	{"report", "rewrite OUT/report.md and OUT/report.html from the results already in OUT", runReport},
	{"train", "train with any configuration from flags; -save FILE saves the model", runTrain},
	{"predict", "classify PNG or JPEG files (any size) or images of a CIFAR batch file with a saved model", runPredict},
	{"show", "draw a saved model's weights, class templates, confusion matrix and worst mistakes (PNG + HTML)", runShow},
	{"download", "download CIFAR-10 into ./data (or -dir)", runDownload},
	{"verify", "check the CIFAR-10 files against the official MD5 sums", runVerify},
}

// env is what every command gets: the output streams and whether stderr is
// a terminal.
type env struct {
	stdout, stderr io.Writer
	terminal       bool
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// errHelp reports that help was printed: exit code 0.
var errHelp = errors.New("help requested")

// run runs the command line args and returns the exit code. It never
// panics: a panic is caught as a last resort and reported in one line.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "twolayer: internal error: %v (please report this)\n", p)
			code = 1
		}
	}()
	e := &env{stdout: stdout, stderr: stderr}
	if f, ok := stderr.(*os.File); ok {
		e.terminal = experiments.IsTerminal(f)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		listCommands(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	name := args[0]
	for _, c := range commands {
		if c.name == name {
			return exitCode(stderr, name, c.run(ctx, e, args[1:]))
		}
	}
	if strings.HasPrefix(name, "-") {
		return exitCode(stderr, "", usagef("flags come after the command: go run . <command> %s (go run . -h lists the commands)", name))
	}
	return exitCode(stderr, "", usagef("unknown command %q (go run . -h lists the commands)", name))
}

// exitCode prints err as one line and returns the exit code for it.
func exitCode(stderr io.Writer, name string, err error) int {
	if err == nil || errors.Is(err, errHelp) {
		return 0
	}
	prefix := "twolayer: "
	if name != "" {
		prefix += name + ": "
	}
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
	fmt.Fprintln(stderr, prefix+msg)
	var u *usageError
	if errors.As(err, &u) || errors.Is(err, experiments.ErrUsage) {
		return 2
	}
	return 1
}

// listCommands prints the command list, one line each.
func listCommands(w io.Writer) {
	fmt.Fprintln(w, "usage: go run . <command> [flags]     (go run . <command> -h lists its flags)")
	fmt.Fprintln(w, "\nReruns the experiments of the two-layer network report on CIFAR-10.")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\ncommon flags: -data DIR, -out DIR (default results), -seed N, -quiet, -offline")
}

// commonFlags are the flags every experiment command has.
type commonFlags struct {
	data, out      string
	seed           uint64
	quiet, offline bool
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.data, "data", "", "CIFAR-10 directory (default: $CIFAR10_DIR, then ./data/cifar-10-batches-bin)")
	fs.StringVar(&c.out, "out", "results", "directory for the results: OUT/<command>/...")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of every random choice (weights, λ of the coarse search, shuffling)")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress display and no messages but warnings, only the results")
	fs.BoolVar(&c.offline, "offline", false, "never download CIFAR-10 when it is not found")
}

// overrideFlags change a section's own parameters, for quick runs.
type overrideFlags struct {
	batch, ns, cycles, nval, records int
}

func (o *overrideFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&o.batch, "batch", 0, "override the section's batch size (0: the section's)")
	fs.IntVar(&o.ns, "ns", 0, "override the section's step size n_s (0: the section's)")
	fs.IntVar(&o.cycles, "cycles", 0, "override the section's number of cycles (0: the section's)")
	fs.IntVar(&o.nval, "nval", 0, "override the validation images held out of the five batches (0: the section's)")
	fs.IntVar(&o.records, "records", 0, "override the recordings of the metrics per cycle (0: the section's own, 10, or 2 in the searches)")
}

func (o *overrideFlags) check() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"batch", o.batch}, {"ns", o.ns}, {"cycles", o.cycles}, {"nval", o.nval}, {"records", o.records}} {
		if f.v < 0 {
			return usagef("-%s %d: must be positive (or 0 for the section's value)", f.name, f.v)
		}
	}
	return nil
}

// parse parses args with fs, printing fs's flags for -h. Flag errors come
// back as one-line usage errors; so do leftover arguments unless
// positional is set.
func parse(e *env, fs *flag.FlagSet, args []string, positional bool) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(e.stdout, "usage: go run . %s [flags]\n\nflags:\n", fs.Name())
			fs.SetOutput(e.stdout)
			fs.PrintDefaults()
			return errHelp
		}
		return usagef("%v (go run . %s -h lists the flags)", err, fs.Name())
	}
	if !positional && fs.NArg() > 0 {
		return usagef("unexpected argument %q (go run . %s -h lists the flags)", fs.Arg(0), fs.Name())
	}
	return nil
}

// options builds experiments.Options from the flags.
func (c *commonFlags) options(e *env, o *overrideFlags) experiments.Options {
	opt := experiments.Options{
		DataDir: c.data, OutDir: c.out, Seed: c.seed, Quiet: c.quiet, Offline: c.offline,
		Log: e.stderr, Progress: e.stderr, Terminal: e.terminal,
	}
	if o != nil {
		opt.BatchSize, opt.StepSize, opt.Cycles, opt.NVal, opt.RecordsPerCycle = o.batch, o.ns, o.cycles, o.nval, o.records
	}
	return opt
}

// interrupted turns a cancellation into a message saying what finished.
func interrupted(err error, finished string) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted: %s", finished)
	}
	return err
}

// runSection returns the command running one section of the report;
// withSplit adds the -split flag of section 3.1.
func runSection(name string, section func(context.Context, experiments.Options) (*experiments.Result, error), withSplit bool) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		var c commonFlags
		var o overrideFlags
		fs := flag.NewFlagSet(name, flag.ContinueOnError)
		c.register(fs)
		if name != "gradcheck" { // the gradient check trains nothing
			o.register(fs)
		}
		split := "batch1"
		if withSplit {
			fs.StringVar(&split, "split", "batch1", "data setup: batch1 (train data_batch_1, validate data_batch_2) or all (49,000/1,000, to OUT/<command>-all)")
		}
		if err := parse(e, fs, args, false); err != nil {
			return err
		}
		if err := o.check(); err != nil {
			return err
		}
		if split != "batch1" && split != "all" {
			return usagef("-split %q: use batch1 or all", split)
		}
		opt := c.options(e, &o)
		opt.Split = split
		r, err := section(ctx, opt)
		if err != nil {
			return interrupted(err, "nothing was written for this run")
		}
		fmt.Fprint(e.stdout, r.Summary())
		return nil
	}
}

func runFinal(ctx context.Context, e *env, args []string) error {
	var c commonFlags
	var o overrideFlags
	fs := flag.NewFlagSet("final", flag.ContinueOnError)
	c.register(fs)
	o.register(fs)
	lambda := fs.Float64("lambda", 0.004, "λ when OUT/fine/summary.json does not exist (default: the report's 0.004)")
	if err := parse(e, fs, args, false); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	opt := c.options(e, &o)
	opt.Lambda, opt.LambdaSet = *lambda, flagSet(fs, "lambda")
	if opt.Lambda < 0 {
		return usagef("-lambda %g: λ must be ≥ 0", opt.Lambda)
	}
	r, err := experiments.Final(ctx, opt)
	if err != nil {
		return interrupted(err, "nothing was written for this run")
	}
	fmt.Fprint(e.stdout, r.Summary())
	return nil
}

func runAll(ctx context.Context, e *env, args []string) error {
	var c commonFlags
	var o overrideFlags
	fs := flag.NewFlagSet("all", flag.ContinueOnError)
	c.register(fs)
	o.register(fs)
	if err := parse(e, fs, args, false); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	a, err := experiments.All(ctx, c.options(e, &o))
	if a != nil && len(a.Sections) > 0 {
		fmt.Fprintf(e.stdout, "report: %s/report.html and %s/report.md (%.1fs in all)\n", c.out, c.out, a.Seconds)
	}
	if err != nil {
		finished := "nothing finished"
		if a != nil && len(a.Sections) > 0 {
			finished = "finished " + strings.Join(a.Finished(), ", ") + "; the report in " + c.out + " shows them"
		}
		return interrupted(err, finished)
	}
	return nil
}

func runReport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	out := fs.String("out", "results", "the results directory to make the report from")
	if err := parse(e, fs, args, false); err != nil {
		return err
	}
	a, err := experiments.Report(experiments.Options{OutDir: *out})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "report of %s: %s/report.html and %s/report.md\n", strings.Join(a.Finished(), ", "), *out, *out)
	return nil
}

func runTrain(ctx context.Context, e *env, args []string) error {
	var c commonFlags
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	c.register(fs)
	lambda := fs.Float64("lambda", 0.01, "λ, the weight of the L2 regularisation")
	etaMin := fs.Float64("eta-min", 1e-5, "η_min of the cyclical learning rate")
	etaMax := fs.Float64("eta-max", 1e-1, "η_max of the cyclical learning rate")
	ns := fs.Int("ns", 500, "step size n_s (half a cycle, in update steps)")
	cycles := fs.Int("cycles", 1, "number of cycles")
	batch := fs.Int("batch", 100, "images per update step")
	hidden := fs.Int("hidden", 50, "hidden units m")
	initName := fs.String("init", "small", "weight initialisation: small (N(0, 0.01²), the report's) or sqrt (N(0, 1/d), N(0, 1/m))")
	split := fs.String("split", "batch1", "data: batch1 (train data_batch_1, validate data_batch_2) or all (five batches minus -nval)")
	nval := fs.Int("nval", 1000, "validation images held out of the five batches with -split all")
	shuffle := fs.Bool("shuffle", false, "shuffle the training images every epoch")
	records := fs.Int("records", 10, "recordings of the metrics per cycle")
	name := fs.String("name", "train", "output directory name: OUT/NAME/")
	save := fs.String("save", "", "save the trained model to this file")
	if err := parse(e, fs, args, false); err != nil {
		return err
	}
	init, err := parseInit(*initName)
	if err != nil {
		return err
	}
	switch {
	case *split != "batch1" && *split != "all":
		return usagef("-split %q: use batch1 or all", *split)
	case *hidden < 1:
		return usagef("-hidden %d: need at least 1 hidden unit", *hidden)
	case *split == "all" && (*nval < 1 || *nval >= 50000):
		return usagef("-nval %d: must be between 1 and 49,999", *nval)
	case *name == "" || strings.ContainsAny(*name, `/\`) || *name == "." || *name == "..":
		return usagef("-name %q: give a plain directory name", *name)
	case isDir(*save):
		return usagef("-save %s is a directory: give a file name, e.g. %s", *save, filepath.Join(*save, "model.bin"))
	}
	opt := c.options(e, nil)
	s := experiments.Setup{
		Name: *name, Title: "Training run " + *name, Split: *split, NVal: *nval, Hidden: *hidden, Init: init, Save: *save,
		Config: trainConfig(*lambda, *etaMin, *etaMax, *ns, *cycles, *batch, *records, *shuffle, c.seed),
	}
	r, err := experiments.Train(ctx, opt, s)
	if err != nil {
		return interrupted(err, "nothing was written for this run")
	}
	fmt.Fprint(e.stdout, r.Summary())
	return nil
}

func runPredict(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	modelPath := fs.String("model", "results/final/model.bin", "the saved model (written by final or train -save)")
	file := fs.String("file", "", "a CIFAR-10 batch file whose images -index selects")
	index := fs.String("index", "0", "with -file: comma-separated image indices, e.g. 0,5,17")
	if err := parse(e, fs, args, true); err != nil {
		return err
	}
	if *file == "" && fs.NArg() == 0 {
		return usagef("nothing to classify: give PNG or JPEG files (go run . predict -model M a.png b.jpg) or -file BATCH -index 0,1,2")
	}
	if *file != "" && fs.NArg() > 0 {
		return usagef("give either -file or image files, not both")
	}
	var indices []int
	if *file != "" {
		for _, f := range strings.Split(*index, ",") {
			var k int
			if _, err := fmt.Sscan(strings.TrimSpace(f), &k); err != nil || k < 0 {
				return usagef("-index %q: give non-negative image numbers separated by commas", *index)
			}
			indices = append(indices, k)
		}
	}
	m, err := network.LoadModel(*modelPath)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: train one first (go run . final, or go run . train -save FILE) or give -model FILE", err)
	}
	if err != nil {
		return err
	}
	var preds []experiments.Prediction
	if *file != "" {
		preds, err = experiments.PredictBatch(m, *file, indices)
	} else {
		preds, err = experiments.PredictImages(m, fs.Args())
	}
	if err != nil {
		return err
	}
	correct := 0
	for _, p := range preds {
		line := p.Source
		for _, g := range p.Top {
			line += fmt.Sprintf("\t%s %.3f", g.Class, g.Probability)
		}
		if p.TrueLabel >= 0 {
			truth := fmt.Sprint(p.TrueLabel)
			if p.TrueLabel < len(m.Classes) {
				truth = m.Classes[p.TrueLabel]
			}
			line += "\ttrue: " + truth
			if p.TrueLabel == p.Label {
				correct++
			}
		}
		fmt.Fprintln(e.stdout, line)
	}
	if *file != "" {
		fmt.Fprintf(e.stdout, "%d of %d correct\n", correct, len(preds))
	}
	return nil
}

func runShow(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	modelPath := fs.String("model", "results/final/model.bin", "the saved model (written by final or train -save)")
	out := fs.String("out", filepath.Join("results", "show"), "directory for the pictures and show.html")
	data := fs.String("data", "", "CIFAR-10 directory, for the test batch (default: $CIFAR10_DIR, then ./data/cifar-10-batches-bin)")
	offline := fs.Bool("offline", false, "never download CIFAR-10 when it is not found")
	if err := parse(e, fs, args, false); err != nil {
		return err
	}
	if _, err := os.Stat(*modelPath); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s does not exist: train a model first (go run . final, or go run . train -save FILE) or give -model FILE", *modelPath)
	}
	opt := experiments.Options{DataDir: *data, OutDir: *out, Offline: *offline, Log: e.stderr, Progress: e.stderr, Terminal: e.terminal}
	in, err := experiments.Show(ctx, opt, *modelPath)
	if err != nil {
		return interrupted(err, "nothing was written")
	}
	fmt.Fprintf(e.stdout, "test accuracy %.2f%% on %d images; pictures and %s in %s\n",
		100*in.Accuracy, in.N, strings.Join(experiments.ShowFiles, ", "), *out)
	return nil
}

func runDownload(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("download", flag.ContinueOnError)
	dir := fs.String("dir", "data", "directory to unpack into: DIR/cifar-10-batches-bin")
	quiet := fs.Bool("quiet", false, "no progress display")
	url := fs.String("url", cifar.DefaultURL, "address of cifar-10-binary.tar.gz (a mirror, say); its MD5 is checked all the same")
	if err := parse(e, fs, args, false); err != nil {
		return err
	}
	opt := cifar.DownloadOptions{URL: *url}
	if !*quiet {
		opt.Progress = e.stderr
	}
	if err := cifar.Download(ctx, *dir, opt); err != nil {
		return interrupted(err, "the partial download was removed")
	}
	fmt.Fprintf(e.stdout, "CIFAR-10 is in %s\n", filepath.Join(*dir, cifar.DirName))
	return nil
}

func runVerify(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	data := fs.String("data", "", "CIFAR-10 directory (default: $CIFAR10_DIR, then ./data/cifar-10-batches-bin)")
	if err := parse(e, fs, args, false); err != nil {
		return err
	}
	dir, err := cifar.FindDir(*data)
	if fi, serr := os.Stat(*data); err != nil && serr == nil && fi.IsDir() {
		dir = *data // an incomplete copy: list which files are missing
	} else if err != nil {
		return err
	}
	checks, err := cifar.Verify(dir)
	if err != nil {
		return err
	}
	bad := 0
	for _, c := range checks {
		fmt.Fprintf(e.stdout, "%-18s %s\n", c.Name, c.Status)
		if c.Status != cifar.StatusOK {
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d files in %s are not the official ones", bad, len(checks), dir)
	}
	fmt.Fprintf(e.stdout, "all %d files in %s match the official MD5 sums\n", len(checks), dir)
	return nil
}

// trainConfig assembles a training configuration (checked by Train).
func trainConfig(lambda, etaMin, etaMax float64, ns, cycles, batch, records int, shuffle bool, seed uint64) network.Config {
	return network.Config{
		EtaMin: etaMin, EtaMax: etaMax, StepSize: ns, Cycles: cycles, BatchSize: batch, Lambda: lambda,
		RecordsPerCycle: records, RecordInitial: true, Shuffle: shuffle, Seed: seed,
	}
}

// parseInit parses -init as a usage error.
func parseInit(s string) (network.Init, error) {
	init, err := network.ParseInit(s)
	if err != nil {
		return 0, usagef("-init: %v", err)
	}
	return init, nil
}

// isDir reports whether path names an existing directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return path != "" && err == nil && fi.IsDir()
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
