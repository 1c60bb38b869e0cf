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
// Each forward pass below is followed by its backward pass. The workspace
// runs the layer as firstLayerForward and firstLayerBackward: the products
// on every core, and the element-wise work (the bias, the ReLU and its
// mask, ∂J/∂b1) fused into one pass over the rows, on every core too (see
// passes.go).

// firstLayerForward computes the first layer on the n images of X into w.H
// (m×n), S1 = W1·Xᵀ + b1·1ᵀ and H = max(0, S1): the product, then the bias
// and the ReLU row by row (firstLayerRow), and in a training step with
// dropout the mask, H ← H ⊙ M (w.M, m×n; see dropout.go).
func (w *workspace) firstLayerForward(net *Params, X *matrix.Dense) {
	matrix.MulABt(w.H, net.W1, X) // (m×d)·(n×d)ᵀ = m×n
	w.net = net
	byRows(w.H.Rows(), w.H.Cols(), w, (*workspace).firstLayerRows)
}

// firstLayerRows is firstLayerRow on rows lo..hi−1 of w.H (a pass), and,
// in a training step with dropout, the mask after it: H ← H ⊙ M.
func (w *workspace) firstLayerRows(lo, hi int) {
	for i := lo; i < hi; i++ {
		firstLayerRow(w.H.Row(i), w.net.B1[i])
		if w.M != nil {
			dropoutRow(w.H.Row(i), w.M.Row(i))
		}
	}
}

// firstLayerRow turns row i of W1·Xᵀ into row i of H, in place: with
// s = W1·Xᵀ's row and b = b1[i], h_j = max(0, s_j + b).
func firstLayerRow(s []float64, b float64) {
	for j, v := range s {
		s[j] = max(0, v+b)
	}
}

// firstLinearWeights is the backward pass of S1 = W1·Xᵀ + b1·1ᵀ for W1, the
// report's step 5 with the gradient of the L2 term: G (m×n) is the gradient
// that reached S1 (times n, see softmaxCrossEntropyBackward) and X is n×d,
// so
//
//	∂J/∂W1 = (1/n)·G·X + 2λ·W1   m×d  (the report's G·Xᵀ, with X one image per row)
//
// (Step 6, ∂J/∂b1 = (1/n)·G·1, is computed in the pass of the ReLU's mask,
// firstLayerBackward.)
func firstLinearWeights(grads *Grads, net *Params, G, X *matrix.Dense, lambda float64) {
	n := float64(G.Cols())
	matrix.Gemm(matrix.NoTrans, matrix.NoTrans, 1/n, G, X, 0, grads.W1) // (m×n)·(n×d)
	matrix.AddScaled(grads.W1, grads.W1, 2*lambda, net.W1)
}

// firstLinearStep is firstLinearWeights fused with the gradient-descent
// step on W1, for training: with ∂J/∂W1 = (1/n)·G·X + 2λ·W1,
//
//	W1 ← W1 − η·∂J/∂W1 = (1 − 2ηλ)·W1 − (η/n)·G·X   m×d
//
// is one product C = α·G·X + β·C with C = W1, α = −η/n and β = 1 − 2ηλ, so
// that W1, the largest parameter by far, is read and written once, by the
// product's goroutines, instead of in three passes (the product, the weight
// decay, the update), and ∂J/∂W1 is never stored. It rounds differently
// from firstLinearWeights followed by the update (the same terms, grouped
// otherwise), by about one unit in the last place of W1 per step.
func firstLinearStep(net *Params, G, X *matrix.Dense, lambda, eta float64) {
	n := float64(G.Cols())
	matrix.Gemm(matrix.NoTrans, matrix.NoTrans, -eta/n, G, X, 1-2*eta*lambda, net.W1) // (m×n)·(n×d)
}

// ReLU is the report's ReLu (section 2.4, equation 1): H = max(0, S1)
// element-wise. H and S1 are both m×n and may be the same matrix (training
// computes H in place over S1, with the bias, in firstLayerForward). It
// panics if the shapes differ.
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

// firstLayerBackward is the backward pass of the ReLU and the bias, the
// second half of the report's step 4 and step 6: w.GH holds the gradient
// G (m×n, times n) that reached H, and
//
//	G ← G ⊙ Ind(H > 0)   m×n  (then the gradient that reaches S1)
//	∂J/∂b1 = (1/n)·G·1   m
//
// row by row (firstLayerBackRow), into grads.B1; in a training step with
// dropout, each row first passes back through the mask, G ← G ⊙ M.
func (w *workspace) firstLayerBackward(grads *Grads) {
	w.db1 = grads.B1
	byRows(w.GH.Rows(), w.GH.Cols(), w, (*workspace).firstLayerBackRows)
}

// firstLayerBackRows is firstLayerBackRow on rows lo..hi−1 (a pass),
// after, in a training step with dropout, the mask's backward pass
// G ← G ⊙ M.
func (w *workspace) firstLayerBackRows(lo, hi int) {
	for i := lo; i < hi; i++ {
		if w.M != nil {
			dropoutRow(w.GH.Row(i), w.M.Row(i))
		}
		w.db1[i] = firstLayerBackRow(w.GH.Row(i), w.H.Row(i))
	}
}

// firstLayerBackRow applies the ReLU's mask to row g of G, in place, with
// h the same row of H, g_j ← g_j if h_j > 0 else 0 (an entry of the
// gradient passes where the unit was active, and H > 0 exactly where
// S1 > 0), and returns (1/n)·Σ_j g_j, summed in increasing j and then
// multiplied by 1/n: ∂J/∂b1 of the row.
func firstLayerBackRow(g, h []float64) float64 {
	h = h[:len(g)]
	sum := 0.0
	for j := range g {
		if !(h[j] > 0) {
			g[j] = 0
		}
		sum += g[j]
	}
	return sum * (1 / float64(len(g)))
}

// scaleVec multiplies every entry of v by a.
func scaleVec(v []float64, a float64) {
	for i := range v {
		v[i] *= a
	}
}
