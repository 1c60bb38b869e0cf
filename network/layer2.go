package network

import "twolayer/matrix"

// The second layer: a linear map of the hidden activations,
//
//	S = W2·H + b2·1ᵀ   K×n   (W2 K×m, H m×n, b2 K)
//
// its forward pass, then its backward pass.

// secondLayerForward computes the scores S = W2·H + b2·1ᵀ (K×n): W2 is K×m,
// H is m×n, b2 has K entries.
func secondLayerForward(S *matrix.Dense, net *Params, H *matrix.Dense) {
	matrix.Mul(S, net.W2, H) // (K×m)·(m×n) = K×n
	matrix.AddColVector(S, S, net.B2)
}

// secondLayerBackward is the backward pass of S = W2·H + b2·1ᵀ, the report's
// steps 2, 3 and the first half of 4, with the gradient of the L2 term: G
// (K×n) is the gradient that reached S (times n), H is m×n, and GH (m×n)
// receives the gradient passed down to H:
//
//	∂J/∂W2 = (1/n)·G·Hᵀ + 2λ·W2   K×m
//	∂J/∂b2 = (1/n)·G·1            K
//	GH     = W2ᵀ·G                m×n
func secondLayerBackward(grads *Grads, GH *matrix.Dense, net *Params, G, H *matrix.Dense, lambda float64) {
	n := float64(G.Cols())
	matrix.Gemm(matrix.NoTrans, matrix.Trans, 1/n, G, H, 0, grads.W2) // (K×n)·(m×n)ᵀ
	matrix.AddScaled(grads.W2, grads.W2, 2*lambda, net.W2)
	matrix.RowSums(grads.B2, G)
	for k := range grads.B2 {
		grads.B2[k] *= 1 / n
	}
	matrix.MulAtB(GH, net.W2, G) // (K×m)ᵀ·(K×n) = m×n
}
