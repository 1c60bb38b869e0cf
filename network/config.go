package network

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Config holds the hyperparameters of MiniBatchGD.
type Config struct {
	EtaMin, EtaMax  float64 // η_min, η_max of the cyclical learning rate (η_min = η_max: constant η)
	StepSize        int     // n_s, half a cycle, in update steps
	Cycles          int     // training stops after 2·Cycles·n_s update steps
	BatchSize       int     // images per update step
	Lambda          float64 // λ, the weight of the L2 term
	RecordsPerCycle int     // recordings of the metrics per cycle: every ⌊2n_s / RecordsPerCycle⌋ steps
	RecordInitial   bool    // also record the metrics before the first step (step 0)
	Shuffle         bool    // permute the training images at the start of every epoch
	Seed            uint64  // seed of the shuffling, the augmentation and the dropout masks
	KeepProb        float64 // p of inverted dropout on the hidden layer; 0 or 1: no dropout
	Augment         Augment // random flips and shifts of the training images
	RecordTrain     int     // the recordings' training metrics are on the first RecordTrain training images; 0: on all
}

// Dropout reports whether c applies dropout (0 < KeepProb < 1).
func (c Config) Dropout() bool { return c.KeepProb > 0 && c.KeepProb < 1 }

// Steps returns the number of update steps, 2·Cycles·StepSize.
func (c Config) Steps() int { return 2 * c.Cycles * c.StepSize }

// RecordEvery returns the number of update steps between two recordings,
// max(1, ⌊2n_s / RecordsPerCycle⌋).
func (c Config) RecordEvery() int { return max(1, 2*c.StepSize/max(1, c.RecordsPerCycle)) }

// Validate returns an error describing every setting of c that cannot work
// with a training set of nTrain images, or nil.
func (c Config) Validate(nTrain int) error {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	notFinite := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
	switch {
	case notFinite(c.EtaMin) || notFinite(c.EtaMax):
		bad("η_min = %g and η_max = %g must be finite numbers", c.EtaMin, c.EtaMax)
	case c.EtaMin <= 0:
		bad("η_min = %g must be positive", c.EtaMin)
	case c.EtaMin > c.EtaMax:
		bad("η_min = %g is larger than η_max = %g: swap them", c.EtaMin, c.EtaMax)
	}
	if notFinite(c.Lambda) || c.Lambda < 0 {
		bad("λ = %g must be a number ≥ 0", c.Lambda)
	}
	if c.StepSize < 1 {
		bad("the step size n_s = %d must be at least 1", c.StepSize)
	}
	if c.Cycles < 1 {
		bad("the number of cycles (%d) must be at least 1", c.Cycles)
	}
	if math.IsNaN(c.KeepProb) || c.KeepProb < 0 || c.KeepProb > 1 {
		bad("the keep probability p = %g of dropout must be in (0, 1] (0 or 1: no dropout)", c.KeepProb)
	}
	if c.Augment.Shift < 0 || c.Augment.Shift >= ImageSide {
		bad("the augmentation's shift (%d pixels) must be in 0..%d", c.Augment.Shift, ImageSide-1)
	}
	if c.RecordTrain < 0 {
		bad("the recorded training images (%d) must be a number ≥ 0 (0: all)", c.RecordTrain)
	}
	if c.RecordsPerCycle < 1 {
		bad("the recordings per cycle (%d) must be at least 1", c.RecordsPerCycle)
	}
	if nTrain < 1 {
		bad("the training set is empty")
	}
	if c.BatchSize < 1 {
		bad("the batch size (%d) must be at least 1", c.BatchSize)
	} else if nTrain >= 1 && c.BatchSize > nTrain {
		bad("the batch size (%d) is larger than the training set (%d images)", c.BatchSize, nTrain)
	}
	if c.StepSize >= 1 && c.Cycles >= 1 && c.Cycles > math.MaxInt32/(2*c.StepSize) {
		bad("%d cycles of 2·%d steps are too many", c.Cycles, c.StepSize)
	}
	if len(errs) == 0 {
		return nil
	}
	return errors.New("invalid training configuration: " + strings.Join(errs, "; "))
}
