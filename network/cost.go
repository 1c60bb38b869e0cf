package network

import (
	"fmt"
	"math"

	"twolayer/cifar"
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

// ComputeCost is the report's ComputeCost (section 2.7): for the n images of
// s (X n×d),
//
//	loss = (1/n) Σ_i −log P[y_i][i]  (cross-entropy, P = EvaluateClassifier's K×n)
//	cost = loss + λ(‖W1‖² + ‖W2‖²)   (sums of squared entries; biases not regularised)
//
// −log P[y_i][i] is taken from the log-softmax, so a tiny probability does not
// turn into log 0. It is Evaluate's cost and loss. It panics as Evaluate does.
func ComputeCost(net *Params, s cifar.Set, lambda float64) (cost, loss float64) {
	m := Evaluate(net, s, lambda)
	return m.Cost, m.Loss
}

// ComputeAccuracy is the report's ComputeAccuracy (section 2.8): the fraction
// of the images of s whose most probable class argmax_k P[k][i] is their
// label y_i (the first class on ties). It is Evaluate's accuracy. It panics
// as Evaluate does.
func ComputeAccuracy(net *Params, s cifar.Set) float64 { return Evaluate(net, s, 0).Accuracy }

// EvalChunk is the number of images Evaluate pushes through the network at a
// time: its memory use is about (m + 2K)·EvalChunk float64s whatever the size
// of the set.
const EvalChunk = 1000

// Evaluate returns ComputeCost's cost and loss and ComputeAccuracy's
// accuracy on the whole set s from one forward pass (training records its
// metrics with it, at the price of one pass for the three), EvalChunk images
// at a time:
//
//	loss = (1/n) Σ_i −log P[y_i][i],  J = loss + λ(‖W1‖² + ‖W2‖²)
//	accuracy = (1/n) #{i : argmax_k P[k][i] = y_i}
//
// An empty set gives zero Metrics. It panics if s does not fit net (width d,
// one label per image, labels in 0..K−1).
func Evaluate(net *Params, s cifar.Set, lambda float64) Metrics {
	net.mustCheck("network.Evaluate")
	if s.Len() == 0 {
		return Metrics{}
	}
	if err := checkSet(net, s, "evaluated"); err != nil {
		panic("network.Evaluate: " + err.Error())
	}
	return newEvaluator(net, min(s.Len(), EvalChunk)).evaluate(net, s, lambda)
}

// l2 returns ‖W1‖² + ‖W2‖², the sum of the squared weights.
func (net *Params) l2() float64 { return matrix.SumSquares(net.W1) + matrix.SumSquares(net.W2) }

// evaluator is a reusable workspace for evaluating sets chunk by chunk.
type evaluator struct {
	full *workspace // chunk images
	last *workspace // the first columns of full, for a shorter last chunk; rebuilt when its size changes
}

func newEvaluator(net *Params, chunk int) *evaluator {
	return &evaluator{full: newWorkspace(net, chunk, false)}
}

// work returns a workspace for n ≤ chunk images; it allocates only when n
// differs from the chunk size and from the previous call's.
func (e *evaluator) work(n int) *workspace {
	if n == e.full.H.Cols() {
		return e.full
	}
	if e.last == nil || e.last.H.Cols() != n {
		e.last = e.full.firstColumns(n)
	}
	return e.last
}

// evaluate returns the Metrics of net on s (s non-empty and checked): the
// forward pass of each chunk, then its summed cross-entropy and its number
// of correctly classified images.
func (e *evaluator) evaluate(net *Params, s cifar.Set, lambda float64) Metrics {
	n, chunk := s.Len(), e.full.H.Cols()
	lossSum, correct := 0.0, 0
	for i0 := 0; i0 < n; i0 += chunk {
		i1 := min(i0+chunk, n)
		w := e.work(i1 - i0)
		y := s.Labels[i0:i1]
		w.evaluateClassifier(net, s.X.RowRange(i0, i1))
		lossSum += w.crossEntropySum(y)
		correct += w.correct(y)
	}
	loss := lossSum / float64(n)
	cost := loss
	if lambda != 0 {
		cost += lambda * net.l2()
	}
	return Metrics{Cost: cost, Loss: loss, Accuracy: float64(correct) / float64(n)}
}

// finiteCost reports whether the cost is a finite number.
func (m Metrics) finiteCost() bool { return !math.IsNaN(m.Cost) && !math.IsInf(m.Cost, 0) }

// checkSet returns an error unless s fits net: d columns, one label per row,
// each in 0..K−1. name says which set it is in the message.
func checkSet(net *Params, s cifar.Set, name string) error {
	d, _, k := net.Dims()
	if s.X == nil {
		return fmt.Errorf("the %s set has no images", name)
	}
	if s.X.Cols() != d {
		return fmt.Errorf("the %s set has %d values per image but the network takes %d", name, s.X.Cols(), d)
	}
	if len(s.Labels) != s.X.Rows() {
		return fmt.Errorf("the %s set has %d images but %d labels", name, s.X.Rows(), len(s.Labels))
	}
	for i, y := range s.Labels {
		if y < 0 || y >= k {
			return fmt.Errorf("the %s set's label %d (image %d) is outside 0..%d", name, y, i, k-1)
		}
	}
	return nil
}
