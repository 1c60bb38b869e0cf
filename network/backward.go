package network

import "twolayer/matrix"

// Grads holds the gradients of the cost with respect to each parameter, with
// the parameters' shapes: W1 m×d, B1 m, W2 K×m, B2 K.
type Grads struct {
	W1, W2 *matrix.Dense
	B1, B2 []float64
}

// NewGrads returns zero gradients for d inputs, m hidden units and k classes.
func NewGrads(d, m, k int) *Grads {
	return &Grads{W1: matrix.New(m, d), B1: make([]float64, m), W2: matrix.New(k, m), B2: make([]float64, k)}
}

// ComputeGradients is the report's ComputeGradients (section 2.9): the
// gradients of J = (1/n) Σ −log P[y_i][i] + λ(‖W1‖² + ‖W2‖²) on the n images
// of s (X n×d, one per row), by the report's steps 1–6 plus the L2 terms:
//
//	(1) G = P − Y                     K×n  (Y the one-hot labels, K×n)
//	(2) ∂J/∂W2 = (1/n)·G·Hᵀ + 2λ·W2    K×m
//	(3) ∂J/∂b2 = (1/n)·G·1             K
//	(4) G = W2ᵀ·G ⊙ Ind(H > 0)         m×n
//	(5) ∂J/∂W1 = (1/n)·G·X + 2λ·W1     m×d  (X n×d, so no transpose)
//	(6) ∂J/∂b1 = (1/n)·G·1             m
//
// It panics if s's shapes do not fit p or a label is out of range.
func ComputeGradients(p *Params, s Set, lambda float64) *Grads {
	p.mustCheck("network.ComputeGradients")
	if err := s.check(p, "set"); err != nil {
		panic("network.ComputeGradients: " + err.Error())
	}
	d, m, k := p.Dims()
	g := NewGrads(d, m, k)
	w := newBatchWork(p, s.X.Rows(), true)
	w.forward(p, s.X)
	w.softmax(s.Y)
	w.backward(g, p, s.X, s.Y, lambda, nil)
	return g
}

// backward computes the gradients into g after forward and softmax have run
// on the same n images (w.p holds P, w.h holds H, after dropout with the
// mask if mask is not nil). It overwrites w.p with G.
func (w *batchWork) backward(g *Grads, p *Params, X *matrix.Dense, y []int, lambda float64, mask *matrix.Dense) {
	softmaxCrossEntropyBackward(w.p, y)
	outputBackward(g, w.gh, p, w.p, w.h, lambda)
	if mask != nil {
		dropoutBackward(w.gh, mask)
	}
	hiddenBackward(g, p, w.gh, X, lambda)
}

// softmaxCrossEntropyBackward is step 1: G = P − Y, K×n, in place on P. Y is
// the one-hot matrix of the labels y, so only G[y_i][i] changes (by −1).
// The 1/n of the mean is applied in steps 2, 3, 5 and 6.
func softmaxCrossEntropyBackward(p *matrix.Dense, y []int) {
	for i, yi := range y {
		p.Row(yi)[i] -= 1
	}
}

// outputBackward is steps 2–4, the backward pass of S = W2·H + b2·1ᵀ and of
// the ReLU below it. G is K×n, H is m×n, W2 is K×m:
//
//	∂J/∂W2 = (1/n)·G·Hᵀ + 2λ·W2   K×m
//	∂J/∂b2 = (1/n)·G·1            K
//	Gh     = W2ᵀ·G ⊙ Ind(H > 0)   m×n (written into gh)
func outputBackward(g *Grads, gh *matrix.Dense, p *Params, G, H *matrix.Dense, lambda float64) {
	n := float64(G.Cols())
	matrix.Gemm(matrix.NoTrans, matrix.Trans, 1/n, G, H, 0, g.W2) // (K×n)·(m×n)ᵀ
	matrix.AddScaled(g.W2, g.W2, 2*lambda, p.W2)
	matrix.RowSums(g.B2, G)
	scaleVec(g.B2, 1/n)
	matrix.MulAtB(gh, p.W2, G) // (K×m)ᵀ·(K×n) = m×n
	matrix.MaskPositive(gh, gh, H)
}

// hiddenBackward is steps 5–6, the backward pass of S1 = W1·Xᵀ + b1·1ᵀ. Gh is
// m×n, X is n×d, W1 is m×d:
//
//	∂J/∂W1 = (1/n)·Gh·X + 2λ·W1   m×d
//	∂J/∂b1 = (1/n)·Gh·1           m
func hiddenBackward(g *Grads, p *Params, gh, X *matrix.Dense, lambda float64) {
	n := float64(gh.Cols())
	matrix.Gemm(matrix.NoTrans, matrix.NoTrans, 1/n, gh, X, 0, g.W1) // (m×n)·(n×d)
	matrix.AddScaled(g.W1, g.W1, 2*lambda, p.W1)
	matrix.RowSums(g.B1, gh)
	scaleVec(g.B1, 1/n)
}

func scaleVec(v []float64, a float64) {
	for i := range v {
		v[i] *= a
	}
}

// update takes one gradient-descent step θ ← θ − η·∂J/∂θ for every parameter.
func (p *Params) update(g *Grads, eta float64) {
	matrix.AddScaled(p.W1, p.W1, -eta, g.W1)
	matrix.AddScaled(p.W2, p.W2, -eta, g.W2)
	for i := range p.B1 {
		p.B1[i] -= eta * g.B1[i]
	}
	for i := range p.B2 {
		p.B2[i] -= eta * g.B2[i]
	}
}
