package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"twolayer/experiments/store"
)

// AllResult is what All did; it is written as OUT/summary.json.
type AllResult struct {
	Started  string       `json:"started"` // RFC 3339 time
	Machine  Machine      `json:"machine"`
	Sections []SectionRun `json:"sections"`
	Seconds  float64      `json:"seconds"`
	Report   []string     `json:"report"` // the report files, relative to OUT
	// Results are the experiments' results, in the order they ran.
	Results []*Result `json:"-"`
}

// SectionRun is one finished experiment of All: its Seconds and Finished
// are those of the run that computed it, which may be an earlier one whose
// result All kept.
type SectionRun struct {
	Experiment string  `json:"experiment"`
	Section    string  `json:"section"`
	Seconds    float64 `json:"seconds"`
	Finished   string  `json:"finished,omitempty"` // when it was computed, RFC 3339
	Dir        string  `json:"dir"`
}

// step is one experiment of All.
type step struct {
	name string
	run  func(context.Context, Options) (*Result, error)
}

// allSteps lists the experiments of All in order: 2.9, 3.1 on the text's
// setup and on all five batches, 3.2, 3.3 and 3.4 (which takes its λ from
// 3.3).
func allSteps() []step {
	var steps []step
	for _, stage := range allStages() {
		for _, seq := range stage {
			steps = append(steps, seq...)
		}
	}
	return steps
}

// allStages groups allSteps into stages, run one after the other: each
// stage is one or more sequences of steps, which depend on nothing but the
// stages before and may run side by side (see inParallel): the two data
// setups of section 3.1, each a sequence of 3.1(a) and 3.1(b).
func allStages() [][][]step {
	return [][][]step{
		{{{"gradcheck", GradCheck}}},
		{
			{
				{"one-cycle", func(ctx context.Context, o Options) (*Result, error) { return OneCycle(ctx, o.withSplit("batch1")) }},
				{"three-cycles", func(ctx context.Context, o Options) (*Result, error) { return ThreeCycles(ctx, o.withSplit("batch1")) }},
			},
			{
				{"one-cycle-all", func(ctx context.Context, o Options) (*Result, error) { return OneCycle(ctx, o.withSplit("all")) }},
				{"three-cycles-all", func(ctx context.Context, o Options) (*Result, error) { return ThreeCycles(ctx, o.withSplit("all")) }},
			},
		},
		{{{"coarse", Coarse}}},
		{{{"fine", Fine}}},
		{{{"final", Final}}},
	}
}

// bonusAllStep is the optional last stage of All (Options.WithBonus);
// Report includes its summary when it finds one, and the range test's
// (which All does not run: go run . lr-range).
var bonusAllStep = step{"bonus", Bonus}

// rangeTestStep stands for the range test in Report's list of summaries.
var rangeTestStep = step{"lr-range", nil}

// withSplit returns o with Split set to split.
func (o Options) withSplit(split string) Options {
	o.Split = split
	return o
}

// All runs every experiment in order (see allSteps), then writes
// OUT/report.md, OUT/report.html and OUT/summary.json. The two data setups
// of section 3.1 go side by side where that is faster (see allStages and
// Options.SideBySide); the results are the same either way. When an
// experiment fails or ctx is cancelled, it stops, still writes the report
// of what finished (saying what is missing), and returns the error with
// the AllResult.
//
// A rerun continues where the last one stopped: each experiment keeps the
// result recorded under OUT with the same inputs (parameters, seed, data),
// and a search its finished λ runs, unless Options.Fresh. Before the
// first experiment, it checks that OUT takes files and has room for what
// All writes (checkOutput).
func All(ctx context.Context, o Options) (*AllResult, error) {
	o = o.withDefaults()
	start := o.now()
	a := &AllResult{Started: start.UTC().Format(time.RFC3339), Machine: ThisMachine()}
	if err := store.CheckOutput(o.OutDir, o.OutDir, allBytes(o)); err != nil {
		return nil, err
	}
	var runErr error
	stages := allStages()
	if o.WithBonus {
		stages = append(stages, [][]step{{bonusAllStep}})
	}
	for _, stage := range stages {
		results := make([][]*Result, len(stage))
		slots := o.shared.setSplitSlots(o.sideBySide(len(stage), setupCoresPerRun))
		errs, _ := inParallel(ctx, o, len(stage), setupCoresPerRun, func(ctx context.Context, o Options, i int) error {
			for _, s := range stage[i] {
				o.logf("== %s", s.name)
				r, err := s.run(ctx, o)
				if err != nil {
					return fmt.Errorf("%s: %w", s.name, err)
				}
				if !o.Quiet {
					fmt.Fprint(o.Log, r.Summary())
				}
				results[i] = append(results[i], r)
			}
			return nil
		})
		o.shared.setSplitSlots(slots)
		for i, seq := range results {
			for _, r := range seq {
				a.Results = append(a.Results, r)
				a.Sections = append(a.Sections, SectionRun{Experiment: r.Experiment, Section: r.Section, Seconds: r.Seconds, Finished: r.Finished, Dir: r.Dir})
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
	if err := WriteReport(o.OutDir, a); err != nil {
		return a, err
	}
	data, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return a, err
	}
	if err := store.WriteBytesAtomic(filepath.Join(o.OutDir, "summary.json"), append(data, '\n')); err != nil {
		return a, err
	}
	return a, runErr
}

// Finished returns the names of the experiments that finished.
func (a *AllResult) Finished() []string {
	var names []string
	for _, s := range a.Sections {
		names = append(names, s.Experiment)
	}
	return names
}

// Report rewrites OUT/report.md and OUT/report.html from the summaries
// that the experiments left under OUT (after running sections one by one,
// say); sections without a summary are reported as not run. It returns the
// AllResult the report was made from; its Seconds is the sum of the
// sections' times.
func Report(o Options) (*AllResult, error) {
	o = o.withDefaults()
	a := &AllResult{Started: o.now().UTC().Format(time.RFC3339), Machine: ThisMachine(), Report: []string{"report.md", "report.html"}}
	for _, s := range append(allSteps(), bonusAllStep, rangeTestStep) {
		dir := filepath.Join(o.OutDir, s.name)
		r, err := ReadSummary(filepath.Join(dir, "summary.json"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		r.Dir = dir
		a.Results = append(a.Results, r)
		a.Sections = append(a.Sections, SectionRun{Experiment: r.Experiment, Section: r.Section, Seconds: r.Seconds, Finished: r.Finished, Dir: dir})
		a.Seconds += r.Seconds
	}
	if len(a.Results) == 0 {
		return nil, fmt.Errorf("no experiment results in %s: run some first (go run . all, or one section, e.g. go run . one-cycle)", o.OutDir)
	}
	return a, WriteReport(o.OutDir, a)
}

// allBytes estimates the bytes All writes: the files of every experiment
// and the report, which holds every plot and picture again (the PNGs in
// base64, a third larger).
func allBytes(o Options) int64 {
	text, all := o, o
	text.Split, all.Split = "batch1", "all"
	n := int64(2 * summaryBytes) // gradcheck
	for _, p := range []Options{text, all} {
		n += runBytes(cycleSetup(p, "one-cycle", "3.1(a)", "", 500, 1))
		n += runBytes(cycleSetup(p, "three-cycles", "3.1(b)", "", 800, 3))
	}
	s := allBatchesSetup(o, "coarse", "3.2", searchNVal, searchBatch, searchCycles)
	s.Config.RecordsPerCycle = pick(o.RecordsPerCycle, searchRecordsPerCycle)
	n += searchBytes(s, coarseCount) + searchBytes(s, len(FineLambdas()))
	n += finalBytes(allBatchesSetup(o, "final", "3.4", finalNVal, finalBatch, finalCycles), o.Hidden)
	if o.WithBonus {
		n += bonusBytes(o)
	}
	return n + n/2
}
