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
// if X's width is not net's d.
func Predict(net *Params, X *matrix.Dense) (labels []int, probs *matrix.Dense) {
	return PredictData(net, Set{X: X, Labels: make([]int, X.Rows())}) // labels unread
}

// PredictData is Predict on the n images of data (their labels are not
// read), loaded EvalChunk images at a time.
func PredictData(net *Params, data Data) (labels []int, probs *matrix.Dense) {
	net.mustCheck("network.Predict")
	d, _, k := net.Dims()
	if data.Dim() != d {
		panic(fmt.Sprintf("network.Predict: images have %d values but the network takes %d", data.Dim(), d))
	}
	n := data.Len()
	labels, probs = make([]int, n), matrix.New(n, k)
	if n == 0 {
		return labels, probs
	}
	e := newEvaluator(net, min(n, EvalChunk))
	for i0 := 0; i0 < n; i0 += EvalChunk {
		X, w := e.chunk(min(EvalChunk, n-i0))
		e.load.load(data, X, e.y[:X.Rows()], i0)
		w.forward(net, X)
		copy(labels[i0:], w.cols.arg)
		for c := range k {
			for i, v := range w.P.Row(c) {
				probs.Row(i0 + i)[c] = v
			}
		}
	}
	return labels, probs
}
