package experiments

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"twolayer/experiments/report"
	"twolayer/experiments/store"
)

// step is one section of All: its name (the directory of its results
// under OUT) and its work.
type step struct {
	name string
	run  func(context.Context, Options) (store.Summary, error)
}

// stepOf makes the section name, whose work is f, a step of All.
func stepOf[S store.Summary](name string, f func(context.Context, Options) (S, error)) step {
	return step{name, func(ctx context.Context, o Options) (store.Summary, error) {
		s, err := f(ctx, o)
		if err != nil {
			return nil, err
		}
		return s, nil
	}}
}

// allStages lists the sections of All in order, in stages run one after
// the other: 2.9, 3.1 on the text's setup and on all five batches, 3.2, 3.3
// and 3.4 (which takes its λ from 3.3). Each stage is one or more sequences
// of steps, which depend on nothing but the stages before and may run side
// by side (see inParallel): the two data setups of section 3.1, each a
// sequence of 3.1(a) and 3.1(b). Each step
// runs the work of its exported function, without checking its settings
// again: All checks them all before it starts (allSetups).
func allStages() [][][]step {
	cycles := func(split string) []step {
		suffix := ""
		if split == "all" {
			suffix = "-all"
		}
		return []step{
			stepOf("one-cycle"+suffix, func(ctx context.Context, o Options) (*store.Run, error) {
				return trainSection(ctx, o, oneCycleSetup(o.withSplit(split)))
			}),
			stepOf("three-cycles"+suffix, func(ctx context.Context, o Options) (*store.Run, error) {
				return trainSection(ctx, o, threeCyclesSetup(o.withSplit(split)))
			}),
		}
	}
	searchStep := func(sp searchSpec) step {
		return stepOf(sp.name, func(ctx context.Context, o Options) (*store.Search, error) { return search(ctx, o, sp) })
	}
	return [][][]step{
		{{stepOf("gradcheck", gradCheck)}},
		{cycles("batch1"), cycles("all")},
		{{searchStep(coarse)}},
		{{searchStep(fine)}},
		{{stepOf("final", func(ctx context.Context, o Options) (*store.Final, error) {
			lambda, source, err := FinalLambda(o)
			if err != nil {
				return nil, err
			}
			return final(ctx, o, finalSetup(o, lambda), source)
		})}},
	}
}

// bonusAllStep is the optional last stage of All (Options.WithBonus).
var bonusAllStep = stepOf("bonus", bonus)

// withSplit returns o with Split set to split.
func (o Options) withSplit(split string) Options {
	o.Split = split
	return o
}

// allSetups returns the runs All trains, but for the bonus ablation's:
// section 3.1's four, a search's (with λ = 0: its λ are the program's),
// and the final training (with λ = 0: the fine search, which All runs
// first, chooses it).
func allSetups(o Options) (cycles []Setup, search, final Setup) {
	for _, split := range []string{"batch1", "all"} {
		cycles = append(cycles, oneCycleSetup(o.withSplit(split)), threeCyclesSetup(o.withSplit(split)))
	}
	return cycles, coarse.setup(o), finalSetup(o, 0)
}

// checkAll checks the settings of every run of All (Setup.validate) before
// anything runs.
func checkAll(o Options) error {
	cycles, search, final := allSetups(o)
	for _, s := range append(cycles, search, final) {
		if err := s.validate(); err != nil {
			return err
		}
	}
	if o.WithBonus {
		return checkBonus(o)
	}
	return nil
}

// All runs every section in order (see allStages), then writes
// OUT/report.md, OUT/report.html and OUT/summary.json. The two data setups
// of section 3.1 go side by side where that is faster (see allStages and
// Options.SideBySide); the results are the same either way. When a section
// fails or ctx is cancelled, it stops, still writes the report of what
// finished (saying what is missing), and returns the error with the
// AllResult.
//
// A rerun continues where the last one stopped: each section keeps the
// result recorded under OUT with the same inputs (parameters, seed, data),
// and a search its finished λ runs, unless Options.Fresh. Before the
// first section, it checks the settings of every run and that OUT takes
// files and has room for what All writes (store.CheckOutput).
func All(ctx context.Context, o Options) (*store.AllResult, error) {
	return prepared(ctx, o, all)
}

// all is the work of All.
func all(ctx context.Context, o Options) (*store.AllResult, error) {
	if err := checkAll(o); err != nil {
		return nil, err
	}
	if err := checkMemory(allNeed(o)); err != nil {
		return nil, err
	}
	start := o.now()
	a := &store.AllResult{Started: start.UTC().Format(time.RFC3339), Machine: store.ThisMachine()}
	if err := store.CheckOutput(o.OutDir, o.OutDir, allBytes(o)); err != nil {
		return nil, err
	}
	var runErr error
	stages := allStages()
	if o.WithBonus {
		stages = append(stages, [][]step{{bonusAllStep}})
	}
	for _, stage := range stages {
		results := make([][]store.Summary, len(stage))
		errs, _ := inParallel(ctx, o, len(stage), setupCoresPerRun, func(ctx context.Context, o Options, i int) error {
			for _, s := range stage[i] {
				o.logf("== %s", s.name)
				r, err := s.run(ctx, o)
				if err != nil {
					return fmt.Errorf("%s: %w", s.name, err)
				}
				if !o.Quiet {
					fmt.Fprint(o.Log, report.Brief(r))
				}
				results[i] = append(results[i], r)
			}
			return nil
		})
		for i, seq := range results {
			for _, r := range seq {
				a.Add(r)
			}
			if errs[i] != nil && errs[i] != errNotRun && runErr == nil {
				runErr = errs[i]
			}
		}
		if runErr != nil {
			break
		}
	}
	a.Seconds = o.now().Sub(start).Seconds()
	a.Report = []string{"report.md", "report.html", "summary.json"}
	if err := report.Write(o.OutDir, a); err != nil {
		return a, err
	}
	if err := store.WriteJSON(filepath.Join(o.OutDir, store.SummaryFile), a); err != nil {
		return a, err
	}
	return a, runErr
}

// allBytes estimates the bytes All writes: the files of every section and
// the report, which holds every plot and picture again (the PNGs in
// base64, a third larger).
func allBytes(o Options) int64 {
	cycles, search, final := allSetups(o)
	n := int64(2 * summaryBytes) // gradcheck
	for _, s := range cycles {
		n += runBytes(s)
	}
	n += searchBytes(search, coarseCount) + searchBytes(search, len(FineLambdas()))
	n += finalBytes(final, o.Hidden)
	if o.WithBonus {
		n += bonusBytes(o)
	}
	return n + n/2
}
