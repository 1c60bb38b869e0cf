package network

import (
	"fmt"

	"twolayer/matrix"
)

// The first layer: a linear map of the images followed by a ReLU,
//
//	S1 = W1·Xᵀ + b1·1ᵀ   m×n   (W1 m×d, X n×d with one image per row, b1 m)
//	H  = max(0, S1)      m×n
//
// Its forward pass, then its backward pass: the product runs first, and the
// element-wise work (the bias and the ReLU forward; the ReLU's mask and
// ∂J/∂b1 backward; dropout's mask both ways, in training) is fused into one
// pass over the rows. W1's update in training is updateW1 (train.go).

// firstLayerForward computes the first layer on the n images of X into w.H
// (m×n): the product W1·Xᵀ, then the bias and the ReLU row by row
// (biasReLURows), and in a training step with dropout the mask,
// H ← H ⊙ M (w.M, m×n; see dropout.go).
func (w *workspace) firstLayerForward(net *Params, X matrix.RowReader) {
	matrix.MulABtRows(w.H, net.W1, X) // (m×d)·(n×d)ᵀ = m×n
	w.net = net
	m, n := w.H.Dims()
	matrix.ParallelFor(m, chunkOf(m, n), w, biasReLURows)
}

// biasReLURows turns rows lo..hi−1 of W1·Xᵀ in w.H into rows of H, in
// place: h_j = max(0, s_j + b) with b = b1[i] for row i, then, in a
// training step with dropout, h_j ← h_j·M_ij.
func biasReLURows(w *workspace, lo, hi int) {
	for i := lo; i < hi; i++ {
		s, b := w.H.Row(i), w.net.B1[i]
		for j, v := range s {
			s[j] = max(0, v+b)
		}
		if w.M != nil {
			dropoutRow(s, w.M.Row(i))
		}
	}
}

// firstLayerBackward is the backward pass of the ReLU and the bias, the
// second half of the report's step 4 and step 6: w.GH holds the gradient
// G (m×n, times n) that reached H, and
//
//	G ← G ⊙ Ind(H > 0)   m×n  (then the gradient that reaches S1)
//	∂J/∂b1 = (1/n)·G·1   m
//
// row by row (reluBackRows), into grads.B1; in a training step with
// dropout, each row first passes back through the mask, G ← G ⊙ M.
func (w *workspace) firstLayerBackward(grads *Grads) {
	w.db1 = grads.B1
	m, n := w.GH.Dims()
	matrix.ParallelFor(m, chunkOf(m, n), w, reluBackRows)
}

// reluBackRows applies the ReLU's mask to rows lo..hi−1 of G (w.GH), in
// place: g_j ← g_j if h_j > 0 else 0, h the same row of H (an entry of the
// gradient passes where the unit was active, and H > 0 exactly where
// S1 > 0), and sets ∂J/∂b1 of row i to (1/n)·Σ_j g_j, summed in increasing
// j and then multiplied by 1/n. With dropout, the row first passes back
// through the mask, g_j ← g_j·M_ij; below it, Ind(H ⊙ M > 0) differs from
// Ind(H > 0) only where M is 0, where g already is.
func reluBackRows(w *workspace, lo, hi int) {
	for i := lo; i < hi; i++ {
		g := w.GH.Row(i)
		if w.M != nil {
			dropoutRow(g, w.M.Row(i))
		}
		h := w.H.Row(i)[:len(g)]
		sum := 0.0
		for j := range g {
			if !(h[j] > 0) {
				g[j] = 0
			}
			sum += g[j]
		}
		w.db1[i] = sum * (1 / float64(len(g)))
	}
}

// firstLinearWeights is the backward pass of S1 = W1·Xᵀ + b1·1ᵀ for W1, the
// report's step 5 with the gradient of the L2 term: G (m×n) is the gradient
// that reached S1 (times n, see softmaxCrossEntropyBackward) and X is n×d,
// so
//
//	∂J/∂W1 = (1/n)·G·X + 2λ·W1   m×d  (the report's G·Xᵀ, with X one image per row)
//
// ComputeGradients runs it. A training step never stores ∂J/∂W1: it takes
// W1's step inside this same product (updateW1).
func firstLinearWeights(grads *Grads, net *Params, G, X *matrix.Dense, lambda float64) {
	n := float64(G.Cols())
	matrix.Gemm(matrix.NoTrans, matrix.NoTrans, 1/n, G, X, 0, grads.W1) // (m×n)·(n×d)
	matrix.AddScaled(grads.W1, grads.W1, 2*lambda, net.W1)
}

// ReLU is the report's ReLu (section 2.4, equation 1): H = max(0, S1)
// element-wise. H and S1 are both m×n and may be the same matrix. The
// forward pass computes it in place over S1, with the bias, in
// biasReLURows. It panics if the shapes differ.
func ReLU(H, S1 *matrix.Dense) {
	if H.Rows() != S1.Rows() || H.Cols() != S1.Cols() {
		panic(fmt.Sprintf("network.ReLU: H is %d×%d, S1 %d×%d", H.Rows(), H.Cols(), S1.Rows(), S1.Cols()))
	}
	for i := range H.Rows() {
		h := H.Row(i)
		s := S1.Row(i)[:len(h)]
		for j := range h {
			h[j] = max(0, s[j])
		}
	}
}
