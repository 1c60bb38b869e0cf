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
// X (n×d, one per row) with labels y, by the report's steps 1–6 plus the L2
// terms:
//
//	(1) G = P − Y                     K×n  (Y the one-hot labels, K×n)
//	(2) ∂J/∂W2 = (1/n)·G·Hᵀ + 2λ·W2    K×m
//	(3) ∂J/∂b2 = (1/n)·G·1             K
//	(4) G = W2ᵀ·G ⊙ Ind(H > 0)         m×n
//	(5) ∂J/∂W1 = (1/n)·G·X + 2λ·W1     m×d  (X n×d, so no transpose)
//	(6) ∂J/∂b1 = (1/n)·G·1             m
//
// A training step (Trainer.Step) runs the same forward pass and, for steps
// 1–4 and 6, the same backward pass, workspace.backward; it takes W1's step
// inside the product of step 5 instead of storing ∂J/∂W1 (updateW1), which
// saves two passes over W1, the largest parameter by far. It panics if X
// and y do not fit net.
func ComputeGradients(net *Params, X *matrix.Dense, y []int, lambda float64) *Grads {
	net.mustCheck("network.ComputeGradients")
	if err := checkSet(net, X, y, "gradient"); err != nil {
		panic("network.ComputeGradients: " + err.Error())
	}
	d, m, k := net.Dims()
	grads := NewGrads(d, m, k)
	w := newWorkspace(net, X.Rows(), true)
	w.forward(net, X)
	w.backward(grads, net, y, lambda)               // (1)–(4), (6)
	firstLinearWeights(grads, net, w.GH, X, lambda) // (5)
	return grads
}

// backward is the backward pass after forward has run on the same n images
// with labels y, each layer's in turn from the output down to the first
// layer's linear map: the report's steps 1–4 and 6. It writes ∂J/∂W2,
// ∂J/∂b2 and ∂J/∂b1 into grads and leaves in w.GH the gradient G that
// reaches S1 (times n), from which step 5 computes ∂J/∂W1 (or training
// updates W1). It overwrites w.P with G.
func (w *workspace) backward(grads *Grads, net *Params, y []int, lambda float64) {
	softmaxCrossEntropyBackward(w.P, y)                     // (1)      G = P − Y
	secondLayerBackward(grads, w.GH, net, w.P, w.H, lambda) // (2)–(4a) ∂J/∂W2, ∂J/∂b2, G = W2ᵀ·G
	w.firstLayerBackward(grads)                             // (4b), (6) G = G ⊙ Ind(H > 0), ∂J/∂b1
}
