package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"twolayer/cifar"
	"twolayer/experiments"
	"twolayer/experiments/report"
	"twolayer/network"
)

// The commands other than the report's sections: the flags each declares
// and, in the action it returns, what it does with them.

func allFlags(fs *flag.FlagSet) action {
	opts := options(fs, freshFlag, commonFlags, overrideFlags, sideFlag)
	bonus := fs.Bool("bonus", false, "also run the bonus ablation (go run . bonus) after the report's sections, and add it to the report")
	addr := serveFlag(fs)
	return func(ctx context.Context, e *env, _ []string) error {
		o := opts(e)
		o.WithBonus = *bonus
		return served(ctx, e, *addr, o, func(o experiments.Options) error { return all(ctx, e, o) })
	}
}

// all runs every section (the all command) and prints where the report is.
func all(ctx context.Context, e *env, o experiments.Options) error {
	a, err := experiments.All(ctx, o)
	if a != nil && len(a.Sections) > 0 {
		fmt.Fprintf(e.stdout, "report: %s/report.html and %s/report.md (%.1fs in all)\n", o.OutDir, o.OutDir, a.Seconds)
	}
	if err != nil {
		finished := "nothing finished"
		if a != nil && len(a.Sections) > 0 {
			finished = "finished " + strings.Join(a.Finished(), ", ") + "; the report in " + o.OutDir + " shows them"
		}
		finished += "; the same command continues from the finished runs"
		return interrupted(err, finished)
	}
	return nil
}

func reportFlags(fs *flag.FlagSet) action {
	out := fs.String("out", "results", "the results directory to make the report from")
	return func(ctx context.Context, e *env, _ []string) error {
		a, err := report.Rebuild(*out, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "report of %s: %s/report.html and %s/report.md\n", strings.Join(a.Finished(), ", "), *out, *out)
		return nil
	}
}

func trainFlags(fs *flag.FlagSet) action {
	opts := options(fs, commonFlags)
	lambda := fs.Float64("lambda", 0.01, "λ, the weight of the L2 regularisation")
	etaMin := fs.Float64("eta-min", 1e-5, "η_min of the cyclical learning rate")
	etaMax := fs.Float64("eta-max", 1e-1, "η_max of the cyclical learning rate")
	ns := fs.Int("ns", 500, "step size n_s (half a cycle, in update steps)")
	cycles := fs.Int("cycles", 1, "number of cycles")
	batch := fs.Int("batch", 100, "images per update step")
	hidden := fs.Int("hidden", 50, "hidden units m")
	init := initFlag(fs, network.InitSmall, "weight initialisation: small (N(0, 0.01²), the report's) or sqrt (N(0, 1/d), N(0, 1/m))")
	split := fs.String("split", "batch1", "data: batch1 (train data_batch_1, validate data_batch_2) or all (five batches minus -nval)")
	nval := fs.Int("nval", 1000, "validation images held out of the five batches with -split all")
	shuffle := fs.Bool("shuffle", false, "shuffle the training images every epoch")
	keep := fs.Float64("keep-prob", 0, "dropout on the hidden layer with keep probability p (0 or 1: none)")
	flip := fs.Bool("flip", false, "augmentation: mirror each training image left to right with probability 1/2, anew each epoch")
	shift := fs.Int("shift", 0, "augmentation: translate each training image by up to ±N pixels (uncovered pixels: the mean image)")
	records := fs.Int("records", 10, "recordings of the metrics per cycle")
	name := fs.String("name", "train", "output directory name: OUT/NAME/")
	save := fs.String("save", "", "save the trained model to this file")
	addr := serveFlag(fs)
	return func(ctx context.Context, e *env, _ []string) error {
		o := opts(e)
		s := experiments.Setup{
			Name: *name, Title: "Training run " + *name, Split: *split, NVal: *nval, Hidden: *hidden, Init: *init, Save: *save,
			Config: network.Config{
				EtaMin: *etaMin, EtaMax: *etaMax, StepSize: *ns, Cycles: *cycles, BatchSize: *batch, Lambda: *lambda,
				RecordsPerCycle: *records, RecordInitial: true, Shuffle: *shuffle, Seed: o.Seed,
				KeepProb: *keep, Augment: network.Augment{Flip: *flip, Shift: *shift},
			},
		}
		return served(ctx, e, *addr, o, func(o experiments.Options) error {
			return printed(e, "nothing was written for this run")(experiments.Train(ctx, o, s)) // Train checks s
		})
	}
}

func lrRangeFlags(fs *flag.FlagSet) action {
	opts := options(fs, commonFlags)
	def := experiments.DefaultRangeSetup()
	hidden := fs.Int("hidden", def.Hidden, "hidden units m")
	init := initFlag(fs, def.Init, "weight initialisation: small (N(0, 0.01²)) or sqrt (N(0, 1/d), N(0, 1/m))")
	lambda := fs.Float64("lambda", def.Lambda, "λ, the weight of the L2 regularisation")
	batch := fs.Int("batch", def.BatchSize, "images per update step")
	steps := fs.Int("steps", def.Steps, "update steps, η rising geometrically over them")
	from := fs.Float64("from", def.From, "η of the first step")
	to := fs.Float64("to", def.To, "η of the last step")
	flip := fs.Bool("flip", false, "mirror the training images at random (as the ablation's augmentation)")
	nval := fs.Int("nval", 5000, "validation images held out of the five batches (the first 2,000 are measured)")
	addr := serveFlag(fs)
	return func(ctx context.Context, e *env, _ []string) error {
		o := opts(e)
		o.NVal = *nval
		s := experiments.RangeSetup{Hidden: *hidden, Init: *init, Lambda: *lambda, BatchSize: *batch, Steps: *steps, From: *from, To: *to, Flip: *flip}
		return served(ctx, e, *addr, o, func(o experiments.Options) error {
			return printed(e, "nothing was written for this run")(experiments.LRRange(ctx, o, s)) // LRRange checks s
		})
	}
}

func predictFlags(fs *flag.FlagSet) action {
	modelPath := fs.String("model", "results/final/model.bin", "the saved model (written by final or train -save), an ensemble file (bonus), or several model files separated by commas, whose outputs are averaged")
	file := fs.String("file", "", "a CIFAR-10 batch file whose images -index selects")
	index := fs.String("index", "0", "with -file: comma-separated image indices, e.g. 0,5,17")
	return func(ctx context.Context, e *env, images []string) error {
		if *file == "" && len(images) == 0 {
			return usagef("nothing to classify: give PNG or JPEG files (go run . predict -model M a.png b.jpg) or -file BATCH -index 0,1,2")
		}
		if *file != "" && len(images) > 0 {
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
		if err := experiments.CheckPredictMemory(strings.Split(*modelPath, ","), *file, max(len(indices), len(images))); err != nil {
			return err
		}
		var models []*network.Model
		for _, path := range strings.Split(*modelPath, ",") {
			ms, err := network.LoadModels(path)
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("%w: train one first (go run . final, or go run . train -save FILE) or give -model FILE", err)
			}
			if err != nil {
				return err
			}
			models = append(models, ms...)
		}
		m := models[0]
		var preds []experiments.Prediction
		var err error
		if *file != "" {
			preds, err = experiments.PredictBatch(models, *file, indices)
		} else {
			preds, err = experiments.PredictImages(models, images)
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
}

func showFlags(fs *flag.FlagSet) action {
	modelPath := fs.String("model", "results/final/model.bin", "the saved model (written by final or train -save)")
	out := fs.String("out", filepath.Join("results", "show"), "directory for the pictures and show.html")
	data := fs.String("data", "", "CIFAR-10 directory, for the test batch (default: $CIFAR10_DIR, then ./data/cifar-10-batches-bin)")
	offline := fs.Bool("offline", false, "never download CIFAR-10 when it is not found")
	return func(ctx context.Context, e *env, _ []string) error {
		if _, err := os.Stat(*modelPath); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s does not exist: train a model first (go run . final, or go run . train -save FILE) or give -model FILE", *modelPath)
		}
		o := experiments.Options{DataDir: *data, OutDir: *out, Offline: *offline, Log: e.stderr, Progress: e.stderr, Terminal: e.terminal}
		in, err := experiments.Show(ctx, o, *modelPath)
		if err != nil {
			return interrupted(err, "nothing was written")
		}
		fmt.Fprintf(e.stdout, "test accuracy %.2f%% on %d images; pictures and %s in %s\n",
			100*in.Accuracy, in.N, strings.Join(experiments.ShowFiles, ", "), *out)
		return nil
	}
}

func downloadFlags(fs *flag.FlagSet) action {
	dir := fs.String("dir", "data", "directory to unpack into: DIR/cifar-10-batches-bin")
	quiet := fs.Bool("quiet", false, "no progress display")
	url := fs.String("url", cifar.DefaultURL, "address of cifar-10-binary.tar.gz (a mirror, say); accepted when its MD5, or that of every data file in it, is the official one")
	return func(ctx context.Context, e *env, _ []string) error {
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
}

func verifyFlags(fs *flag.FlagSet) action {
	data := fs.String("data", "", "CIFAR-10 directory, of the binary, Python or MATLAB version (default: $CIFAR10_DIR, then ./data/cifar-10-batches-bin)")
	return func(ctx context.Context, e *env, _ []string) error {
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
			line := fmt.Sprintf("%-18s %s", c.Name, c.Status)
			if c.Problem != "" {
				line += ": " + c.Problem
			}
			fmt.Fprintln(e.stdout, line)
			if c.Status != cifar.StatusOK {
				bad++
			}
		}
		if bad > 0 {
			return fmt.Errorf("%d of %d files in %s are not the official ones", bad, len(checks), dir)
		}
		if v := cifar.Version(dir); v != "binary" {
			fmt.Fprintf(e.stdout, "all %d batches of the %s version in %s, re-encoded as binary records, match the official MD5 sums of the binary files\n", len(checks), v, dir)
			return nil
		}
		fmt.Fprintf(e.stdout, "all %d files in %s match the official MD5 sums\n", len(checks), dir)
		return nil
	}
}
