package network

import (
	"fmt"

	"twolayer/matrix"
)

// Predict classifies the n images of X (n×d, one per row; n = 1 for a single
// image): probs (n×K) holds row by row the transpose of EvaluateClassifier's
// P = softmax(W2·max(0, W1·Xᵀ + b1·1ᵀ) + b2·1ᵀ) (K×n), and labels[i] is
// the class of the highest score S[k][i], hence of the highest probability
// (the first class on ties). It works EvalChunk images at a time, each
// chunk's forward pass EvaluateClassifier's. It panics if X's width is not
// net's d.
func Predict(net *Params, X *matrix.Dense) (labels []int, probs *matrix.Dense) {
	return predict(net, X.Cols(), X.Rows(), func(i0, i1 int) matrix.RowReader { return X.RowRange(i0, i1) })
}

// PredictData is Predict on the n images of data (their labels are not
// read), EvalChunk images at a time, each read by the first layer's product
// as evaluations read them (matrix.MulABtRows).
func PredictData(net *Params, data Data) (labels []int, probs *matrix.Dense) {
	return predict(net, data.Dim(), data.Len(), func(i0, _ int) matrix.RowReader { return dataRows{data, i0} })
}

// predict classifies n images of d values, chunk by chunk, the images
// i0..i1−1 of a chunk read through images(i0, i1).
func predict(net *Params, d, n int, images func(i0, i1 int) matrix.RowReader) (labels []int, probs *matrix.Dense) {
	net.mustCheck("network.Predict")
	nd, _, k := net.Dims()
	if d != nd {
		panic(fmt.Sprintf("network.Predict: images have %d values but the network takes %d", d, nd))
	}
	labels, probs = make([]int, n), matrix.New(n, k)
	if n == 0 {
		return labels, probs
	}
	e := newEvaluator(net, min(n, EvalChunk))
	for i0 := 0; i0 < n; i0 += EvalChunk {
		i1 := min(i0+EvalChunk, n)
		w := e.chunk(i1 - i0)
		w.forward(net, images(i0, i1))
		copy(labels[i0:], w.cols.arg)
		for c := range k {
			for i, v := range w.P.Row(c) {
				probs.Row(i0 + i)[c] = v
			}
		}
	}
	return labels, probs
}
