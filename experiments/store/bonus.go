package store

import (
	"fmt"

	"twolayer/network"
)

// Bonus is the ablation of the assignment's optional exercises ("Beyond the
// report"): the rows, and the best row's model and what it does on the test
// set. Its Hyperparams are the best row's setting and the data.
type Bonus struct {
	Header
	Model    string    `json:"model,omitempty"` // the best row's model or ensemble file
	Insight  *Insight  `json:"insight,omitempty"`
	Ablation *Ablation `json:"bonus,omitempty"`
	Trailer
}

// Ablation is the table of the ablation: each row adds one technique to the
// row above and chooses that technique's settings on the validation set.
type Ablation struct {
	Quick bool       `json:"quick"` // the few-minute version
	Rows  []BonusRow `json:"rows"`
	// Best is the row with the highest validation accuracy; its model (or
	// ensemble) is saved as Model, a file of the ablation's directory.
	Best  int    `json:"best"`
	Model string `json:"model"`
}

// BonusTrainImages is the number of training images (the first ones) on
// which the ablation records and reports training accuracy (BonusRow.Train).
const BonusTrainImages = 10000

// BonusRow is one row of the ablation table.
type BonusRow struct {
	Name       string           `json:"name"` // e.g. "+ dropout"
	Adds       string           `json:"adds"` // what the row adds, one sentence
	Setting    BonusSetting     `json:"setting"`
	Candidates []BonusCandidate `json:"candidates"`
	// Accuracies of the chosen setting (the ensemble when Ensemble > 1):
	// Train is on the first BonusTrainImages training images.
	Train      float64 `json:"train_accuracy"`
	Validation float64 `json:"validation_accuracy"`
	Test       float64 `json:"test_accuracy"`
	Change     float64 `json:"test_change"` // Test minus the row above's
	Epochs     float64 `json:"epochs"`      // passes over the training set of the chosen run
	Seconds    float64 `json:"seconds"`     // the row's time, its candidates included
	Curves     string  `json:"curves,omitempty"`
	// History is the chosen run's recordings (not in summary.json; in Curves).
	History *network.History `json:"-"`
}

// BonusCandidate is one setting a row tried, with the validation accuracy
// it was judged by.
type BonusCandidate struct {
	Setting            BonusSetting `json:"setting"`
	ValidationAccuracy float64      `json:"validation_accuracy"`
	// JudgedAfter says when: "1 cycle" for the runs that competed after
	// their first cycle, "the whole run" for the choice of Ensemble.
	JudgedAfter string `json:"judged_after"`
	Chosen      bool   `json:"chosen"`
}

// BonusSetting is everything that defines one run of the ablation.
type BonusSetting struct {
	Hidden    int     `json:"hidden"`    // m
	Init      string  `json:"init"`      // "small" or "sqrt"
	Lambda    float64 `json:"lambda"`    // λ
	KeepProb  float64 `json:"keep_prob"` // p of dropout; 0: none
	Flip      bool    `json:"flip"`      // random horizontal flips
	Shift     int     `json:"shift"`     // random translations by up to ±Shift pixels
	Shuffle   bool    `json:"shuffle"`   // a new order of the training images every epoch
	EtaMin    float64 `json:"eta_min"`
	EtaMax    float64 `json:"eta_max"`
	StepSize  int     `json:"step_size"` // n_s
	Cycles    int     `json:"cycles"`
	BatchSize int     `json:"batch_size"`
	// Ensemble is the number of networks whose softmax outputs are
	// averaged: those at the ends of the last Ensemble cycles (1: the final
	// network alone).
	Ensemble int `json:"ensemble"`
}

// Augment returns s's augmentation.
func (s BonusSetting) Augment() network.Augment {
	return network.Augment{Flip: s.Flip, Shift: s.Shift}
}

// String describes s in a few words, e.g. "m = 1000, λ = 0.001, flip,
// p = 0.5, 4 cycles of 2·1800".
func (s BonusSetting) String() string {
	line := fmt.Sprintf("m = %d, λ = %.3g", s.Hidden, s.Lambda)
	if s.Flip || s.Shift > 0 {
		line += ", " + s.Augment().String()
	}
	if s.KeepProb > 0 && s.KeepProb < 1 {
		line += fmt.Sprintf(", p = %g", s.KeepProb)
	}
	cycles := "cycles"
	if s.Cycles == 1 {
		cycles = "cycle"
	}
	line += fmt.Sprintf(", %d %s of 2·%d", s.Cycles, cycles, s.StepSize)
	if s.Ensemble > 1 {
		line += fmt.Sprintf(", ensemble of %d", s.Ensemble)
	}
	return line
}

// LRRange is Smith's learning-rate range test.
type LRRange struct {
	Header
	RangeTest *RangeTest `json:"range_test,omitempty"`
	Trailer
}

// RangeTest is what the learning-rate range test ran and found.
type RangeTest struct {
	Hidden    int          `json:"hidden"`
	Init      string       `json:"init"`
	Lambda    float64      `json:"lambda"`
	BatchSize int          `json:"batch_size"`
	Steps     int          `json:"steps"`
	From      float64      `json:"from"`
	To        float64      `json:"to"`
	Flip      bool         `json:"flip"`
	NEval     int          `json:"n_eval"` // validation images measured
	Points    []RangePoint `json:"points"`
	// EtaMin and EtaMax are the suggested bounds (network.SuggestEtas):
	// where the accuracy starts to rise and where it breaks.
	EtaMin float64 `json:"eta_min"`
	EtaMax float64 `json:"eta_max"`
}

// RangePoint is one measurement of the range test.
type RangePoint struct {
	Step     int     `json:"step"`
	Eta      float64 `json:"eta"`
	Accuracy float64 `json:"accuracy"`
	Loss     float64 `json:"loss"`
}
