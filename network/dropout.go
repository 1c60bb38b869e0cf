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

// dropoutRow applies row i of the mask to row i of an m×n matrix, in
// place: a_j ← a_j·m_j, with a and m of the same length (m may be longer).
// It is both passes of dropout, run in the first layer's passes over rows
// (firstLayerRows, firstLayerBackRows):
//
//	forward:  H ← H ⊙ M   m×n  (after the ReLU)
//	backward: G ← G ⊙ M   m×n  (the gradient that reached H ⊙ M, before the ReLU's mask)
//
// Below the mask, the ReLU's backward pass uses Ind(H ⊙ M > 0), which
// differs from Ind(H > 0) only where M is 0, where G already is.
func dropoutRow(a, m []float64) {
	m = m[:len(a)]
	for j := range a {
		a[j] *= m[j]
	}
}
