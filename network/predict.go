package network

import (
	"fmt"

	"twolayer/matrix"
)

// Predict classifies the n images of X (n×d, one per row; n = 1 for a single
// image): probs (n×K) holds row by row the transpose of EvaluateClassifier's
// P = softmax(W2·max(0, W1·Xᵀ + b1·1ᵀ) + b2·1ᵀ) (K×n), and labels[i] is
// the class of the highest score S[k][i], hence of the highest probability
// (the first class on ties). It works EvalChunk images at a time. It panics
// if X's width is not p's d.
func Predict(p *Params, X *matrix.Dense) (labels []int, probs *matrix.Dense) {
	p.mustCheck("network.Predict")
	d, _, k := p.Dims()
	if X.Cols() != d {
		panic(fmt.Sprintf("network.Predict: images have %d values but the network takes %d", X.Cols(), d))
	}
	n := X.Rows()
	labels, probs = make([]int, n), matrix.New(n, k)
	if n == 0 {
		return labels, probs
	}
	e := newEvaluator(p, min(n, EvalChunk))
	for i0 := 0; i0 < n; i0 += EvalChunk {
		i1 := min(i0+EvalChunk, n)
		w := e.work(i1 - i0)
		w.forward(p, X.RowRange(i0, i1))
		w.softmax(nil)
		copy(labels[i0:i1], w.c.arg[:i1-i0])
		for c := 0; c < k; c++ {
			for i, v := range w.p.Row(c) {
				probs.Row(i0 + i)[c] = v
			}
		}
	}
	return labels, probs
}
