package network

import (
	"fmt"

	"twolayer/cifar"
	"twolayer/matrix"
)

// PredictEnsemble classifies the n images of X (n×d, one per row) with
// several networks at once: probs (n×K) holds, row by row, the mean of their
// softmax outputs,
//
//	P = (1/E) Σ_e P_e,  P_e = softmax(W2_e·max(0, W1_e·Xᵀ + b1_e·1ᵀ) + b2_e·1ᵀ)  (K×n, transposed),
//
// and labels[i] is the class of the largest mean probability (the first class
// on ties). With one network it is Predict. It panics if ps is empty or a
// network does not take X's d inputs or gives another number of classes.
func PredictEnsemble(ps []*Params, X *matrix.Dense) (labels []int, probs *matrix.Dense) {
	if len(ps) == 0 {
		panic("network.PredictEnsemble: no networks")
	}
	_, probs = Predict(ps[0], X)
	for _, p := range ps[1:] {
		_, pe := Predict(p, X)
		if pe.Cols() != probs.Cols() {
			panic(fmt.Sprintf("network.PredictEnsemble: networks with %d and %d classes", probs.Cols(), pe.Cols()))
		}
		matrix.AddScaled(probs, probs, 1, pe)
	}
	labels = make([]int, X.Rows())
	for i := range labels {
		row := probs.Row(i)
		for k := range row {
			row[k] /= float64(len(ps))
		}
		for k, v := range row {
			if v > row[labels[i]] {
				labels[i] = k
			}
		}
	}
	return labels, probs
}

// EnsembleAccuracy returns the fraction of the images of s that
// PredictEnsemble(ps, s.X) classifies as their label. It panics as
// PredictEnsemble does, or if s's labels do not match its images.
func EnsembleAccuracy(ps []*Params, s cifar.Set) float64 {
	if s.Len() == 0 {
		return 0
	}
	if len(s.Labels) != s.Len() {
		panic(fmt.Sprintf("network.EnsembleAccuracy: %d images, %d labels", s.Len(), len(s.Labels)))
	}
	labels, _ := PredictEnsemble(ps, s.X)
	correct := 0
	for i, l := range labels {
		if l == s.Labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(s.Len())
}
