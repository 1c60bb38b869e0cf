package network

import "twolayer/matrix"

// DefaultH is the step h of the numeric gradients that the assignment uses
// (report section 2.9).
const DefaultH = 1e-5

// ComputeGradsNum is the assignment's ComputeGradsNum (report section 2.9):
// the gradient of the cost J(θ) = ComputeCost(net, X, y, λ) by forward
// differences, entry by entry of W1 (m×d), b1 (m), W2 (K×m), b2 (K):
//
//	∂J/∂θ_i ≈ (J(θ + h·e_i) − J(θ)) / h
//
// Its error is O(h) (about h/2·∂²J/∂θ_i², which includes λh for a weight),
// so it is the faster but less accurate of the two. It costs one evaluation
// of J per parameter, so use it on a reduced problem (a few images, few input
// dimensions). net is changed during the call and restored exactly. It panics
// as Evaluate does, or if h ≤ 0.
func ComputeGradsNum(net *Params, X *matrix.Dense, y []int, lambda, h float64) *Grads {
	return numGrads(net, X, y, lambda, h, false)
}

// ComputeGradsNumSlow is the assignment's ComputeGradsNumSlow (report section
// 2.9): the gradient of J(θ) = ComputeCost(net, X, y, λ) by centered differences,
// entry by entry of W1 (m×d), b1 (m), W2 (K×m), b2 (K):
//
//	∂J/∂θ_i ≈ (J(θ + h·e_i) − J(θ − h·e_i)) / (2h)
//
// Its error is O(h²), so it is more accurate than ComputeGradsNum, at two
// evaluations of J per parameter. net is changed during the call and restored
// exactly. It panics as Evaluate does, or if h ≤ 0.
func ComputeGradsNumSlow(net *Params, X *matrix.Dense, y []int, lambda, h float64) *Grads {
	return numGrads(net, X, y, lambda, h, true)
}

// numGrads fills a Grads with the numeric derivative of every entry.
func numGrads(net *Params, X *matrix.Dense, y []int, lambda, h float64, centered bool) *Grads {
	nc := newNumCost(net, X, y, lambda, h)
	c0 := nc.cost()
	d, m, k := net.Dims()
	grads := NewGrads(d, m, k)
	fill := func(dst, params [][]float64) {
		for i, row := range params {
			for j := range row {
				dst[i][j] = nc.derivative(&row[j], c0, centered)
			}
		}
	}
	fill(rowsOf(grads.W1), rowsOf(net.W1))
	fill([][]float64{grads.B1}, [][]float64{net.B1})
	fill(rowsOf(grads.W2), rowsOf(net.W2))
	fill([][]float64{grads.B2}, [][]float64{net.B2})
	return grads
}

// numCost evaluates J(θ) = ComputeCost(net, X, y, λ) repeatedly with a
// reused workspace.
type numCost struct {
	net       *Params
	X         *matrix.Dense
	y         []int
	lambda, h float64
	w         *workspace
}

func newNumCost(net *Params, X *matrix.Dense, y []int, lambda, h float64) *numCost {
	net.mustCheck("network.ComputeGradsNum")
	if err := checkSet(net, X, y, "gradient-check"); err != nil {
		panic("network.ComputeGradsNum: " + err.Error())
	}
	if len(y) == 0 {
		panic("network.ComputeGradsNum: no images")
	}
	if !(h > 0) {
		panic("network.ComputeGradsNum: the step h must be positive")
	}
	return &numCost{net: net, X: X, y: y, lambda: lambda, h: h, w: newWorkspace(net, X.Rows(), false)}
}

// cost returns J(θ) at the current parameters, as ComputeCost computes it.
func (c *numCost) cost() float64 {
	c.w.forward(c.net, c.X)
	cost := c.w.cols.crossEntropySum(c.w.S, c.y) / float64(len(c.y))
	if c.lambda != 0 {
		cost += c.lambda * c.net.l2()
	}
	return cost
}

// derivative returns the forward (c0 = J(θ)) or centered difference quotient
// of J with respect to the parameter *x, which must be an entry of c.net; *x
// is restored to its bitwise value.
func (c *numCost) derivative(x *float64, c0 float64, centered bool) float64 {
	old := *x
	defer func() { *x = old }()
	*x = old + c.h
	c2 := c.cost()
	if !centered {
		return (c2 - c0) / c.h
	}
	*x = old - c.h
	c1 := c.cost()
	return (c2 - c1) / (2 * c.h)
}

// ReducedProblem returns the reduced problem of the report's gradient check
// (section 2.9): the first n images of X restricted to their first d values
// (a view of X, n×d) with their n labels, and a copy of net whose W1 keeps
// only its first d columns (m×d); b1, W2 and b2 are copied unchanged. It
// panics if n or d is out of range for X, y and net.
func ReducedProblem(net *Params, X *matrix.Dense, y []int, d, n int) (*Params, *matrix.Dense, []int) {
	q := net.Clone()
	q.W1 = net.W1.Slice(0, net.W1.Rows(), 0, d).Clone()
	return q, X.Slice(0, n, 0, d), y[:n]
}
