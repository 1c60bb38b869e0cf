package store

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"twolayer/network"
)

// Summary is a summary.json, of any kind: each kind of result (Run, Search,
// GradCheck, Final, Bonus, LRRange) embeds the Header summary.json begins
// with and the Trailer it ends with, its own fields between them.
type Summary interface {
	Head() *Header
	Tail() *Trailer
}

// Header is how every summary.json begins: what ran, with which
// hyperparameters, what it found in the end, and when.
type Header struct {
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
	// Dir is the directory the files are in; it is not written: a copy of
	// the results elsewhere reads as being where it is.
	Dir string `json:"-"`
}

// Trailer is how every summary.json ends: remarks, the files written, and
// what the result was computed from.
type Trailer struct {
	Notes []string `json:"notes,omitempty"` // data warnings and other remarks
	Files []string `json:"files,omitempty"` // the files written, relative to the run's directory
	// Inputs is what the result was computed from; a rerun with the same
	// Inputs keeps it (see Kept). The range test, which is never kept,
	// has none.
	Inputs *Inputs `json:"inputs,omitempty"`
}

// Head returns the header, and so does every kind of summary that embeds it.
func (h *Header) Head() *Header { return h }

// Tail returns the trailer, and so does every kind of summary that embeds it.
func (t *Trailer) Tail() *Trailer { return t }

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

// Run is one training run: a section of 3.1, the train command, and each λ
// of a search (which also writes its history.json, see WriteUnit).
type Run struct {
	Header
	Model string `json:"model,omitempty"` // where train -save saved the model
	Trailer
	// History is the training history; it is written as curves.csv, not
	// into summary.json.
	History *network.History `json:"-"`
}

// Search is a search for λ (3.2, 3.3): one training run per λ.
type Search struct {
	Header
	Runs []SearchRun `json:"runs,omitempty"` // every λ, in order
	Best []SearchRun `json:"best,omitempty"` // the top three by validation accuracy
	Trailer
	// History is the best λ's training history, written as curves.csv.
	History *network.History `json:"-"`
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

// RankByValidation returns the runs sorted by decreasing validation
// accuracy; ties keep the order of runs (smaller λ first).
func RankByValidation(runs []SearchRun) []SearchRun {
	ranked := slices.Clone(runs)
	slices.SortStableFunc(ranked, func(a, b SearchRun) int {
		switch {
		case a.ValidationAccuracy > b.ValidationAccuracy:
			return -1
		case a.ValidationAccuracy < b.ValidationAccuracy:
			return 1
		}
		return 0
	})
	return ranked
}

// GradCheck is the gradient check (2.9).
type GradCheck struct {
	Header
	Checks []Check `json:"checks,omitempty"`
	Trailer
}

// Check is one row of the gradient check table: the comparison of one
// parameter's gradients for one numeric method and λ.
type Check struct {
	Method string  `json:"method"` // "forward" (ComputeGradsNum) or "centered" (ComputeGradsNumSlow)
	Lambda float64 `json:"lambda"`
	network.GradComparison
}

// Final is the final training (3.4): a training run, where its λ came
// from, the saved model, and what the trained network does on the test
// set.
type Final struct {
	Header
	LambdaSource string `json:"lambda_source,omitempty"`
	Model        string `json:"model,omitempty"`
	// Insight is what the trained network does on the test set: the
	// confusion matrix, per-class accuracy and worst mistakes, whose
	// pictures are among Files.
	Insight *Insight `json:"insight,omitempty"`
	Trailer
	// History is the training history, written as curves.csv.
	History *network.History `json:"-"`
}

// WriteJSON writes v as indented JSON, and a newline, to path, atomically.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return WriteBytesAtomic(path, append(data, '\n'))
}

// Read reads a summary.json (see Write) as a T, one of the
// kinds of Summary: Read[Run](path), say.
func Read[T any, PT interface {
	*T
	Summary
}](path string) (PT, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s := PT(new(T))
	if err := json.Unmarshal(data, s); err != nil {
		return nil, fmt.Errorf("%s is not a valid summary: %v", path, err)
	}
	return s, nil
}
