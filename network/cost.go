package network

import (
	"fmt"
	"math"

	"twolayer/matrix"
)

// Set is a labelled set of n images: X is n×d with one image per row, and
// Y[i] in 0..K−1 is the label of row i.
type Set struct {
	X *matrix.Dense // n×d
	Y []int         // n labels
}

// Len returns the number of images n (0 for an empty Set).
func (s Set) Len() int {
	if s.X == nil {
		return 0
	}
	return s.X.Rows()
}

// check returns an error unless s fits p: d columns, one label per row, each
// in 0..K−1. name says which set it is in the message.
func (s Set) check(p *Params, name string) error {
	d, _, k := p.Dims()
	if s.X == nil {
		return fmt.Errorf("the %s set has no images", name)
	}
	if s.X.Cols() != d {
		return fmt.Errorf("the %s set has %d values per image but the network takes %d", name, s.X.Cols(), d)
	}
	if len(s.Y) != s.X.Rows() {
		return fmt.Errorf("the %s set has %d images but %d labels", name, s.X.Rows(), len(s.Y))
	}
	for i, y := range s.Y {
		if y < 0 || y >= k {
			return fmt.Errorf("the %s set's label %d (image %d) is outside 0..%d", name, y, i, k-1)
		}
	}
	return nil
}

// Metrics are the cost J, the loss (J without the λ term) and the accuracy
// (the fraction of images whose highest-scoring class is their label) of a
// network on a set.
type Metrics struct{ Cost, Loss, Accuracy float64 }

// EvalChunk is the number of images Evaluate pushes through the network at a
// time: its memory use is about (2m + 2K)·EvalChunk float64s whatever the size
// of the set.
const EvalChunk = 1000

// Evaluate returns cost, loss and accuracy on the whole set s from one forward
// pass, EvalChunk images at a time:
//
//	loss = (1/n) Σ_i −log P[y_i][i],  J = loss + λ(‖W1‖² + ‖W2‖²)
//	accuracy = (1/n) #{i : argmax_k P[k][i] = y_i}
//
// An empty set gives zero Metrics. It panics if s does not fit p (width d,
// one label per image, labels in 0..K−1).
func Evaluate(p *Params, s Set, lambda float64) Metrics {
	p.mustCheck("network.Evaluate")
	if s.Len() == 0 {
		return Metrics{}
	}
	if err := s.check(p, "evaluated"); err != nil {
		panic("network.Evaluate: " + err.Error())
	}
	return newEvaluator(p, min(s.Len(), EvalChunk)).evaluate(p, s, lambda)
}

// ComputeCost is the report's ComputeCost (section 2.7): for the n images of
// s (X n×d),
//
//	loss = (1/n) Σ_i −log P[y_i][i]  (cross-entropy, P = EvaluateClassifier's K×n)
//	cost = loss + λ(‖W1‖² + ‖W2‖²)   (sums of squared entries; biases not regularised)
//
// −log P[y_i][i] is taken from the log-softmax, so a tiny probability does not
// turn into log 0. It panics as Evaluate does.
func ComputeCost(p *Params, s Set, lambda float64) (cost, loss float64) {
	m := Evaluate(p, s, lambda)
	return m.Cost, m.Loss
}

// ComputeAccuracy is the report's ComputeAccuracy (section 2.8): the fraction
// of the images of s whose most probable class argmax_k P[k][i] is their
// label y_i (the first class on ties). It panics as Evaluate does.
func ComputeAccuracy(p *Params, s Set) float64 { return Evaluate(p, s, 0).Accuracy }

// l2 returns ‖W1‖² + ‖W2‖², the sum of the squared weights.
func (p *Params) l2() float64 { return matrix.SumSquares(p.W1) + matrix.SumSquares(p.W2) }

// evaluator is a reusable workspace for evaluating sets chunk by chunk.
type evaluator struct {
	full *batchWork // chunk images
	last *batchWork // views of full for a shorter last chunk; rebuilt when its size changes
}

func newEvaluator(p *Params, chunk int) *evaluator {
	return &evaluator{full: newBatchWork(p, chunk, false)}
}

// work returns a workspace for n ≤ chunk images; it allocates only when n
// differs from the chunk size and from the previous call's.
func (e *evaluator) work(n int) *batchWork {
	if n == e.full.h.Cols() {
		return e.full
	}
	if e.last == nil || e.last.h.Cols() != n {
		f := e.full
		e.last = &batchWork{
			h: f.h.Slice(0, f.h.Rows(), 0, n), p: f.p.Slice(0, f.p.Rows(), 0, n), c: f.c,
		}
	}
	return e.last
}

// sums returns Σ_i −log P[y_i][i] and the number of correctly classified
// images over all of s, chunk by chunk.
func (e *evaluator) sums(p *Params, s Set) (lossSum float64, correct int) {
	n, chunk := s.Len(), e.full.h.Cols()
	for i0 := 0; i0 < n; i0 += chunk {
		i1 := min(i0+chunk, n)
		w := e.work(i1 - i0)
		w.forward(p, s.X.RowRange(i0, i1))
		l, c := w.softmax(s.Y[i0:i1])
		lossSum += l
		correct += c
	}
	return lossSum, correct
}

// evaluate returns the Metrics of p on s (s non-empty and checked).
func (e *evaluator) evaluate(p *Params, s Set, lambda float64) Metrics {
	lossSum, correct := e.sums(p, s)
	n := float64(s.Len())
	loss := lossSum / n
	cost := loss
	if lambda != 0 {
		cost += lambda * p.l2()
	}
	return Metrics{Cost: cost, Loss: loss, Accuracy: float64(correct) / n}
}

// finiteCost reports whether the cost is a finite number.
func (m Metrics) finiteCost() bool { return !math.IsNaN(m.Cost) && !math.IsInf(m.Cost, 0) }
