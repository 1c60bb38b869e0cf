package experiments

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"twolayer/experiments/plot"
	"twolayer/experiments/store"
	"twolayer/serve"
)

// Search settings of sections 3.2 and 3.3 (docs/assignment.md, "Searches").
const (
	searchNVal    = 5000 // validation images held out of the five batches: 45,000 / 5,000
	searchBatch   = 500  // batch size, as in the report
	searchCycles  = 2
	coarseCount   = 8
	coarseLogMin  = -5.0
	coarseLogMax  = -1.0
	searchTopRuns = 3

	// searchRecordsPerCycle: a search chooses λ by the final validation
	// accuracy alone, and its curves (those of the best λ) only need the
	// shape of each cycle, so it records twice per cycle (at η_max and at
	// the cycle's end) rather than the 10 times of section 3.1: every
	// recording evaluates all 50,000 images, and 10 per cycle would nearly
	// double the search's time. -records overrides it.
	searchRecordsPerCycle = 2
)

// CoarseLambdas returns the λ of the coarse search: 8 values λ = 10^l with
// l = l_min + (l_max − l_min)·U(0, 1), l_min = −5, l_max = −1, drawn from
// seed, sorted increasingly.
func CoarseLambdas(seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x3a2)) // 0x3a2: this stream is section 3.2's
	ls := make([]float64, coarseCount)
	for i := range ls {
		ls[i] = math.Pow(10, coarseLogMin+(coarseLogMax-coarseLogMin)*rng.Float64())
	}
	slices.Sort(ls)
	return ls
}

// FineLambdas returns the λ of the fine search, the report's
// np.arange(0, 0.008, 0.001): 0, 0.001, …, 0.007.
func FineLambdas() []float64 {
	ls := make([]float64, 8)
	for i := range ls {
		ls[i] = float64(i) / 1000
	}
	return ls
}

// Coarse reruns section 3.2: one training run per λ of CoarseLambdas
// (Options.Seed), on 45,000 / 5,000 images of the five batches, batches of
// 500, n_s = 2⌊n / n_batch⌋, two cycles. Runs are ranked by validation
// accuracy (the report ranked them by test accuracy; the test set must not
// choose hyperparameters), with test accuracy beside.
func Coarse(ctx context.Context, o Options) (*store.Search, error) {
	return prepared(ctx, o, searchChecked(coarse))
}

// Fine reruns section 3.3: as Coarse with λ ∈ FineLambdas().
func Fine(ctx context.Context, o Options) (*store.Search, error) {
	return prepared(ctx, o, searchChecked(fine))
}

// coarse and fine are the searches of sections 3.2 and 3.3.
var (
	coarse = searchSpec{"coarse", "3.2", "3.2 Coarse search for λ", CoarseLambdas}
	fine   = searchSpec{"fine", "3.3", "3.3 Fine search for λ", func(uint64) []float64 { return FineLambdas() }}
)

// searchSpec is a search of the report: its name, section, title and λ
// (from the seed).
type searchSpec struct {
	name, section, title string
	lambdas              func(seed uint64) []float64
}

// setup returns the run of the search with λ = 0: each λ is this run with
// its own λ (searchUnits).
func (sp searchSpec) setup(o Options) Setup {
	s := allBatchesSetup(o, sp.name, sp.section, searchNVal, searchBatch, searchCycles)
	s.Config.RecordsPerCycle = pick(o.RecordsPerCycle, searchRecordsPerCycle)
	return s
}

// searchChecked returns the work of Coarse or Fine: check the search's
// setup (Setup.validate), then run it.
func searchChecked(sp searchSpec) func(context.Context, Options) (*store.Search, error) {
	return func(ctx context.Context, o Options) (*store.Search, error) {
		if err := sp.setup(o).validate(); err != nil {
			return nil, err
		}
		if err := checkMemory(searchNeed(o, sp.setup(o), len(sp.lambdas(o.Seed)))); err != nil {
			return nil, err
		}
		return search(ctx, o, sp)
	}
}

// search trains one network per λ and ranks them. Its curves and plots are
// those of the best run; search.csv and search.svg show all runs. The runs
// go side by side where that is faster (see inParallel, Options.SideBySide).
//
// Each λ is a unit (see unit) with its files in OUT/<name>/runs/<i>-lambda-<λ>/,
// written as soon as it finishes: a search that stops (Ctrl-C, a crash, a
// full disk) keeps its finished runs, and a rerun with the same inputs runs
// only the others. A whole search recorded with the same inputs is kept as
// it is (keptSection).
func search(ctx context.Context, o Options, sp searchSpec) (*store.Search, error) {
	if _, err := FindData(ctx, o); err != nil {
		return nil, err
	}
	name, title, lambdas := sp.name, sp.title, sp.lambdas(o.Seed)
	base := sp.setup(o)
	dir := filepath.Join(o.OutDir, name)
	in := inputsOf(o, base)
	in.Lambdas = lambdas
	if r := keptSection[store.Search](o, dir, in); r != nil {
		publishKeptSearch(o, base, title, r)
		return r, nil
	}
	if err := store.CheckOutput(o.OutDir, dir, searchBytes(base, len(lambdas))); err != nil {
		return nil, err
	}
	units := searchUnits(dir, base, title, lambdas)
	runs := make([]*store.Run, len(units))
	errs, err := inParallel(ctx, o, len(units), searchCoresPerRun, func(ctx context.Context, o Options, i int) error {
		u := units[i]
		o.logf("%s: λ = %.6g (%d of %d)", name, u.Setup.Config.Lambda, i+1, len(units))
		r, wasKept, why, err := u.run(ctx, o)
		if err != nil {
			return err
		}
		switch {
		case wasKept:
			o.logf("%s: λ = %.6g kept from the run of %s", name, u.Setup.Config.Lambda, r.Date())
		case why != "":
			o.logf("%s: λ = %.6g recomputed: %s", name, u.Setup.Config.Lambda, why)
		}
		runs[i] = r
		return nil
	})
	if err != nil {
		if done := len(units) - countErrors(errs); done > 0 {
			o.logf("%s: stopped after %d of %d λ; their results are kept in %s and a rerun continues from them",
				name, done, len(units), filepath.Join(dir, "runs"))
		}
		return nil, err
	}
	r := searchResult(sp, dir, lambdas, runs)
	r.Inputs = &in
	r.Finished = o.now().UTC().Format(time.RFC3339)
	files := runFiles(r.Title, r.History, store.File{Name: "search.csv", Data: searchCSV(r.Runs)}, store.File{Name: store.SearchChart, Data: searchChart(r.Runs, title).SVG()})
	if err := store.Write(r, files); err != nil {
		return nil, err
	}
	removeOtherRuns(o, dir, units)
	return r, nil
}

// publishKeptSearch shows the λ runs of the search r, kept as a whole from
// an earlier execution, as finished runs of the search base (its λ = 0)
// on the live page, with the accuracies and validation cost its summary
// keeps.
func publishKeptSearch(o Options, base Setup, title string, r *store.Search) {
	if o.Hub == nil || r.Hyperparams == nil {
		return
	}
	for _, run := range r.Runs {
		s := searchUnits("", base, title, []float64{run.Lambda})[0].Setup
		h := *r.Hyperparams
		h.Lambda = run.Lambda
		end := serve.RunEnd{Seconds: run.Seconds, Extra: []serve.Param{keptFrom(&r.Header)}, Final: &serve.Final{
			Train: accuracyOnly(run.TrainAccuracy), Val: accuracyOnly(run.ValidationAccuracy),
		}}
		end.Final.Val.Cost = run.ValidationCost
		test := accuracyOnly(run.TestAccuracy)
		end.Final.Test = &test
		o.publishFinished(liveStart(s.live(), &h), nil, end)
	}
}

// searchUnits returns the units of a search: one per λ, in order, each the
// run base with that λ, in dir/runs/<i>-lambda-<λ> (i from 1).
func searchUnits(dir string, base Setup, title string, lambdas []float64) []unit {
	units := make([]unit, len(lambdas))
	for i, lambda := range lambdas {
		s := base
		s.Title = fmt.Sprintf("%s, λ = %.3g", title, lambda)
		s.Config.Lambda = lambda
		s.Label = fmt.Sprintf("%s λ=%.3g", s.Name, lambda)
		s.liveGroup, s.liveTitle = title, fmt.Sprintf("λ = %.3g", lambda)
		units[i] = unit{Dir: filepath.Join(dir, "runs", fmt.Sprintf("%d-lambda-%.6g", i+1, lambda)), Setup: s}
	}
	return units
}

// searchResult gathers the runs of a search, in the order of lambdas, into
// its summary: every run, the top three by validation accuracy, and the
// hyperparameters, final metrics and history of the best (the first of the
// best when several tie). Its Seconds are the sum of the runs' Seconds,
// each as recorded when the run was computed.
func searchResult(sp searchSpec, dir string, lambdas []float64, runs []*store.Run) *store.Search {
	r := &store.Search{Header: store.Header{Experiment: sp.name, Section: sp.section, Title: sp.title, Dir: dir}}
	bestVal := math.Inf(-1)
	for _, run := range runs {
		r.Runs = append(r.Runs, store.SearchRun{
			Lambda: run.Hyperparams.Lambda, ValidationAccuracy: run.Final.Validation.Accuracy, TestAccuracy: run.Final.Test.Accuracy,
			TrainAccuracy: run.Final.Train.Accuracy, ValidationCost: run.Final.Validation.Cost, Seconds: run.Seconds,
		})
		r.Seconds += run.Seconds
		if run.Final.Validation.Accuracy > bestVal {
			bestVal = run.Final.Validation.Accuracy
			p := *run.Hyperparams
			r.Hyperparams, r.Final, r.History = &p, run.Final, run.History
		}
	}
	r.Hyperparams.Lambdas = lambdas
	r.Best = store.RankByValidation(r.Runs)
	r.Best = r.Best[:min(searchTopRuns, len(r.Best))]
	r.Hyperparams.Lambda = r.Best[0].Lambda
	r.Title = fmt.Sprintf("%s, best λ = %.3g", sp.title, r.Best[0].Lambda)
	r.Notes = append(r.Notes, "ranked by validation accuracy; the report ranked by test accuracy, which lets the test set choose λ")
	return r
}

// removeOtherRuns removes from dir/runs what is not one of units: the
// runs of an earlier search with other inputs, which the search's results
// no longer refer to.
func removeOtherRuns(o Options, dir string, units []unit) {
	entries, err := os.ReadDir(filepath.Join(dir, "runs"))
	if err != nil {
		return
	}
	keep := map[string]bool{}
	for _, u := range units {
		keep[filepath.Base(u.Dir)] = true
	}
	for _, e := range entries {
		if !keep[e.Name()] {
			if err := os.RemoveAll(filepath.Join(dir, "runs", e.Name())); err == nil {
				o.logf("%s: removed runs/%s, a run of an earlier search with other inputs", filepath.Base(dir), e.Name())
			}
		}
	}
}

// searchCSV formats the runs of a search, one row per λ.
func searchCSV(runs []store.SearchRun) []byte {
	b := []byte("lambda,train_accuracy,validation_accuracy,test_accuracy,validation_cost,seconds\n")
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	for _, r := range runs {
		b = fmt.Appendf(b, "%s,%s,%s,%s,%s,%.1f\n", f(r.Lambda), f(r.TrainAccuracy), f(r.ValidationAccuracy), f(r.TestAccuracy), f(r.ValidationCost), r.Seconds)
	}
	return b
}

// searchChart plots the accuracies of a search against log10 λ (λ = 0 is
// left out, having no logarithm).
func searchChart(runs []store.SearchRun, title string) *plot.Chart {
	var x, tr, va, te []float64
	for _, r := range runs {
		if r.Lambda <= 0 {
			continue
		}
		x = append(x, math.Log10(r.Lambda))
		tr = append(tr, r.TrainAccuracy)
		va = append(va, r.ValidationAccuracy)
		te = append(te, r.TestAccuracy)
	}
	return &plot.Chart{
		Title: title + ": accuracy against λ", XLabel: "log10 λ", YLabel: "accuracy",
		Series: []plot.Series{
			{Name: "training", X: x, Y: tr},
			{Name: "validation", X: x, Y: va, Dashed: true},
			{Name: "test", X: x, Y: te},
		},
	}
}

// countErrors returns the number of non-nil errors in errs.
func countErrors(errs []error) int {
	n := 0
	for _, err := range errs {
		if err != nil {
			n++
		}
	}
	return n
}
