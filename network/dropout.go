package network

import (
	"math/rand/v2"

	"twolayer/matrix"
)

// drawDropoutMask fills M (m×n) with an inverted-dropout mask of keep
// probability p: each entry independently, in row order,
//
//	M_ij = 1/p with probability p, 0 otherwise  (u_ij uniform in [0, 1): M_ij = 1/p if u_ij < p),
//
// so that E[M_ij] = 1 and a unit's expected output is the same with and
// without dropout; the uniforms come from r.
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

// dropoutForward applies an inverted-dropout mask to the hidden layer at
// training time:
//
//	H ← H ⊙ M   m×n (M from drawDropoutMask; at evaluation no mask is applied)
func dropoutForward(h, M *matrix.Dense) { matrix.MulElem(h, h, M) }

// dropoutBackward is the backward pass of H ⊙ M: the gradient with respect
// to the H before dropout is the gradient with respect to the one after,
// times the same mask:
//
//	G_H ← G_H ⊙ M   m×n
func dropoutBackward(gh, M *matrix.Dense) { matrix.MulElem(gh, gh, M) }
