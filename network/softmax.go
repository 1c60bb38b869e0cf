package network

import (
	"fmt"
	"math"

	"twolayer/matrix"
)

// The output: the softmax of the scores and the cross-entropy loss,
//
//	P = softmax(S)                 K×n   (column by column)
//	loss = (1/n) Σ_i −log P[y_i][i]
//
// and their backward pass, G = P − Y.

// Softmax is the report's Softmax (section 2.5, equation 2), column by
// column: P[:, i] = exp(S[:, i]) / (1ᵀ·exp(S[:, i])), P and S K×n; P may be
// S. It allocates its scratch (three n-vectors); the forward pass runs the
// same computation, columnStats.softmax, on a workspace's scratch and on
// every core (workspace.softmaxForward). It panics if the shapes differ.
func Softmax(P, S *matrix.Dense) {
	if P.Rows() != S.Rows() || P.Cols() != S.Cols() {
		panic(fmt.Sprintf("network.Softmax: P is %d×%d, S %d×%d", P.Rows(), P.Cols(), S.Rows(), S.Cols()))
	}
	newColumnStats(S.Cols()).softmax(P, S, 0, S.Cols())
}

// softmaxForward computes P = softmax(S) from w.S into w.P, in chunks of
// columns on every core (softmaxColumns), keeping the column statistics
// in w.cols for the loss and the accuracy.
func (w *workspace) softmaxForward() {
	k, n := w.S.Dims()
	matrix.ParallelFor(n, chunkOf(n, k), w, softmaxColumns)
}

// softmaxColumns is columnStats.softmax on columns lo..hi−1 of w.S into w.P
// (a pass).
func softmaxColumns(w *workspace, lo, hi int) { w.cols.softmax(w.P, w.S, lo, hi) }

// columnStats is the scratch of the column-wise softmax of a K×n matrix S
// and what the cross-entropy and the accuracy read from it afterwards: for
// each column i, M_i = max_k S[k][i], the first class k that reaches it, and
// Σ_k exp(S[k][i] − M_i).
type columnStats struct {
	max, sum []float64 // n
	arg      []int     // n
}

func newColumnStats(n int) columnStats {
	return columnStats{max: make([]float64, n), sum: make([]float64, n), arg: make([]int, n)}
}

// slice returns the stats of the first n columns, sharing memory with c.
func (c columnStats) slice(n int) columnStats {
	return columnStats{max: c.max[:n], sum: c.sum[:n], arg: c.arg[:n]}
}

// softmax computes P = softmax(S) on the columns lo..hi−1 (P may be S) and
// keeps each column's M_i, argmax and Σ_k exp(S[k][i] − M_i) in c.
// Subtracting M_i before exp leaves P unchanged and keeps exp from
// overflowing. It works row by row, so each pass reads contiguous memory;
// each column's sum runs over k in increasing order. c must have S's n
// columns.
func (c columnStats) softmax(P, S *matrix.Dense, lo, hi int) {
	k := S.Rows()
	mx, sum, arg := c.max[lo:hi], c.sum[lo:hi], c.arg[lo:hi]
	copy(mx, S.Row(0)[lo:hi])
	clear(arg)
	for r := 1; r < k; r++ {
		for i, v := range S.Row(r)[lo:hi] {
			if v > mx[i] { // strictly: the first class wins a tie
				mx[i], arg[i] = v, r
			}
		}
	}
	clear(sum)
	for r := range k {
		p := P.Row(r)[lo:hi]
		for i, v := range S.Row(r)[lo:hi] {
			e := math.Exp(v - mx[i])
			p[i] = e
			sum[i] += e
		}
	}
	for r := range k {
		p := P.Row(r)[lo:hi]
		for i := range p {
			p[i] /= sum[i]
		}
	}
}

// crossEntropySum returns Σ_i −log P[y_i][i] for the labels y of the columns
// of S, after softmax has run on S. It takes −log P[y_i][i] from the
// log-softmax, log Σ_k exp(S[k][i] − M_i) − (S[y_i][i] − M_i), so that a tiny
// probability does not underflow to log 0.
func (c columnStats) crossEntropySum(S *matrix.Dense, y []int) float64 {
	sum := 0.0
	for i, yi := range y {
		sum += math.Log(c.sum[i]) - (S.At(yi, i) - c.max[i])
	}
	return sum
}

// correct returns the number of columns whose largest score, hence largest
// probability, is at row y_i (the first class wins a tie), after softmax.
func (c columnStats) correct(y []int) int {
	n := 0
	for i, yi := range y {
		if c.arg[i] == yi {
			n++
		}
	}
	return n
}

// softmaxCrossEntropyBackward is the backward pass of the softmax and the
// cross-entropy together, the report's step 1: G = P − Y (K×n), in place
// on P, Y the one-hot matrix of the labels y. Only G[y_i][i] changes (by −1),
// so Y is never built. This is n times ∂loss/∂S: the layers below apply the
// mean's 1/n to the weights' gradients.
func softmaxCrossEntropyBackward(P *matrix.Dense, y []int) {
	for i, yi := range y {
		P.Row(yi)[i] -= 1
	}
}
