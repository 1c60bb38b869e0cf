package network

import (
	"math"
	"testing"
)

// rowsOnly is a Data that hides every method but Data's own: a product
// reads its images with Image alone, never through cifar.Images.Sliver.
type rowsOnly struct{ Data }

// TestEvaluateSlivers checks that evaluating and predicting on images held
// as bytes gives the same bits whether the first layer's product reads them
// through Images.Sliver (normalised straight into its packed slivers, where
// the CPU has the kernel) or through Image, row by row: on 1,000 images,
// so that the product takes both of its paths' slivers and edges, with a
// hidden layer of 50 (one block of A) and of 130 (several).
func TestEvaluateSlivers(t *testing.T) {
	s := byteImages(t, 1000, 3)
	for _, m := range []int{50, 130} {
		p := InitializeWeights(3072, m, 10, InitSmall, 5)
		got, want := Evaluate(p, s, 0.01), Evaluate(p, rowsOnly{s}, 0.01)
		if math.Float64bits(got.Cost) != math.Float64bits(want.Cost) || math.Float64bits(got.Loss) != math.Float64bits(want.Loss) || got.Accuracy != want.Accuracy {
			t.Errorf("m = %d: Evaluate gives %+v through slivers, %+v through rows", m, got, want)
		}
		_, probs := PredictData(p, s)
		_, probsRows := PredictData(p, rowsOnly{s})
		if !denseBits(probs, probsRows) {
			t.Errorf("m = %d: PredictData's probabilities differ through slivers and through rows", m)
		}
	}
}
