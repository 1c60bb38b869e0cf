package network

import (
	"math"
	"testing"

	"twolayer/cifar"
)

// TestPredictEnsemble: one network gives Predict's answer; two give the mean
// of their probabilities, entry by entry, and its argmax.
func TestPredictEnsemble(t *testing.T) {
	s := randomSet(30, 12, 4, 1)
	a, b := InitializeWeights(12, 6, 4, InitSqrt, 1), InitializeWeights(12, 9, 4, InitSqrt, 2)
	la, pa := Predict(a, s.X)
	l1, p1 := PredictEnsemble([]*Params{a}, s.X)
	for i := range la {
		if l1[i] != la[i] || !sameBits(p1.Row(i), pa.Row(i)) {
			t.Fatalf("image %d: one-network ensemble %d %v, Predict %d %v", i, l1[i], p1.Row(i), la[i], pa.Row(i))
		}
	}
	_, pb := Predict(b, s.X)
	l2, p2 := PredictEnsemble([]*Params{a, b}, s.X)
	disagree := 0
	for i := range l2 {
		best := 0
		for k := range 4 {
			want := (pa.At(i, k) + pb.At(i, k)) / 2
			if got := p2.At(i, k); !(math.Abs(got-want) <= 1e-15) {
				t.Errorf("image %d class %d: %g, want %g", i, k, got, want)
			}
			if want > (pa.At(i, best)+pb.At(i, best))/2 {
				best = k
			}
		}
		if l2[i] != best {
			t.Errorf("image %d: label %d, want %d", i, l2[i], best)
		}
		if l2[i] != la[i] {
			disagree++
		}
	}
	if disagree == 0 {
		t.Error("the second network changed no label: the test shows nothing")
	}
	y := append([]int(nil), l2...)
	y[0] = (y[0] + 1) % 4
	if acc := EnsembleAccuracy([]*Params{a, b}, cifar.Set{X: s.X, Labels: y}); acc != 29.0/30 {
		t.Errorf("EnsembleAccuracy = %g, want 29/30", acc)
	}
}
