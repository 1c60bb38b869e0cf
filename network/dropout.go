package network

import (
	"math/rand/v2"

	"twolayer/matrix"
)

// Inverted dropout on the hidden layer, at training time only:
//
//	H ← H ⊙ M   m×n,  M_ij = 1/p with probability p, else 0
//
// between the ReLU and the second layer. Each hidden unit is kept with
// probability p (the keep probability, Config.KeepProb) independently for
// every image of every batch, and the kept ones are scaled by 1/p so that
// E[H ⊙ M] = H: evaluation then uses the network as it is, with no mask and
// no rescaling. A training workspace holds the batch's mask in workspace.M.

// drawDropoutMask fills M (m×n) with a new mask of keep probability p, entry
// by entry in row order from r: M_ij = 1/p if u_ij < p, else 0, with u_ij
// uniform in [0, 1).
func drawDropoutMask(M *matrix.Dense, p float64, r *rand.Rand) {
	inv := 1 / p
	for i := range M.Rows() {
		row := M.Row(i)
		for j := range row {
			if r.Float64() < p {
				row[j] = inv
			} else {
				row[j] = 0
			}
		}
	}
}

// dropoutForward applies the mask: H ← H ⊙ M, both m×n.
func dropoutForward(H, M *matrix.Dense) { mulInPlace(H, M) }

// dropoutBackward is the backward pass of H ⊙ M: the gradient G (m×n) that
// reached the masked activations is passed down to the unmasked ones times
// the same mask, G ← G ⊙ M. (The ReLU's backward pass below it then uses
// Ind(H ⊙ M > 0), which differs from Ind(H > 0) only where M is 0, where G
// already is.)
func dropoutBackward(G, M *matrix.Dense) { mulInPlace(G, M) }

// mulInPlace computes A ← A ⊙ B, element-wise, A and B of the same shape.
func mulInPlace(A, B *matrix.Dense) {
	for i := range A.Rows() {
		a := A.Row(i)
		b := B.Row(i)[:len(a)]
		for j := range a {
			a[j] *= b[j]
		}
	}
}
