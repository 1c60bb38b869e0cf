package network

import (
	"fmt"

	"twolayer/matrix"
)

// EvaluateClassifier is the report's EvaluateClassifier (section 2.6,
// equation 3) for n images, X n×d with one image per row:
//
//	S1 = W1·Xᵀ + b1·1ᵀ, H = max(0, S1)   m×n   (first layer)
//	S  = W2·H + b2·1ᵀ                    K×n   (second layer)
//	P  = softmax(S)                      K×n
//
// It returns P and the hidden activations H that the backward pass needs,
// both allocated for all n images at once: for a large set use Evaluate or
// Predict, which work in chunks. Training runs the same forward pass,
// workspace.evaluateClassifier, on memory it allocated once. It panics if
// X's width is not net's d.
func EvaluateClassifier(net *Params, X *matrix.Dense) (P, H *matrix.Dense) {
	net.mustCheck("network.EvaluateClassifier")
	if d, _, _ := net.Dims(); X.Cols() != d {
		panic(fmt.Sprintf("network.EvaluateClassifier: images have %d values but the network takes %d", X.Cols(), d))
	}
	w := newWorkspace(net, X.Rows(), false)
	w.evaluateClassifier(net, X)
	return w.P, w.H
}

// workspace holds the activations of one forward pass over n images and the
// scratch of its backward pass, so that a training step allocates nothing,
// and the element-wise passes over them (see passes.go).
type workspace struct {
	H    *matrix.Dense // m×n: S1 = W1·Xᵀ + b1·1ᵀ, then H = max(0, S1) in place
	S    *matrix.Dense // K×n: the scores S = W2·H + b2·1ᵀ
	P    *matrix.Dense // K×n: P = softmax(S); the backward pass turns it into G = P − Y
	GH   *matrix.Dense // m×n: the gradient passed back to the first layer (nil if forward only)
	M    *matrix.Dense // m×n: a training step's dropout mask, applied to H (nil: no dropout)
	cols columnStats   // per image: its largest score, that score's class and Σ_k exp(S_k − max)

	// The operands the passes (see passes.go) read besides the activations.
	net *Params   // the network of the forward pass
	db1 []float64 // where ∂J/∂b1 goes
}

// newWorkspace allocates a workspace for n images and net's dimensions, with
// the backward pass's scratch if backward is set.
func newWorkspace(net *Params, n int, backward bool) *workspace {
	_, m, k := net.Dims()
	w := &workspace{H: matrix.New(m, n), S: matrix.New(k, n), P: matrix.New(k, n), cols: newColumnStats(n)}
	if backward {
		w.GH = matrix.New(m, n)
	}
	return w
}

// firstColumns returns the workspace of the first n images (n at most w's), a
// forward-only view sharing w's memory.
func (w *workspace) firstColumns(n int) *workspace {
	cols := func(a *matrix.Dense) *matrix.Dense { return a.Slice(0, a.Rows(), 0, n) }
	return &workspace{H: cols(w.H), S: cols(w.S), P: cols(w.P), cols: w.cols.slice(n)}
}

// evaluateClassifier is the forward pass of EvaluateClassifier on the n
// images of X (n×d, n the workspace's size): the first layer leaves H in w.H
// (H ⊙ M when the workspace holds a dropout mask M, in training),
// the second the scores in w.S, and the softmax P in w.P, with the column
// statistics in w.cols for crossEntropySum and correct. The element-wise
// work runs on every core, in chunks (see passes.go).
func (w *workspace) evaluateClassifier(net *Params, X *matrix.Dense) {
	w.firstLayerForward(net, X)                                       // S1 = W1·Xᵀ + b1·1ᵀ, H = max(0, S1)
	secondLinearForward(w.S, net, w.H)                                // S = W2·H + b2·1ᵀ
	byColumns(w.S.Rows(), w.S.Cols(), w, (*workspace).softmaxColumns) // P = softmax(S)
}

// softmaxColumns is columnStats.softmax on columns lo..hi−1 of w.S into
// w.P (a pass).
func (w *workspace) softmaxColumns(lo, hi int) { w.cols.softmax(w.P, w.S, lo, hi) }

// crossEntropySum returns Σ_i −log P[y_i][i] over the images of the last
// evaluateClassifier, y their labels.
func (w *workspace) crossEntropySum(y []int) float64 { return w.cols.crossEntropySum(w.S, y) }

// correct returns the number of the images of the last evaluateClassifier
// whose most probable class is their label y_i.
func (w *workspace) correct(y []int) int { return w.cols.correct(y) }
