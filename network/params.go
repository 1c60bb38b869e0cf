package network

import (
	"fmt"
	"math"
	"math/rand/v2"

	"twolayer/matrix"
)

// Init names a weight initialisation.
type Init int

const (
	// InitSmall draws every weight from N(0, 0.01²), as the report does
	// (section 2.3).
	InitSmall Init = iota
	// InitSqrt draws W1 from N(0, 1/d) and W2 from N(0, 1/m), the
	// assignment's suggestion.
	InitSqrt
)

// String returns "small" or "sqrt", the names ParseInit accepts.
func (i Init) String() string {
	switch i {
	case InitSmall:
		return "small"
	case InitSqrt:
		return "sqrt"
	}
	return fmt.Sprintf("Init(%d)", int(i))
}

// ParseInit returns the Init named s: "small" (N(0, 0.01²)) or "sqrt"
// (N(0, 1/d) and N(0, 1/m)).
func ParseInit(s string) (Init, error) {
	switch s {
	case "small":
		return InitSmall, nil
	case "sqrt":
		return InitSqrt, nil
	}
	return 0, fmt.Errorf("unknown initialisation %q: use \"small\" (N(0, 0.01²)) or \"sqrt\" (N(0, 1/d), N(0, 1/m))", s)
}

// Params holds the network's parameters: d inputs, m hidden units, K classes.
type Params struct {
	W1 *matrix.Dense // m×d, first-layer weights
	B1 []float64     // m, first-layer biases
	W2 *matrix.Dense // K×m, second-layer weights
	B2 []float64     // K, second-layer biases
}

// pcgStream is the second word of the PCG state; the seed is the first.
const pcgStream = 0x2d6e6574776f726b // "-network"

// InitializeWeights is the report's initialize_weights (section 2.3): it
// returns parameters for d inputs, m hidden units and k classes with
//
//	W1 (m×d) ~ N(0, σ1²), W2 (k×m) ~ N(0, σ2²), b1 = 0 (m), b2 = 0 (k),
//
// where σ1 = σ2 = 0.01 for InitSmall and σ1 = 1/√d, σ2 = 1/√m for InitSqrt.
// The weights come from rand.New(rand.NewPCG(seed, ·)).NormFloat64, W1 row by
// row first, then W2, so the same seed gives the same parameters on any
// machine. It panics if d, m or k is less than 1 or init is unknown.
func InitializeWeights(d, m, k int, init Init, seed uint64) *Params {
	if d < 1 || m < 1 || k < 1 {
		panic(fmt.Sprintf("network.InitializeWeights: dimensions d=%d m=%d k=%d must be positive", d, m, k))
	}
	var s1, s2 float64
	switch init {
	case InitSmall:
		s1, s2 = 0.01, 0.01
	case InitSqrt:
		s1, s2 = 1/math.Sqrt(float64(d)), 1/math.Sqrt(float64(m))
	default:
		panic(fmt.Sprintf("network.InitializeWeights: unknown %v", init))
	}
	r := rand.New(rand.NewPCG(seed, pcgStream))
	net := NewParams(d, m, k)
	for _, w := range []struct {
		a *matrix.Dense
		s float64
	}{{net.W1, s1}, {net.W2, s2}} {
		for i := 0; i < w.a.Rows(); i++ {
			row := w.a.Row(i)
			for j := range row {
				row[j] = w.s * r.NormFloat64()
			}
		}
	}
	return net
}

// NewParams returns zero parameters for d inputs, m hidden units and k
// classes. It panics if a dimension is negative.
func NewParams(d, m, k int) *Params {
	return &Params{W1: matrix.New(m, d), B1: make([]float64, m), W2: matrix.New(k, m), B2: make([]float64, k)}
}

// Dims returns the number of inputs d, hidden units m and classes k.
func (net *Params) Dims() (d, m, k int) { return net.W1.Cols(), net.W1.Rows(), net.W2.Rows() }

// Clone returns a deep copy of net.
func (net *Params) Clone() *Params {
	return &Params{W1: net.W1.Clone(), B1: append([]float64(nil), net.B1...), W2: net.W2.Clone(), B2: append([]float64(nil), net.B2...)}
}

// Check returns an error if the shapes of net do not fit together
// (W1 m×d, b1 m, W2 K×m, b2 K) or if net is incomplete.
func (net *Params) Check() error {
	if net == nil || net.W1 == nil || net.W2 == nil {
		return fmt.Errorf("network: parameters are missing")
	}
	d, m, k := net.Dims()
	if d < 1 || m < 1 || k < 1 {
		return fmt.Errorf("network: empty parameters (d=%d, m=%d, K=%d)", d, m, k)
	}
	if len(net.B1) != m || net.W2.Cols() != m || len(net.B2) != k {
		return fmt.Errorf("network: parameter shapes do not fit: W1 %d×%d, b1 %d, W2 %d×%d, b2 %d (want W1 m×d, b1 m, W2 K×m, b2 K)",
			m, d, len(net.B1), k, net.W2.Cols(), len(net.B2))
	}
	return nil
}

// mustCheck panics with Check's message; used where a shape mismatch is a
// programming error.
func (net *Params) mustCheck(op string) {
	if err := net.Check(); err != nil {
		panic(op + ": " + err.Error())
	}
}

// each calls f for each parameter in the order W1, b1, W2, b2 with its name
// and its entries (the weight matrices row by row).
func (net *Params) each(f func(name string, rows [][]float64)) {
	f("W1", rowsOf(net.W1))
	f("b1", [][]float64{net.B1})
	f("W2", rowsOf(net.W2))
	f("b2", [][]float64{net.B2})
}

func rowsOf(a *matrix.Dense) [][]float64 {
	rs := make([][]float64, a.Rows())
	for i := range rs {
		rs[i] = a.Row(i)
	}
	return rs
}

// hasNaNOrInf reports whether any parameter is NaN or ±Inf.
func (net *Params) hasNaNOrInf() bool {
	return matrix.HasNaNOrInf(net.W1) || matrix.HasNaNOrInf(net.W2) || !finite(net.B1) || !finite(net.B2)
}

func finite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
