package network

import (
	"context"
	"fmt"
	"math"
)

// Record holds the metrics recorded during training after Step update steps
// (Step 0: before the first), on the whole training set (or its first
// Config.RecordTrain images) and the whole validation set. Eta
// is the learning rate of the last step taken (η_0 at step 0).
type Record struct {
	Step       int
	Eta        float64
	Train, Val Metrics // Val is zero when there is no validation set
}

// History is what MiniBatchGD records: the metrics every Config.RecordEvery()
// steps, and the learning rate η_t of every update step t.
type History struct {
	Records []Record
	Eta     []float64 // Eta[t] = η_t, one entry per update step taken
}

// Progress is passed to MiniBatchGD's callback after every update step, and
// after the initial recording (Step 0) when Config.RecordInitial is set.
type Progress struct {
	Step, Total int     // update steps done, and to do in all
	Eta         float64 // η of the last step
	Record      *Record // non-nil right after a recording
	// Predicted is, right after a recording with a validation set, the
	// class the network gives each validation image (the most probable;
	// the first on ties), for a confusion matrix. It is valid only during
	// the call: the next recording overwrites it.
	Predicted []int
}

// MaxLoss is the largest mean cross-entropy of a mini-batch that MiniBatchGD
// accepts: beyond it the weights have blown up (the scores are so large that
// the loss, though finite, means nothing). An untrained network's loss is
// about ln K ≈ 2.3, a badly overfitted one's on unseen images perhaps 10.
const MaxLoss = 1e4

// DivergedError reports that training produced a cost or parameters that are
// NaN or ±Inf, or a mini-batch loss above MaxLoss, typically because η_max or
// λ is too large.
type DivergedError struct {
	Step   int     // update step t (as in CyclicEta) at which it was noticed
	Eta    float64 // η_t
	Lambda float64 // λ
	What   string  // what was found, e.g. "the cost is NaN"
}

// Error returns a one-line message such as "training diverged at step 412
// (η = 0.5, λ = 0.01): the cost is NaN; lower -eta-max or λ".
func (e *DivergedError) Error() string {
	return fmt.Sprintf("training diverged at step %d (η = %g, λ = %g): %s; lower -eta-max or λ", e.Step, e.Eta, e.Lambda, e.What)
}

// MiniBatchGD is the report's MiniBatchGD (section 2.10): mini-batch gradient
// descent on net (changed in place) with the cyclical learning rate CyclicEta,
// for cfg.Steps() = 2·Cycles·n_s update steps. Update step t uses batch
// j = t mod ⌊n/B⌋ of its epoch, the images j·B..(j+1)·B−1 (B the batch size;
// the last n mod B images of an epoch are left out), in the order of the
// training set, or of a permutation drawn from cfg.Seed at the start of every
// epoch if cfg.Shuffle is set; and it takes the step
//
//	θ ← θ − η_t·∂J/∂θ  for θ = W1 (m×d), b1 (m), W2 (K×m), b2 (K),
//
// with the gradients of ComputeGradients on the batch (Trainer.Step takes
// it). After every cfg.RecordEvery() steps (and before the first one if
// cfg.RecordInitial) it records cost, loss and accuracy on the whole of
// train (or its first cfg.RecordTrain images) and of val (nil or empty: no
// validation set), as Evaluate computes them.
//
// progress, if not nil, is called after every step. The context is checked
// before every step: when it is cancelled MiniBatchGD returns the history so
// far and ctx.Err(). A NaN or infinite cost (of a batch or of a recording) or
// parameter, or a batch loss above MaxLoss, stops training with a
// *DivergedError. Bad input (a configuration
// Validate rejects, sets that do not fit net) is an error, with net untouched.
func MiniBatchGD(ctx context.Context, net *Params, train, val Data, cfg Config, progress func(Progress)) (*History, error) {
	run, err := NewTraining(net, train, val, cfg, progress)
	if err != nil {
		return nil, err
	}
	err = run.Continue(ctx, cfg.Steps())
	return run.History, err
}

// Training is MiniBatchGD in progress, for a caller that trains in parts (a
// cycle at a time, say, to keep the network of every cycle's end, or to stop
// the runs that do worst): NewTraining sets it up and each Continue takes
// more of the update steps, recording as MiniBatchGD does. MiniBatchGD is
// NewTraining and one Continue with all the steps; training in parts gives
// the same numbers, bit for bit.
type Training struct {
	History      *History // what has been recorded so far
	tr           *Trainer
	val          Data // the validation set, or nil
	recorded     int  // the recordings' training images: the first Config.RecordTrain, or all
	ev           *evaluator
	predicted    []int // the validation images' classes at the last recording
	progress     func(Progress)
	total, every int
}

// NewTraining checks its arguments as MiniBatchGD does and returns a
// Training that has taken no step yet.
func NewTraining(net *Params, train, val Data, cfg Config, progress func(Progress)) (*Training, error) {
	tr, err := NewTrainer(net, train, cfg)
	if err != nil {
		return nil, err
	}
	if val != nil && val.Len() == 0 {
		val = nil
	}
	if val != nil {
		if err := checkData(net, val, "validation"); err != nil {
			return nil, err
		}
	}
	total, every := cfg.Steps(), cfg.RecordEvery()
	recorded := train.Len()
	if n := cfg.RecordTrain; n > 0 && n < recorded {
		recorded = n
	}
	var predicted []int
	if val != nil {
		predicted = make([]int, val.Len())
	}
	return &Training{
		History:  &History{Records: make([]Record, 0, total/every+1), Eta: make([]float64, 0, total)},
		tr:       tr,
		recorded: recorded, val: val,
		ev:        newEvaluator(net, min(max(recorded, len(predicted)), EvalChunk)),
		predicted: predicted,
		progress:  progress,
		total:     total, every: every,
	}, nil
}

// Net returns the network being trained (the one given to NewTraining).
func (r *Training) Net() *Params { return r.tr.net }

// Done reports whether all Config.Steps() update steps have been taken.
func (r *Training) Done() bool { return r.tr.t == r.total }

// Continue takes the next n update steps (fewer if fewer are left), with
// the recordings, progress calls, cancellation and divergence checks of
// MiniBatchGD; the first call makes the initial recording if
// Config.RecordInitial asks for it, and the one that takes the last step
// checks the parameters.
func (r *Training) Continue(ctx context.Context, n int) error {
	tr, cfg, h := r.tr, r.tr.cfg, r.History
	net := tr.net
	if tr.t == 0 && cfg.RecordInitial && len(h.Records) == 0 {
		eta := CyclicEta(0, cfg.EtaMin, cfg.EtaMax, cfg.StepSize)
		rec, err := r.record(0, eta)
		if err != nil {
			return err
		}
		if r.progress != nil {
			r.progress(Progress{Step: 0, Total: r.total, Eta: eta, Record: rec, Predicted: r.predicted})
		}
	}
	for end := min(tr.t+max(n, 0), r.total); tr.t < end; {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := tr.t
		eta, loss := tr.Step()
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return &DivergedError{Step: t, Eta: eta, Lambda: cfg.Lambda, What: fmt.Sprintf("the cost is %v", loss)}
		}
		if loss > MaxLoss {
			return &DivergedError{Step: t, Eta: eta, Lambda: cfg.Lambda,
				What: fmt.Sprintf("the batch's loss is %.3g (untrained it is about ln K = %.2f)", loss, math.Log(float64(net.W2.Rows())))}
		}
		h.Eta = append(h.Eta, eta)
		var rec *Record
		if (t+1)%r.every == 0 {
			var err error
			if rec, err = r.record(t+1, eta); err != nil {
				return err
			}
		}
		if r.progress != nil {
			p := Progress{Step: t + 1, Total: r.total, Eta: eta, Record: rec}
			if rec != nil {
				p.Predicted = r.predicted
			}
			r.progress(p)
		}
		if t+1 == r.total && net.hasNaNOrInf() {
			return &DivergedError{Step: r.total, Eta: eta, Lambda: cfg.Lambda, What: "a parameter is NaN or infinite"}
		}
	}
	return nil
}

// record evaluates the cost, loss and accuracy on the recorded training
// images and the validation set, as Evaluate does, with the evaluator's
// memory, and appends them to the history.
func (r *Training) record(step int, eta float64) (*Record, error) {
	net, lambda := r.tr.net, r.tr.cfg.Lambda
	rec := Record{Step: step, Eta: eta, Train: r.ev.evaluate(net, r.tr.train, r.recorded, lambda, nil)}
	if r.val != nil {
		rec.Val = r.ev.evaluate(net, r.val, r.val.Len(), lambda, r.predicted)
	}
	for _, m := range []Metrics{rec.Train, rec.Val} {
		if !m.finiteCost() {
			return nil, &DivergedError{Step: step, Eta: eta, Lambda: lambda, What: fmt.Sprintf("the recorded cost is %v", m.Cost)}
		}
	}
	r.History.Records = append(r.History.Records, rec)
	return &rec, nil
}
