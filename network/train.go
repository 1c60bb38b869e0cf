package network

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"twolayer/cifar"
	"twolayer/matrix"
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
// with the gradients of ComputeGradients on the batch. After every
// cfg.RecordEvery() steps (and before the first one if cfg.RecordInitial) it
// records cost, loss and accuracy on the whole of train (or its first
// cfg.RecordTrain images) and of val (val may be empty), evaluated in chunks
// of EvalChunk images.
//
// progress, if not nil, is called after every step. The context is checked
// before every step: when it is cancelled MiniBatchGD returns the history so
// far and ctx.Err(). A NaN or infinite cost (of a batch or of a recording) or
// parameter, or a batch loss above MaxLoss, stops training with a
// *DivergedError. Bad input (a configuration
// Validate rejects, sets that do not fit net) is an error, with net untouched.
func MiniBatchGD(ctx context.Context, net *Params, train, val cifar.Set, cfg Config, progress func(Progress)) (*History, error) {
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
	History       *History // what has been recorded so far
	tr            *Trainer
	recorded, val cifar.Set // recorded: train, or its first Config.RecordTrain images
	ev            *evaluator
	progress      func(Progress)
	total, every  int
}

// NewTraining checks its arguments as MiniBatchGD does and returns a
// Training that has taken no step yet.
func NewTraining(net *Params, train, val cifar.Set, cfg Config, progress func(Progress)) (*Training, error) {
	tr, err := NewTrainer(net, train, cfg)
	if err != nil {
		return nil, err
	}
	if val.Len() > 0 {
		if err := checkSet(net, val, "validation"); err != nil {
			return nil, err
		}
	}
	total, every := cfg.Steps(), cfg.RecordEvery()
	recorded := train
	if n := cfg.RecordTrain; n > 0 && n < train.Len() {
		recorded = cifar.Set{X: train.X.RowRange(0, n), Labels: train.Labels[:n]}
	}
	return &Training{
		History:  &History{Records: make([]Record, 0, total/every+1), Eta: make([]float64, 0, total)},
		tr:       tr,
		recorded: recorded, val: val,
		ev:       newEvaluator(net, min(max(recorded.Len(), val.Len()), EvalChunk)),
		progress: progress,
		total:    total, every: every,
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
			r.progress(Progress{Step: 0, Total: r.total, Eta: eta, Record: rec})
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
			r.progress(Progress{Step: t + 1, Total: r.total, Eta: eta, Record: rec})
		}
		if t+1 == r.total && net.hasNaNOrInf() {
			return &DivergedError{Step: r.total, Eta: eta, Lambda: cfg.Lambda, What: "a parameter is NaN or infinite"}
		}
	}
	return nil
}

// record evaluates ComputeCost and ComputeAccuracy on the recorded training
// images and the validation set, each from one forward pass (Evaluate), with
// the evaluator's memory, and appends them to the history.
func (r *Training) record(step int, eta float64) (*Record, error) {
	net, lambda := r.tr.net, r.tr.cfg.Lambda
	rec := Record{Step: step, Eta: eta, Train: r.ev.evaluate(net, r.recorded, lambda)}
	if r.val.Len() > 0 {
		rec.Val = r.ev.evaluate(net, r.val, lambda)
	}
	for _, m := range []Metrics{rec.Train, rec.Val} {
		if !m.finiteCost() {
			return nil, &DivergedError{Step: step, Eta: eta, Lambda: lambda, What: fmt.Sprintf("the recorded cost is %v", m.Cost)}
		}
	}
	r.History.Records = append(r.History.Records, rec)
	return &rec, nil
}

// Trainer takes the update steps of MiniBatchGD one at a time. All its memory
// (activations, gradients, the gathered batch, the permutation and the
// dropout mask) is allocated by NewTrainer, so that a step allocates nothing.
type Trainer struct {
	net   *Params
	train cifar.Set
	cfg   Config
	nb    int        // whole batches per epoch, ⌊n/B⌋
	t     int        // the next update step
	grads *Grads     // ∂J/∂b1, ∂J/∂W2, ∂J/∂b2 (W1 nil)
	w     *workspace // with dropout, w.M is the current batch's mask (m×B)
	// Without shuffling or augmentation: batch j is views[j], rows
	// j·B..(j+1)·B−1 of train.X. The images are never copied nor packed:
	// the products read them where they are (measured against a copy
	// packed once: see docs/performance.md).
	views []*matrix.Dense
	order []int         // with shuffling: the rows of the current epoch, in order
	xb    *matrix.Dense // with shuffling or augmentation: the gathered batch, B×d
	yb    []int         // with shuffling or augmentation: its labels
	rng   *rand.Rand    // the shuffling's generator
	aug   *rand.Rand    // the augmentation's generator
	drop  *rand.Rand    // the dropout masks' generator
	// with shuffling or augmentation: where each row of xb comes from (see
	// batch)
	gather []gathered
}

// The generators of a Trainer: one PCG stream each, all seeded with
// Config.Seed, so that turning one technique on does not change the draws of
// another.
const (
	shuffleStream = pcgStream + 1 + iota
	augmentStream
	dropoutStream
)

// NewTrainer returns a Trainer that will update net in place with the
// training set train and the configuration cfg. It returns an error if cfg is
// invalid for train (Config.Validate) or train does not fit net.
func NewTrainer(net *Params, train cifar.Set, cfg Config) (*Trainer, error) {
	if err := net.Check(); err != nil {
		return nil, err
	}
	if err := cfg.Validate(train.Len()); err != nil {
		return nil, err
	}
	if err := checkSet(net, train, "training"); err != nil {
		return nil, err
	}
	d, m, k := net.Dims()
	if err := cfg.Augment.fits(d); err != nil {
		return nil, err
	}
	B := cfg.BatchSize
	// no ∂J/∂W1: its step is fused into its product (firstLinearStep)
	grads := &Grads{B1: make([]float64, m), W2: matrix.New(k, m), B2: make([]float64, k)}
	tr := &Trainer{net: net, train: train, cfg: cfg, nb: train.Len() / B, grads: grads, w: newWorkspace(net, B, true)}
	if cfg.Shuffle {
		tr.order = make([]int, train.Len())
		tr.rng = rand.New(rand.NewPCG(cfg.Seed, shuffleStream))
	}
	if cfg.Shuffle || cfg.Augment.On() {
		tr.xb = matrix.New(B, d)
		tr.yb = make([]int, B)
		tr.gather = make([]gathered, B)
	} else {
		tr.views = make([]*matrix.Dense, tr.nb)
		for j := range tr.views {
			tr.views[j] = train.X.RowRange(j*B, (j+1)*B)
		}
	}
	if cfg.Augment.On() {
		tr.aug = rand.New(rand.NewPCG(cfg.Seed, augmentStream))
	}
	if cfg.Dropout() {
		tr.w.M = matrix.New(m, B)
		tr.drop = rand.New(rand.NewPCG(cfg.Seed, dropoutStream))
	}
	return tr, nil
}

// T returns the number of update steps taken so far, the t of the next one.
func (tr *Trainer) T() int { return tr.t }

// Step takes update step t = T(): on batch t mod ⌊n/B⌋ of the epoch it
// runs EvaluateClassifier's forward pass and ComputeGradients' backward pass
// (on the Trainer's memory, with a new dropout mask if Config.KeepProb asks
// for one), and takes θ ← θ − η_t·∂J/∂θ with η_t = CyclicEta(t, ...), W1's
// step fused into the product of its gradient (firstLinearStep). It returns
// η_t and the batch's loss (1/B) Σ −log P[y_i][i] before the update. If that
// loss is NaN or infinite the parameters are left unchanged (the step still
// counts). It allocates nothing.
func (tr *Trainer) Step() (eta, loss float64) {
	eta = CyclicEta(tr.t, tr.cfg.EtaMin, tr.cfg.EtaMax, tr.cfg.StepSize)
	return eta, tr.StepEta(eta)
}

// StepEta takes update step t = T() as Step does, but with the learning rate
// eta instead of the schedule's η_t (RangeTest sets its own). It returns the
// batch's loss before the update and allocates nothing.
func (tr *Trainer) StepEta(eta float64) (loss float64) {
	t := tr.t
	tr.t++
	X, y := tr.batch(t % tr.nb)
	if tr.w.M != nil {
		drawDropoutMask(tr.w.M, tr.cfg.KeepProb, tr.drop)
	}
	tr.w.evaluateClassifier(tr.net, X)
	loss = tr.w.crossEntropySum(y) / float64(len(y))
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss
	}
	// The backward pass of computeGradients, with W1's step fused into
	// its gradient's product, then the step for the other parameters.
	tr.w.backToFirstLinear(tr.grads, tr.net, y, tr.cfg.Lambda)
	firstLinearStep(tr.net, tr.w.GH, X, tr.cfg.Lambda, eta)
	tr.net.updateAllButW1(tr.grads, eta)
	return loss
}

// batch returns the images (B×d) and labels of batch j of the epoch: rows
// j·B..(j+1)·B−1 of the training set, or, with shuffling, of the epoch's
// permutation, which it draws anew at j = 0; with augmentation each image is
// a random transformation of its training image (see Augment).
func (tr *Trainer) batch(j int) (X *matrix.Dense, y []int) {
	B := tr.cfg.BatchSize
	if tr.xb == nil {
		return tr.views[j], tr.train.Labels[j*B : (j+1)*B]
	}
	if tr.cfg.Shuffle && j == 0 {
		tr.shuffle()
	}
	// The draws in order, on this goroutine; the copies on every core.
	for i := range B {
		r := j*B + i
		if tr.cfg.Shuffle {
			r = tr.order[r]
		}
		tr.yb[i] = tr.train.Labels[r]
		g := &tr.gather[i]
		g.row = r
		if tr.aug != nil {
			g.flip, g.dx, g.dy = tr.cfg.Augment.draw(tr.aug)
		}
	}
	byRows(B, tr.xb.Cols(), tr, (*Trainer).gatherRows)
	return tr.xb, tr.yb
}

// gatherRows copies into rows lo..hi−1 of the gathered batch their training
// images, transformed when augmenting (a pass, see batch).
func (tr *Trainer) gatherRows(lo, hi int) {
	for i := lo; i < hi; i++ {
		g := tr.gather[i]
		if tr.aug == nil {
			copy(tr.xb.Row(i), tr.train.X.Row(g.row))
			continue
		}
		TransformImage(tr.xb.Row(i), tr.train.X.Row(g.row), ImageChannels, ImageSide, ImageSide, g.flip, g.dx, g.dy)
	}
}

// gathered is where row i of a gathered batch comes from: its training
// image, and its transformation when augmenting.
type gathered struct {
	row    int
	flip   bool
	dx, dy int
}

// shuffle draws the row order of a new epoch: a uniform permutation of
// 0..n−1 (Fisher–Yates) from the trainer's generator.
func (tr *Trainer) shuffle() {
	for i := range tr.order {
		tr.order[i] = i
	}
	for i := len(tr.order) - 1; i > 0; i-- {
		k := tr.rng.IntN(i + 1)
		tr.order[i], tr.order[k] = tr.order[k], tr.order[i]
	}
}
