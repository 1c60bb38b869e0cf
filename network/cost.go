package network

import (
	"math"

	"twolayer/matrix"
)

// Metrics are the cost J, the loss (J without the λ term) and the accuracy
// (the fraction of images whose highest-scoring class is their label) of a
// network on a set.
type Metrics struct {
	Cost     float64 `json:"cost"`
	Loss     float64 `json:"loss"`
	Accuracy float64 `json:"accuracy"`
}

// ComputeCost is the report's ComputeCost (section 2.7): for the n images X
// (n×d, one per row) with labels y,
//
//	loss = (1/n) Σ_i −log P[y_i][i]  (cross-entropy, P = EvaluateClassifier's K×n)
//	cost = loss + λ(‖W1‖² + ‖W2‖²)   (sums of squared entries; biases not regularised)
//
// −log P[y_i][i] is taken from the log-softmax, so a tiny probability does
// not turn into log 0. It runs the forward pass on all n images at once;
// training's recordings compute the same cost with Evaluate, in chunks and
// from the same forward pass as the accuracy. It panics if X and y do not
// fit net.
func ComputeCost(net *Params, X *matrix.Dense, y []int, lambda float64) (cost, loss float64) {
	w := forwardOn(net, X, y, "network.ComputeCost")
	loss = w.cols.crossEntropySum(w.S, y) / float64(len(y))
	cost = loss
	if lambda != 0 {
		cost += lambda * net.l2()
	}
	return cost, loss
}

// ComputeAccuracy is the report's ComputeAccuracy (section 2.8): the fraction
// of the n images X (n×d) whose most probable class argmax_k P[k][i] is their
// label y_i (the first class on ties). Like ComputeCost it runs the forward
// pass on all n images at once; training's recordings use Evaluate. It
// panics if X and y do not fit net.
func ComputeAccuracy(net *Params, X *matrix.Dense, y []int) float64 {
	w := forwardOn(net, X, y, "network.ComputeAccuracy")
	return float64(w.cols.correct(y)) / float64(len(y))
}

// forwardOn checks X and y (n ≥ 1 images) against net and runs the forward
// pass on them in a new workspace. op names the caller in a panic.
func forwardOn(net *Params, X *matrix.Dense, y []int, op string) *workspace {
	net.mustCheck(op)
	if err := checkSet(net, X, y, "evaluated"); err != nil {
		panic(op + ": " + err.Error())
	}
	if len(y) == 0 {
		panic(op + ": no images")
	}
	w := newWorkspace(net, X.Rows(), false)
	w.forward(net, X)
	return w
}

// l2 returns ‖W1‖² + ‖W2‖², the sum of the squared weights.
func (net *Params) l2() float64 { return matrix.SumSquares(net.W1) + matrix.SumSquares(net.W2) }

// EvalChunk is the number of images Evaluate pushes through the network at a
// time: its memory use is about (d + m + 2K)·EvalChunk float64s whatever the
// size of the set.
const EvalChunk = 1000

// Evaluate returns ComputeCost's cost and loss and ComputeAccuracy's
// accuracy on the whole of data from one forward pass, EvalChunk images at
// a time (training records its metrics with it):
//
//	loss = (1/n) Σ_i −log P[y_i][i],  J = loss + λ(‖W1‖² + ‖W2‖²)
//	accuracy = (1/n) #{i : argmax_k P[k][i] = y_i}
//
// The sum of the loss runs chunk by chunk, so for n > EvalChunk its last
// bits may differ from ComputeCost's. An empty set gives zero Metrics. It
// panics if data does not fit net (d values per image, labels in 0..K−1).
func Evaluate(net *Params, data Data, lambda float64) Metrics {
	net.mustCheck("network.Evaluate")
	if data.Len() == 0 {
		return Metrics{}
	}
	if err := checkData(net, data, "evaluated"); err != nil {
		panic("network.Evaluate: " + err.Error())
	}
	return newEvaluator(net, min(data.Len(), EvalChunk)).evaluate(net, data, data.Len(), lambda, nil)
}

// evaluator is the memory for evaluating sets chunk by chunk: the labels of
// a chunk, and the workspace of its forward pass. The images themselves
// are never stored: the first layer's product reads them from the Data, a
// block of each image at a time, as it packs them (matrix.MulABtRows), and
// images held as bytes normalise themselves straight into the packed
// blocks (dataRows.ReadSliver, cifar.Images.Sliver).
type evaluator struct {
	y    []int      // the labels of a chunk
	w    *workspace // for chunk images
	last *workspace // the first columns of w, for a shorter last chunk; rebuilt when its size changes
}

// newEvaluator returns an evaluator for chunks of chunk images for net.
func newEvaluator(net *Params, chunk int) *evaluator {
	return &evaluator{y: make([]int, chunk), w: newWorkspace(net, chunk, false)}
}

// chunk returns the workspace for a chunk of n ≤ the evaluator's chunk
// images; it allocates only when n differs from the chunk size and from the
// previous call's.
func (e *evaluator) chunk(n int) *workspace {
	if n == len(e.y) {
		return e.w
	}
	if e.last == nil || e.last.H.Cols() != n {
		cols := func(a *matrix.Dense) *matrix.Dense { return a.Slice(0, a.Rows(), 0, n) }
		e.last = &workspace{H: cols(e.w.H), S: cols(e.w.S), P: cols(e.w.P), cols: e.w.cols.slice(n)}
	}
	return e.last
}

// evaluate returns the Metrics of net on the first n images of data (n ≥ 1,
// data checked): for each chunk, the forward pass on its images, then its
// summed cross-entropy and its number of correctly classified images. When
// predicted is not nil (n entries), it also receives each image's most
// probable class.
func (e *evaluator) evaluate(net *Params, data Data, n int, lambda float64, predicted []int) Metrics {
	lossSum, correct := 0.0, 0
	for i0 := 0; i0 < n; i0 += len(e.y) {
		w := e.chunk(min(len(e.y), n-i0))
		y := e.y[:w.H.Cols()]
		for i := range y {
			y[i] = data.Label(i0 + i)
		}
		w.forward(net, dataRows{data, i0})
		lossSum += w.cols.crossEntropySum(w.S, y)
		correct += w.cols.correct(y)
		if predicted != nil {
			copy(predicted[i0:], w.cols.arg)
		}
	}
	loss := lossSum / float64(n)
	cost := loss
	if lambda != 0 {
		cost += lambda * net.l2()
	}
	return Metrics{Cost: cost, Loss: loss, Accuracy: float64(correct) / float64(n)}
}

// dataRows reads the images i0, i0+1, … of a Data as the rows of a matrix,
// for the first layer's product (matrix.MulABtRows).
type dataRows struct {
	data Data
	i0   int
}

// ReadRow writes values j, …, j+len(dst)−1 of image i0+i into dst.
func (r dataRows) ReadRow(dst []float64, i, j int) { r.data.Image(dst, r.i0+i, j) }

// sliverData is a Data that can write a block of w images transposed, as a
// product packs them (cifar.Images.Sliver).
type sliverData interface {
	Sliver(dst []float64, w, i0, j, kc int) bool
}

// ReadSliver writes values j, …, j+kc−1 of images i0+i, …, i0+i+w−1 into
// dst transposed (dst[p·w+r] = value j+p of image i0+i+r), when the Data can
// (matrix.SliverReader); it reports whether it did.
func (r dataRows) ReadSliver(dst []float64, w, i, j, kc int) bool {
	s, ok := r.data.(sliverData)
	return ok && s.Sliver(dst, w, r.i0+i, j, kc)
}

// finiteCost reports whether the cost is a finite number.
func (m Metrics) finiteCost() bool { return !math.IsNaN(m.Cost) && !math.IsInf(m.Cost, 0) }
