package network

import (
	"fmt"
	"math"

	"twolayer/matrix"
)

// Shapes used in the comments: d inputs, m hidden units, K classes, n images.

// ReLu is the report's ReLu (section 2.4, equation 1): H = max(0, S1)
// element-wise; h and s1 are both m×n and may be the same matrix. It panics if
// the shapes differ.
func ReLu(h, s1 *matrix.Dense) { matrix.ReLU(h, s1) }

// Softmax is the report's Softmax (section 2.5, equation 2), column by
// column: P[:, i] = exp(S[:, i]) / (1ᵀ·exp(S[:, i])), p and s K×n, p may be s.
// It is computed stably: the largest entry of each column is subtracted before
// exp, which leaves the result unchanged. It panics if the shapes differ.
func Softmax(p, s *matrix.Dense) {
	if pr, pc := p.Dims(); pr != s.Rows() || pc != s.Cols() {
		panic(fmt.Sprintf("network.Softmax: destination %d×%d for scores %d×%d", pr, pc, s.Rows(), s.Cols()))
	}
	n := s.Cols()
	c := columnStats{max: make([]float64, n), sum: make([]float64, n), arg: make([]int, n)}
	c.softmax(p, s, nil)
}

// EvaluateClassifier is the report's EvaluateClassifier (section 2.6,
// equation 3) for n images, X n×d one image per row:
//
//	S1 = W1·Xᵀ + b1·1ᵀ, H = max(0, S1)  (m×n)
//	P  = softmax(W2·H + b2·1ᵀ)          (K×n)
//
// It returns P and the hidden activations H that the backward pass needs,
// both allocated for all n images at once: for a large set use Evaluate or
// Predict, which work in chunks. It panics if X's width is not p's d.
func EvaluateClassifier(p *Params, X *matrix.Dense) (P, H *matrix.Dense) {
	p.mustCheck("network.EvaluateClassifier")
	w := newBatchWork(p, X.Rows(), false)
	w.forward(p, X)
	w.softmax(nil)
	return w.p, w.h
}

// batchWork holds the activations of one forward pass over n images and the
// scratch of the backward pass, so that a training step allocates nothing.
type batchWork struct {
	h  *matrix.Dense // m×n: S1 = W1·Xᵀ + b1·1ᵀ, then H = max(0, S1) in place
	p  *matrix.Dense // K×n: S = W2·H + b2·1ᵀ, then P = softmax(S), then G = P − Y
	gh *matrix.Dense // m×n: the gradient flowing back into the hidden layer (nil if only forward)
	c  columnStats
}

// newBatchWork allocates the workspace for n images and p's dimensions, with
// the backward pass's scratch if backward is set.
func newBatchWork(p *Params, n int, backward bool) *batchWork {
	_, m, k := p.Dims()
	w := &batchWork{
		h: matrix.New(m, n), p: matrix.New(k, n),
		c: columnStats{max: make([]float64, n), sum: make([]float64, n), arg: make([]int, n)},
	}
	if backward {
		w.gh = matrix.New(m, n)
	}
	return w
}

// forward runs both layers on X (n×d, n the workspace's batch size) and leaves
// H in w.h and the scores S in w.p.
func (w *batchWork) forward(p *Params, X *matrix.Dense) {
	hiddenForward(w.h, p, X)
	outputForward(w.p, p, w.h)
}

// softmax turns the scores in w.p into probabilities in place. With labels y
// (length n) it returns Σ_i −log P[y_i][i], from the log-softmax so that a
// tiny probability does not underflow to log 0, and the number of images whose
// largest score is at y_i; with y nil both are 0.
func (w *batchWork) softmax(y []int) (lossSum float64, correct int) {
	return w.c.softmax(w.p, w.p, y)
}

// hiddenForward is the first layer (a linear map and a ReLU):
//
//	S1 = W1·Xᵀ + b1·1ᵀ, H = max(0, S1)
//
// W1 is m×d, X is n×d (one image per row), b1 has m entries, H is m×n.
func hiddenForward(h *matrix.Dense, p *Params, X *matrix.Dense) {
	matrix.MulABt(h, p.W1, X) // m×n = (m×d)·(n×d)ᵀ
	matrix.AddColVector(h, h, p.B1)
	matrix.ReLU(h, h)
}

// outputForward is the second layer: S = W2·H + b2·1ᵀ. W2 is K×m, H is m×n,
// b2 has K entries, S is K×n.
func outputForward(s *matrix.Dense, p *Params, h *matrix.Dense) {
	matrix.Mul(s, p.W2, h) // K×n = (K×m)·(m×n)
	matrix.AddColVector(s, s, p.B2)
}

// columnStats is the scratch of the column-wise softmax of a K×n matrix:
// per column its largest entry, the index of that entry and Σ_k exp(S_k − max).
type columnStats struct {
	max, sum []float64 // n
	arg      []int     // n
}

// softmax computes P = softmax(S) column-wise (p may be s) and, for labels y,
// the summed cross-entropy Σ_i −log P[y_i][i] = Σ_i (log Σ_k exp(S_ki − M_i)
// − (S_{y_i,i} − M_i)) with M_i the column maximum, and the number of columns
// whose first largest entry is at row y_i. It works row by row, so each pass
// reads contiguous memory.
func (c *columnStats) softmax(p, s *matrix.Dense, y []int) (lossSum float64, correct int) {
	k, n := s.Dims()
	mx, sum, arg := c.max[:n], c.sum[:n], c.arg[:n]
	copy(mx, s.Row(0))
	clear(arg)
	for r := 1; r < k; r++ {
		for i, v := range s.Row(r) {
			if v > mx[i] {
				mx[i], arg[i] = v, r
			}
		}
	}
	clear(sum)
	for r := 0; r < k; r++ {
		for i, v := range s.Row(r) {
			sum[i] += math.Exp(v - mx[i])
		}
	}
	if y != nil {
		for i, yi := range y[:n] {
			lossSum += math.Log(sum[i]) - (s.At(yi, i) - mx[i])
			if arg[i] == yi {
				correct++
			}
		}
	}
	for r := 0; r < k; r++ {
		pr := p.Row(r)
		for i, v := range s.Row(r) {
			pr[i] = math.Exp(v-mx[i]) / sum[i]
		}
	}
	return lossSum, correct
}
