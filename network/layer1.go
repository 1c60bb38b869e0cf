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
// Each forward pass below is followed by its backward pass.

// firstLinearForward computes S1 = W1·Xᵀ + b1·1ᵀ (m×n): W1 is m×d, X is n×d
// with one image per row (hence the transpose), b1 has m entries.
func firstLinearForward(S1 *matrix.Dense, net *Params, X *matrix.Dense) {
	matrix.MulABt(S1, net.W1, X) // (m×d)·(n×d)ᵀ = m×n
	matrix.AddColVector(S1, S1, net.B1)
}

// firstLinearBackward is the backward pass of S1 = W1·Xᵀ + b1·1ᵀ, the
// report's steps 5 and 6 with the gradient of the L2 term: G (m×n) is the
// gradient that reached S1 (times n, see softmaxCrossEntropyBackward) and
// X is n×d, so
//
//	∂J/∂W1 = (1/n)·G·X + 2λ·W1   m×d  (the report's G·Xᵀ, with X one image per row)
//	∂J/∂b1 = (1/n)·G·1           m
func firstLinearBackward(grads *Grads, net *Params, G, X *matrix.Dense, lambda float64) {
	n := float64(G.Cols())
	matrix.Gemm(matrix.NoTrans, matrix.NoTrans, 1/n, G, X, 0, grads.W1) // (m×n)·(n×d)
	matrix.AddScaled(grads.W1, grads.W1, 2*lambda, net.W1)
	matrix.RowSums(grads.B1, G)
	scaleVec(grads.B1, 1/n)
}

// firstLinearStep is firstLinearBackward fused with the gradient-descent
// step on W1, for training: with ∂J/∂W1 = (1/n)·G·X + 2λ·W1,
//
//	W1 ← W1 − η·∂J/∂W1 = (1 − 2ηλ)·W1 − (η/n)·G·X   m×d
//	∂J/∂b1 = (1/n)·G·1                               m
//
// The first line is one product C = α·G·X + β·C with C = W1, α = −η/n and
// β = 1 − 2ηλ, so that W1, the largest parameter by far, is read and
// written once, by the product's goroutines, instead of in three passes
// (the product, the weight decay, the update), and ∂J/∂W1 is never stored.
// It rounds differently from firstLinearBackward followed by the update
// (the same terms, grouped otherwise), by about one unit in the last place
// of W1 per step.
func firstLinearStep(grads *Grads, net *Params, G, X *matrix.Dense, lambda, eta float64) {
	n := float64(G.Cols())
	matrix.Gemm(matrix.NoTrans, matrix.NoTrans, -eta/n, G, X, 1-2*eta*lambda, net.W1) // (m×n)·(n×d)
	matrix.RowSums(grads.B1, G)
	scaleVec(grads.B1, 1/n)
}

// ReLU is the report's ReLu (section 2.4, equation 1): H = max(0, S1)
// element-wise. H and S1 are both m×n and may be the same matrix (training
// computes H in place over S1). It panics if the shapes differ.
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

// reluBackward is the backward pass of H = max(0, S1), the second half of the
// report's step 4: G ← G ⊙ Ind(H > 0), in place, G and H m×n. An entry of
// the gradient passes where the unit was active and is 0 elsewhere (H > 0
// exactly where S1 > 0).
func reluBackward(G, H *matrix.Dense) {
	for i := range G.Rows() {
		g := G.Row(i)
		h := H.Row(i)[:len(g)]
		for j := range g {
			if !(h[j] > 0) {
				g[j] = 0
			}
		}
	}
}

// scaleVec multiplies every entry of v by a.
func scaleVec(v []float64, a float64) {
	for i := range v {
		v[i] *= a
	}
}
