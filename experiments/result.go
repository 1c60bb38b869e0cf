package experiments

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"twolayer/experiments/plot"
	"twolayer/experiments/store"
	"twolayer/network"
)

// FinalMetrics holds the metrics (cost, loss, accuracy) at the end of
// training.
type FinalMetrics struct {
	Train      network.Metrics  `json:"train"`
	Validation network.Metrics  `json:"validation"`
	Test       *network.Metrics `json:"test,omitempty"`
}

// Hyperparams are the hyperparameters and data of a run, every one of them,
// so that summary.json says exactly what was run (the network's own
// parameters, its weights, are network.Params).
type Hyperparams struct {
	Lambda          float64   `json:"lambda"`
	Lambdas         []float64 `json:"lambdas,omitempty"` // searches: the λ tried, sorted
	EtaMin          float64   `json:"eta_min"`
	EtaMax          float64   `json:"eta_max"`
	StepSize        int       `json:"step_size"` // n_s
	Cycles          int       `json:"cycles"`
	BatchSize       int       `json:"batch_size"`
	Updates         int       `json:"updates"` // 2·cycles·n_s
	Hidden          int       `json:"hidden"`  // m
	Init            string    `json:"init"`
	Shuffle         bool      `json:"shuffle"`
	KeepProb        float64   `json:"keep_prob,omitempty"` // dropout's p; 0: no dropout
	Augment         string    `json:"augment,omitempty"`   // e.g. "flip, shift ±1"; "": none
	RecordsPerCycle int       `json:"records_per_cycle"`
	Seed            uint64    `json:"seed"`
	Split           string    `json:"split"` // "batch1" or "all"
	NTrain          int       `json:"n_train"`
	NValidation     int       `json:"n_validation"`
	NTest           int       `json:"n_test"`
	DataDir         string    `json:"data_dir,omitempty"`
}

// SearchRun is one λ of a search.
type SearchRun struct {
	Lambda             float64 `json:"lambda"`
	ValidationAccuracy float64 `json:"validation_accuracy"`
	TestAccuracy       float64 `json:"test_accuracy"`
	TrainAccuracy      float64 `json:"train_accuracy"`
	ValidationCost     float64 `json:"validation_cost"`
	Seconds            float64 `json:"seconds"`
}

// Check is one row of the gradient check table: the comparison of one
// parameter's gradients for one numeric method and λ.
type Check struct {
	Method string  `json:"method"` // "forward" (ComputeGradsNum) or "centered" (ComputeGradsNumSlow)
	Lambda float64 `json:"lambda"`
	network.GradComparison
}

// Result is what an experiment found; it is written as summary.json.
type Result struct {
	Experiment  string        `json:"experiment"` // command name, e.g. "one-cycle"
	Section     string        `json:"section"`    // report section, e.g. "3.1(a)"
	Title       string        `json:"title"`
	Hyperparams *Hyperparams  `json:"params,omitempty"`
	Final       *FinalMetrics `json:"final,omitempty"`
	// Seconds is the time the result took to compute: a run's training
	// and final evaluation (not the loading of the data), a search's the
	// sum of its λ runs' (each as recorded when it ran), the gradient
	// check's the checks'.
	Seconds float64 `json:"seconds"`
	// Finished is when the result was computed (RFC 3339, UTC); a result
	// kept by a rerun keeps its time and its Seconds.
	Finished string `json:"finished,omitempty"`

	// Searches (3.2, 3.3): every λ in order, and the top three by
	// validation accuracy.
	Runs []SearchRun `json:"runs,omitempty"`
	Best []SearchRun `json:"best,omitempty"`

	// Gradient check (2.9).
	Checks []Check `json:"checks,omitempty"`
	// Final training (3.4): where λ came from, and the saved model.
	LambdaSource string `json:"lambda_source,omitempty"`
	Model        string `json:"model,omitempty"`
	// Insight is what the trained network does on the test set (3.4): the
	// confusion matrix, per-class accuracy and worst mistakes, whose
	// pictures are among Files (see AddPictures).
	Insight *Insight `json:"insight,omitempty"`

	// Beyond the report: the ablation of the optional exercises, and the
	// learning-rate range test.
	Bonus     *BonusResult     `json:"bonus,omitempty"`
	RangeTest *RangeTestResult `json:"range_test,omitempty"`

	Notes []string `json:"notes,omitempty"` // data warnings and other remarks
	Files []string `json:"files,omitempty"` // the files written, relative to the output directory
	// Inputs is what the result was computed from; a rerun with the same
	// Inputs keeps it (see kept).
	Inputs *Inputs `json:"inputs,omitempty"`

	// History is the training history of the run (of the best λ for a
	// search); it is written as curves.csv, not into summary.json.
	History *network.History `json:"-"`
	// Dir is the directory the files were written to.
	Dir string `json:"-"`
}

// WriteSummary writes r as indented JSON to path, atomically.
func WriteSummary(path string, r *Result) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return store.WriteBytesAtomic(path, append(data, '\n'))
}

// ReadSummary reads a summary.json written by WriteSummary.
func ReadSummary(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s is not a valid summary: %v", path, err)
	}
	return &r, nil
}

// curvesHeader is the header line of curves.csv.
const curvesHeader = "step,eta,train_cost,train_loss,train_accuracy,val_cost,val_loss,val_accuracy"

// CurvesCSV formats the recordings of h as CSV, one row per recording,
// with the columns of curvesHeader.
func CurvesCSV(h *network.History) []byte {
	b := []byte(curvesHeader + "\n")
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	for _, r := range h.Records {
		b = fmt.Appendf(b, "%d,%s,%s,%s,%s,%s,%s,%s\n", r.Step, f(r.Eta),
			f(r.Train.Cost), f(r.Train.Loss), f(r.Train.Accuracy),
			f(r.Val.Cost), f(r.Val.Loss), f(r.Val.Accuracy))
	}
	return b
}

// Charts returns the plots of a training history, like the report's
// figures: cost, loss and accuracy against update step, training and
// validation together, and the η schedule. The map keys are file names.
func Charts(h *network.History, title string) map[string]*plot.Chart {
	n := len(h.Records)
	steps := make([]float64, n)
	get := func(f func(r network.Record) float64) []float64 {
		v := make([]float64, n)
		for i, r := range h.Records {
			v[i] = f(r)
		}
		return v
	}
	for i, r := range h.Records {
		steps[i] = float64(r.Step)
	}
	pair := func(what string, tr, va func(r network.Record) float64) *plot.Chart {
		return &plot.Chart{
			Title: title + ": " + what, XLabel: "update step", YLabel: what,
			Series: []plot.Series{
				{Name: "training", X: steps, Y: get(tr)},
				{Name: "validation", X: steps, Y: get(va), Dashed: true},
			},
		}
	}
	etaSteps := make([]float64, len(h.Eta))
	for t := range etaSteps {
		etaSteps[t] = float64(t)
	}
	return map[string]*plot.Chart{
		"cost.svg":     pair("cost", func(r network.Record) float64 { return r.Train.Cost }, func(r network.Record) float64 { return r.Val.Cost }),
		"loss.svg":     pair("loss", func(r network.Record) float64 { return r.Train.Loss }, func(r network.Record) float64 { return r.Val.Loss }),
		"accuracy.svg": pair("accuracy", func(r network.Record) float64 { return r.Train.Accuracy }, func(r network.Record) float64 { return r.Val.Accuracy }),
		"eta.svg": {
			Title: title + ": learning rate", XLabel: "update step", YLabel: "η",
			Series: []plot.Series{{Name: "η (cyclical)", X: etaSteps, Y: h.Eta}},
		},
	}
}

// chartOrder is the order the plots appear in reports.
var chartOrder = []string{"cost.svg", "loss.svg", "accuracy.svg", "eta.svg"}

// writeOutputs writes r's summary.json and, when r has a history, its
// curves.csv and plots, into r.Dir; extra holds more files (name →
// content). r.Files lists what was written, the extra files by name.
//
// The old summary.json goes first and the new one is written last
// (beginOutputs): a run whose writing stops half-way has no summary.
func writeOutputs(r *Result, extra map[string][]byte) error {
	if err := beginOutputs(r.Dir); err != nil {
		return err
	}
	files := map[string][]byte{}
	var names []string
	if r.History != nil && len(r.History.Records) > 0 {
		files["curves.csv"] = CurvesCSV(r.History)
		names = append(names, "curves.csv")
		charts := Charts(r.History, r.Title)
		for _, name := range chartOrder {
			files[name] = charts[name].SVG()
			names = append(names, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(extra)) { // in a fixed order, for r.Files
		files[name] = extra[name]
		names = append(names, name)
	}
	r.Files = append(append([]string{"summary.json"}, names...), r.Files...)
	for _, name := range names {
		if err := store.WriteBytesAtomic(filepath.Join(r.Dir, name), files[name]); err != nil {
			return err
		}
	}
	return WriteSummary(filepath.Join(r.Dir, "summary.json"), r)
}
