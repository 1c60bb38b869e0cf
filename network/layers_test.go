package network

import (
	"math"
	"testing"

	"twolayer/matrix"
)

func TestSoftmaxReLU(t *testing.T) {
	// Columns: ordinary scores, huge scores (exp would overflow without the
	// shift), equal scores.
	S := denseOf(
		[]float64{1, 1000, 5},
		[]float64{2, 1001, 5},
		[]float64{3, 999, 5},
	)
	P := matrix.New(3, 3)
	Softmax(P, S)
	e := []float64{math.Exp(-2), math.Exp(-1), 1}
	z := e[0] + e[1] + e[2]
	want := [][]float64{{e[0] / z, e[1] / z, 1.0 / 3}, {e[1] / z, e[2] / z, 1.0 / 3}, {e[2] / z, e[0] / z, 1.0 / 3}}
	for r := range 3 {
		for c := range 3 {
			if got := P.At(r, c); !(math.Abs(got-want[r][c]) <= 1e-15) {
				t.Errorf("P[%d][%d] = %.17g, want %.17g", r, c, got, want[r][c])
			}
		}
	}
	Softmax(S, S) // in place
	if !denseBits(S, P) {
		t.Error("Softmax in place differs")
	}
	H := denseOf([]float64{-1, 0, 0.5, math.Inf(-1)})
	ReLU(H, H)
	if !sameBits(H.Row(0), []float64{0, 0, 0.5, 0}) {
		t.Errorf("ReLU: %v", H.Row(0))
	}
}

// TestReLUBackward: the gradient passes where H > 0 and is 0 elsewhere,
// and ∂J/∂b1 of the row is the mean of what passes.
func TestReLUBackward(t *testing.T) {
	G := denseOf([]float64{1, 2, 3, 4}, []float64{5, 6, 7, 8})
	H := denseOf([]float64{0.5, 0, -1, 2}, []float64{0, 1e-300, math.NaN(), 3})
	want := [][]float64{{1, 0, 0, 4}, {0, 6, 0, 8}}
	wantB := []float64{5.0 / 4, 14.0 / 4}
	db1 := make([]float64, 2)
	reluBackRows(&workspace{GH: G, H: H, db1: db1}, 0, 2)
	for i, row := range want {
		if !sameBits(G.Row(i), row) || db1[i] != wantB[i] {
			t.Errorf("row %d: %v and ∂J/∂b1 %v, want %v and %v", i, G.Row(i), db1[i], row, wantB[i])
		}
	}
}

// TestBiasReLURows: h = max(0, s + b), −Inf going to 0 and NaN staying
// NaN (so that training notices it), each row with its own bias.
func TestBiasReLURows(t *testing.T) {
	H := denseOf([]float64{-1, 0, 0.5, math.Inf(-1), math.NaN()}, []float64{-1, 0, 0.5, 2, -3})
	biasReLURows(&workspace{H: H, net: &Params{B1: []float64{0.25, -0.75}}}, 0, 2)
	want := [][]float64{{0, 0.25, 0.75, 0, math.NaN()}, {0, 0, 0, 1.25, 0}}
	for i, row := range want {
		if !sameBits(H.Row(i), row) {
			t.Errorf("row %d: got %v, want %v", i, H.Row(i), row)
		}
	}
}

// TestCrossEntropy: the summed cross-entropy and the count of correct
// images read from the softmax's column statistics.
func TestCrossEntropy(t *testing.T) {
	S := denseOf([]float64{0, 2, 1000}, []float64{0, 1, 1001}) // K = 2, n = 3
	P := matrix.New(2, 3)
	cols := newColumnStats(3)
	cols.softmax(P, S, 0, S.Cols())
	y := []int{1, 0, 1}
	want := math.Log(2) + (math.Log(1+math.Exp(-1)) - 0) + (math.Log(1+math.Exp(-1)) - 0)
	if got := cols.crossEntropySum(S, y); !(math.Abs(got-want) <= 1e-15) {
		t.Errorf("cross-entropy %.17g, want %.17g", got, want)
	}
	// −log P[y_i][i] directly, which is fine for these moderate scores
	direct := 0.0
	for i, yi := range y {
		direct -= math.Log(P.At(yi, i))
	}
	if got := cols.crossEntropySum(S, y); !(math.Abs(got-direct) <= 1e-12) {
		t.Errorf("cross-entropy %.17g, −Σ log P %.17g", got, direct)
	}
	// column 0 ties (class 0 wins, label 1: wrong); column 1 is class 0
	// (right); column 2 is class 1 (right)
	if got := cols.correct(y); got != 2 {
		t.Errorf("correct = %d, want 2", got)
	}
}
