package network

import (
	"math"
	"math/rand/v2"

	"twolayer/matrix"
)

// Trainer takes the update steps of MiniBatchGD one at a time. All its memory
// (the batch, activations, gradients, the permutation and the dropout mask)
// is allocated by NewTrainer, so that a step allocates nothing.
type Trainer struct {
	net   *Params
	train Data
	cfg   Config
	nb    int // whole batches per epoch, ⌊n/B⌋
	t     int // the next update step

	X     *matrix.Dense // B×d: the batch's images
	y     []int         // B: their labels
	load  loader        // load.from: the training images of the batch, in order
	w     *workspace    // the batch's forward and backward pass; with dropout, w.M is its mask (m×B)
	grads *Grads        // ∂J/∂b1, ∂J/∂W2, ∂J/∂b2 (∂J/∂W1 is never stored: see updateW1)

	order []int      // with shuffling: the rows of the current epoch, in order
	rng   *rand.Rand // the shuffling's generator
	drop  *rand.Rand // the dropout masks' generator
	aug   *augmenter // with augmentation: the transformations of the batch
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
func NewTrainer(net *Params, train Data, cfg Config) (*Trainer, error) {
	if err := net.Check(); err != nil {
		return nil, err
	}
	if err := cfg.Validate(train.Len()); err != nil {
		return nil, err
	}
	if err := checkData(net, train, "training"); err != nil {
		return nil, err
	}
	d, m, k := net.Dims()
	if err := cfg.Augment.fits(d); err != nil {
		return nil, err
	}
	B := cfg.BatchSize
	tr := &Trainer{
		net: net, train: train, cfg: cfg, nb: train.Len() / B,
		X: matrix.New(B, d), y: make([]int, B), load: newLoader(B),
		w:     newWorkspace(net, B, true),
		grads: &Grads{B1: make([]float64, m), W2: matrix.New(k, m), B2: make([]float64, k)},
	}
	if cfg.Shuffle {
		tr.order = make([]int, train.Len())
		tr.rng = rand.New(rand.NewPCG(cfg.Seed, shuffleStream))
	}
	if cfg.Augment.On() {
		tr.aug = newAugmenter(cfg.Augment, B, d, rand.New(rand.NewPCG(cfg.Seed, augmentStream)))
	}
	if cfg.Dropout() {
		tr.w.M = matrix.New(m, B)
		tr.drop = rand.New(rand.NewPCG(cfg.Seed, dropoutStream))
	}
	return tr, nil
}

// T returns the number of update steps taken so far, the t of the next one.
func (tr *Trainer) T() int { return tr.t }

// Step takes update step t = T() with the learning rate of the schedule,
// η_t = CyclicEta(t, η_min, η_max, n_s), and returns η_t and the batch's
// loss (see StepEta).
func (tr *Trainer) Step() (eta, loss float64) {
	eta = CyclicEta(tr.t, tr.cfg.EtaMin, tr.cfg.EtaMax, tr.cfg.StepSize)
	return eta, tr.StepEta(eta)
}

// StepEta takes update step t = T() with the learning rate eta, on batch
// t mod ⌊n/B⌋ of the epoch: the forward pass of EvaluateClassifier, the
// batch's loss, the backward pass of ComputeGradients, and the update
// θ ← θ − η·∂J/∂θ. It returns the batch's loss (1/B) Σ −log P[y_i][i]
// before the update. If that loss is NaN or infinite the parameters are
// left unchanged (the step still counts). It allocates nothing.
func (tr *Trainer) StepEta(eta float64) (loss float64) {
	t := tr.t
	tr.t++
	X, y := tr.batch(t % tr.nb)
	if tr.w.M != nil {
		drawDropoutMask(tr.w.M, tr.cfg.KeepProb, tr.drop)
	}
	tr.w.forward(tr.net, X)                                       // P = softmax(W2·max(0, W1·Xᵀ + b1·1ᵀ) + b2·1ᵀ)
	loss = tr.w.cols.crossEntropySum(tr.w.S, y) / float64(len(y)) // (1/B) Σ −log P[y_i][i]
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss
	}
	tr.w.backward(tr.grads, tr.net, y, tr.cfg.Lambda)        // ∂J/∂W2, ∂J/∂b2, ∂J/∂b1, and G that reaches S1
	update(tr.net, tr.grads, tr.w.GH, X, eta, tr.cfg.Lambda) // θ ← θ − η·∂J/∂θ
	return loss
}

// update takes the gradient-descent step θ ← θ − η·∂J/∂θ for the four
// parameters, after the backward pass: W1 from the gradient G (m×n, times
// n) that reached S1 and the batch's images X (n×d), the others from their
// gradients in grads.
func update(net *Params, grads *Grads, G, X *matrix.Dense, eta, lambda float64) {
	updateW1(net.W1, G, X, eta, lambda)
	matrix.AddScaled(net.W2, net.W2, -eta, grads.W2) // W2 ← W2 − η·∂J/∂W2
	for i := range net.B1 {
		net.B1[i] -= eta * grads.B1[i] // b1 ← b1 − η·∂J/∂b1
	}
	for i := range net.B2 {
		net.B2[i] -= eta * grads.B2[i] // b2 ← b2 − η·∂J/∂b2
	}
}

// updateW1 is W1's update, W1 ← W1 − η·∂J/∂W1 with ∂J/∂W1 = (1/n)·G·X +
// 2λ·W1 (firstLinearWeights):
//
//	W1 ← (1 − 2ηλ)·W1 − (η/n)·G·X   m×d  (G m×n, X n×d)
//
// as one product C = α·G·X + β·C with C = W1, α = −η/n and β = 1 − 2ηλ,
// so that W1, the largest parameter by far, is read and written once, by
// the product's goroutines, instead of in three passes (the product, the
// weight decay, the update), and ∂J/∂W1 is never stored. It rounds
// differently from firstLinearWeights followed by the step (the same terms,
// grouped otherwise), by about one unit in the last place of W1 per step.
func updateW1(W1, G, X *matrix.Dense, eta, lambda float64) {
	n := float64(G.Cols())
	matrix.Gemm(matrix.NoTrans, matrix.NoTrans, -eta/n, G, X, 1-2*eta*lambda, W1) // (m×n)·(n×d)
}

// batch loads batch j of the epoch into tr.X (B×d) and tr.y and returns
// them: the training images j·B..(j+1)·B−1, or, with shuffling, those of
// the epoch's permutation, which it draws anew at j = 0; with augmentation
// each image is a random transformation of its training image (see
// Augment).
func (tr *Trainer) batch(j int) (*matrix.Dense, []int) {
	B := tr.cfg.BatchSize
	if tr.order != nil && j == 0 {
		tr.shuffle()
	}
	for i := range B {
		r := j*B + i
		if tr.order != nil {
			r = tr.order[r]
		}
		tr.load.from[i] = r
	}
	if tr.aug == nil {
		tr.load.gather(tr.train, tr.X, tr.y)
		return tr.X, tr.y
	}
	tr.load.gather(tr.train, tr.aug.src, tr.y)
	tr.aug.apply(tr.X)
	return tr.X, tr.y
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
