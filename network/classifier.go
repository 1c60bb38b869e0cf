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
// Predict, which work in chunks. Its body, workspace.forward, is the
// forward pass that training and evaluation run, on memory they allocate
// once. It panics if X's width is not net's d.
func EvaluateClassifier(net *Params, X *matrix.Dense) (P, H *matrix.Dense) {
	net.mustCheck("network.EvaluateClassifier")
	if d, _, _ := net.Dims(); X.Cols() != d {
		panic(fmt.Sprintf("network.EvaluateClassifier: images have %d values but the network takes %d", X.Cols(), d))
	}
	w := newWorkspace(net, X.Rows(), false)
	w.forward(net, X)
	return w.P, w.H
}

// workspace holds the activations of one forward pass over n images and the
// scratch of its backward pass, so that a training step allocates nothing.
type workspace struct {
	H    *matrix.Dense // m×n: S1 = W1·Xᵀ + b1·1ᵀ, then H = max(0, S1) in place
	S    *matrix.Dense // K×n: the scores S = W2·H + b2·1ᵀ
	P    *matrix.Dense // K×n: P = softmax(S); the backward pass turns it into G = P − Y
	GH   *matrix.Dense // m×n: the gradient passed back to the first layer (nil if forward only)
	M    *matrix.Dense // m×n: a training step's dropout mask, applied to H (nil: no dropout)
	cols columnStats   // per image: its largest score, that score's class and Σ_k exp(S_k − max)

	// What the passes over rows read besides the activations (see forward).
	net *Params   // the network of the forward pass
	db1 []float64 // where the backward pass writes ∂J/∂b1
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

// forward is the forward pass of EvaluateClassifier on the n images of X
// (n×d, n the workspace's size: a matrix, or images read from a Data as
// the first layer's product needs them), layer by layer: the first leaves
// H in w.H (H ⊙ M when the workspace holds a dropout mask M, in training),
// the second the scores in w.S, and the softmax P in w.P, with the column
// statistics in w.cols that the loss and the accuracy read.
//
// The products run on every core (matrix.Gemm), and so does the
// element-wise work between them: each layer's element-wise work is one
// pass over chunks of rows (or, for the softmax, columns), a plain function
// of the workspace handed to matrix.ParallelFor. Every row's (column's)
// result is computed by one goroutine in a fixed order, so results are
// bitwise the same at any GOMAXPROCS.
func (w *workspace) forward(net *Params, X matrix.RowReader) {
	w.firstLayerForward(net, X)       // S1 = W1·Xᵀ + b1·1ᵀ, H = max(0, S1)
	secondLayerForward(w.S, net, w.H) // S = W2·H + b2·1ᵀ
	w.softmaxForward()                // P = softmax(S)
}

// passChunk is about how many entries a chunk of a pass holds; a pass of
// fewer runs on the calling goroutine alone (a hand-off costs about a
// microsecond, the work of a few thousand entries; docs/performance.md has
// the measurements).
const passChunk = 4096

// chunkOf returns the lines (rows or columns) per chunk for a pass over
// lines lines of width entries each: chunks of about passChunk entries, as
// nearly equal as whole lines allow.
func chunkOf(lines, width int) int {
	chunks := max(1, lines*width/passChunk)
	return (lines + chunks - 1) / chunks
}
