package network

import (
	"twolayer/cifar"
	"twolayer/matrix"
)

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
// Each training step runs the same two passes, workspace.evaluateClassifier
// and workspace.computeGradients, on memory it allocated once. It panics if
// s's shapes do not fit net or a label is out of range.
func ComputeGradients(net *Params, s cifar.Set, lambda float64) *Grads {
	net.mustCheck("network.ComputeGradients")
	if err := checkSet(net, s, "set"); err != nil {
		panic("network.ComputeGradients: " + err.Error())
	}
	d, m, k := net.Dims()
	grads := NewGrads(d, m, k)
	w := newWorkspace(net, s.Len(), true)
	w.evaluateClassifier(net, s.X)
	w.computeGradients(grads, net, s.X, s.Labels, lambda)
	return grads
}

// computeGradients is the backward pass: after evaluateClassifier has run on
// the same n images X with labels y, it writes the gradients into grads,
// each layer's backward pass in turn from the output down. It overwrites
// w.P with G.
func (w *workspace) computeGradients(grads *Grads, net *Params, X *matrix.Dense, y []int, lambda float64) {
	w.backToFirstLinear(grads, net, y, lambda)      // (1)–(4), (6)
	firstLinearWeights(grads, net, w.GH, X, lambda) // (5)      ∂J/∂W1
}

// backToFirstLinear is the backward pass down to the first layer's linear
// map: the report's steps 1–4 and 6. It writes ∂J/∂W2, ∂J/∂b2 and ∂J/∂b1
// into grads and leaves in w.GH the gradient G that reaches S1 (times n),
// from which step 5 computes ∂J/∂W1. It overwrites w.P with G.
func (w *workspace) backToFirstLinear(grads *Grads, net *Params, y []int, lambda float64) {
	softmaxCrossEntropyBackward(w.P, y)                      // (1)      G = P − Y
	secondLinearBackward(grads, w.GH, net, w.P, w.H, lambda) // (2)–(4a) ∂J/∂W2, ∂J/∂b2, G = W2ᵀ·G
	w.firstLayerBackward(grads)                              // (4b), (6) G = G ⊙ Ind(H > 0), ∂J/∂b1
}

// updateAllButW1 takes the step θ ← θ − η·∂J/∂θ for b1, W2 and b2 (training
// takes W1's in its gradient's product, firstLinearStep).
func (net *Params) updateAllButW1(grads *Grads, eta float64) {
	matrix.AddScaled(net.W2, net.W2, -eta, grads.W2)
	for i := range net.B1 {
		net.B1[i] -= eta * grads.B1[i]
	}
	for i := range net.B2 {
		net.B2[i] -= eta * grads.B2[i]
	}
}
