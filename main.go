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
// ones keep their files, and the same command continues from them (-fresh
// recomputes everything). Every command that trains takes -serve ADDR,
// which shows the training on a web page (serving.go).
//
// Every command has one shape (see command): it declares its flags, the
// flags are parsed, and the command runs. main.go holds that shape and the
// command table, flags.go the flags the commands share, commands.go what
// each command does.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"twolayer/experiments"
	"twolayer/experiments/progress"
	"twolayer/internal/cpu"
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

// command is one subcommand of the program. Its flags declares the
// command's flags on fs and returns the action, which runs once they are
// parsed, with the arguments left after the flags (none unless args is set).
type command struct {
	name    string
	summary string // one line for the command list
	args    bool   // takes arguments after the flags
	flags   func(fs *flag.FlagSet) action
}

// action is what a command does once its flags are parsed.
type action func(ctx context.Context, e *env, args []string) error

// commands lists the subcommands in the order of the report.
var commands = []command{
	{"gradcheck", "2.9: analytic gradients against forward and centered differences", false,
		section(experiments.GradCheck, freshFlag, commonFlags)},
	{"one-cycle", "3.1(a): λ = 0.01, η 1e-5..1e-1, n_s = 500, batch 100, 1 cycle (-split all: 49,000/1,000)", false,
		training(experiments.OneCycle, freshFlag, commonFlags, overrideFlags, splitFlag)},
	{"three-cycles", "3.1(b): as one-cycle with n_s = 800 and 3 cycles", false,
		training(experiments.ThreeCycles, freshFlag, commonFlags, overrideFlags, splitFlag)},
	{"coarse", "3.2: 8 random λ = 10^l, l in [-5, -1]; 45,000/5,000, batch 500, 2 cycles; ranked by validation", false,
		training(experiments.Coarse, freshFlag, commonFlags, overrideFlags, sideFlag)},
	{"fine", "3.3: λ in {0, 0.001, ..., 0.007}, otherwise as coarse", false,
		training(experiments.Fine, freshFlag, commonFlags, overrideFlags, sideFlag)},
	{"final", "3.4: the best λ of fine, batch 100, 3 cycles, 49,000/1,000; saves the model", false,
		training(experiments.Final, freshFlag, commonFlags, overrideFlags, lambdaFlag)},
	{"all", "all of the above in order, then OUT/report.md and OUT/report.html (-bonus: and bonus)", false, allFlags},
	{"lr-range", "beyond the report: Smith's learning-rate range test; prints the suggested η_min and η_max", false, lrRangeFlags},
	{"bonus", "beyond the report: the optional exercises, one technique per row (about 20 min; -quick: a few)", false,
		training(experiments.Bonus, freshFlag, commonFlags, overrideFlags, bonusFlags)},
	{"serve", "serve the page of the results folder (finished runs, the report, try a saved model on an image) until Ctrl-C", false, serveFlags},
	{"report", "rewrite OUT/report.md and OUT/report.html from the results already in OUT", false, reportFlags},
	{"train", "train with any configuration from flags; -save FILE saves the model", false, trainFlags},
	{"predict", "classify PNG or JPEG files (any size) or images of a CIFAR batch file with a saved model, several, or an ensemble", true, predictFlags},
	{"show", "draw a saved model's weights, class templates, confusion matrix and worst mistakes (PNG + HTML)", false, showFlags},
	{"download", "download CIFAR-10 into ./data (or -dir)", false, downloadFlags},
	{"verify", "check the CIFAR-10 files (binary, Python or MATLAB version) against the official MD5 sums", false, verifyFlags},
}

// env is what every command gets: the output streams and whether stderr is
// a terminal.
type env struct {
	stdout, stderr io.Writer
	terminal       bool
}

// usagef returns a usage error (exit code 2), as experiments.Usagef.
var usagef = experiments.Usagef

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
		e.terminal = progress.IsTerminal(f)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		listCommands(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if _, err := cpu.Limit(); err != nil {
		return exitCode(stderr, "", usagef("%v", err))
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

// run declares c's flags, parses args with them and runs c's action. -h
// prints the flags. Flag errors come back as one-line usage errors; so do
// arguments after the flags unless c takes them.
func (c command) run(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	act := c.flags(fs)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(e.stdout, "usage: go run . %s [flags]\n\nflags:\n", c.name)
			fs.SetOutput(e.stdout)
			fs.PrintDefaults()
			return errHelp
		}
		return usagef("%v (go run . %s -h lists the flags)", err, c.name)
	}
	if !c.args && fs.NArg() > 0 {
		return usagef("unexpected argument %q (go run . %s -h lists the flags)", fs.Arg(0), c.name)
	}
	return act(ctx, e, fs.Args())
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
	if errors.Is(err, experiments.ErrUsage) {
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
	fmt.Fprintln(w, "the report's sections and all keep results already in OUT from the same parameters, seed and data; -fresh recomputes them")
	fmt.Fprintln(w, "the commands that train take -serve ADDR: a web page shows the training live (this machine only unless ADDR names a host)")
}

// interrupted turns a cancellation into a message saying what finished.
func interrupted(err error, finished string) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted: %s", finished)
	}
	return err
}
