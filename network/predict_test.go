package network

import (
	"testing"

	"twolayer/matrix"
)

// TestPredictChunks: Predict on 2,500 images (chunks of 1,000, 1,000, 500)
// gives EvaluateClassifier's P transposed.
func TestPredictChunks(t *testing.T) {
	s := randomSet(2500, 30, 10, 8)
	p := InitializeWeights(30, 9, 10, InitSqrt, 2)
	labels, probs := Predict(p, s.X)
	P, _ := EvaluateClassifier(p, s.X)
	for i := 0; i < 2500; i++ {
		for k := 0; k < 10; k++ {
			if probs.At(i, k) != P.At(k, i) {
				t.Fatalf("probs[%d][%d] = %g, P[%d][%d] = %g", i, k, probs.At(i, k), k, i, P.At(k, i))
			}
		}
		for k := 0; k < 10; k++ {
			if probs.At(i, k) > probs.At(i, labels[i]) {
				t.Fatalf("image %d: label %d, but class %d is more probable", i, labels[i], k)
			}
		}
	}
}

// TestPredictTies: where classes tie for the highest score the first one
// wins, as the docs of Predict and ComputeAccuracy say. With zero weights
// every score is equal, so every image is class 0 and P is uniform.
func TestPredictTies(t *testing.T) {
	net := NewParams(6, 4, 3)
	X := randomSet(5, 6, 3, 1).X
	labels, probs := Predict(net, X)
	for i, l := range labels {
		if l != 0 {
			t.Errorf("zero weights: image %d is class %d, want 0 (the first of the tied classes)", i, l)
		}
		for k := range 3 {
			if p := probs.At(i, k); p != 1.0/3 {
				t.Errorf("zero weights: P[%d][%d] = %g, want 1/3", k, i, p)
			}
		}
	}
	// A tie between the last two classes only: b2 = (0, 1, 1).
	net.B2[1], net.B2[2] = 1, 1
	if labels, _ := Predict(net, X); labels[0] != 1 {
		t.Errorf("classes 1 and 2 tie: class %d, want 1", labels[0])
	}
	// ComputeAccuracy counts by the same rule: all labels 0 → accuracy 1
	// with zero weights.
	s := randomSet(5, 6, 3, 1)
	clear(s.Labels)
	if acc := ComputeAccuracy(NewParams(6, 4, 3), s.X, s.Labels); acc != 1 {
		t.Errorf("zero weights, all labels 0: accuracy %g, want 1", acc)
	}
}

// denseOf returns the r×c matrix of the rows of values.
func denseOf(rows ...[]float64) *matrix.Dense { return dense(rows) }
