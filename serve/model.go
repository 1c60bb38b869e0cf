package serve

import (
	"fmt"
	"slices"

	"twolayer/matrix"
	"twolayer/network"
)

// The try-it panel classifies with package network, the program's one
// implementation of the network's arithmetic: a model or ensemble file is
// read by network.UnmarshalModels (Options.LoadModels), the image is
// normalised by the model's Normalization.Apply, classified by
// network.PredictEnsemble (which, with one model, is network.Predict), and
// the hidden units it excites are read off the H of
// network.EvaluateClassifier. The panel's answers are therefore exactly
// those of the predict command and of training's evaluations.

// classify runs the models of a model file (one) or an ensemble file
// (several) on one image of raw values x (d of them, each byte/255, as
// picture.ToCIFAR gives): x normalised with the models' statistics, then
//
//	h = max(0, W1·x + b1),  p = softmax(W2·h + b2)
//
// for each model, as network.EvaluateClassifier computes it for a matrix
// of one row. It returns the mean of the models' probabilities p (K of
// them) and the class of the largest (the first on ties), both
// network.PredictEnsemble's, and the hidden activations h (m) of the first
// model. The models are checked (checkModels): they share one
// normalisation, so one normalised image serves them all.
func classify(models []*network.Model, x []float64) (probs []float64, label int, hidden []float64) {
	X := matrix.New(1, len(x))
	copy(X.Row(0), x)
	models[0].Norm.Apply(X)
	nets := make([]*network.Params, len(models))
	for i, m := range models {
		nets[i] = m.Params
	}
	labels, P := network.PredictEnsemble(nets, X)
	_, H := network.EvaluateClassifier(nets[0], X) // m×1: one image per column
	hidden = make([]float64, H.Rows())
	for i := range hidden {
		hidden[i] = H.At(i, 0)
	}
	return slices.Clone(P.Row(0)), labels[0], hidden
}

// checkModels returns an error unless there is at least one model, each is
// consistent (network.Params.Check), all take d inputs to the same K
// classes with K class names or none, and all normalise their inputs the
// same way. Every file this program writes passes: an ensemble file holds
// networks of one training set (the ablation's cycle ends); one whose
// members were trained on different sets is refused, since
// network.PredictEnsemble runs its networks on one normalised image (the
// predict command takes such models as separate files).
func checkModels(models []*network.Model, d int) error {
	if len(models) == 0 {
		return fmt.Errorf("the file holds no model")
	}
	first := models[0]
	_, _, k := first.Params.Dims()
	for i, m := range models {
		if err := m.Params.Check(); err != nil {
			return fmt.Errorf("model %d: %v", i+1, err)
		}
		md, _, mk := m.Params.Dims()
		switch {
		case md != d || mk != k:
			return fmt.Errorf("model %d takes %d inputs to %d classes, not %d inputs (32×32 colour images) to %d", i+1, md, mk, d, k)
		case len(m.Norm.Mean) != len(m.Norm.Std) || len(m.Norm.Mean) != 0 && len(m.Norm.Mean) != d:
			return fmt.Errorf("model %d: %d means and %d standard deviations for %d inputs", i+1, len(m.Norm.Mean), len(m.Norm.Std), d)
		case len(m.Classes) != 0 && len(m.Classes) != k:
			return fmt.Errorf("model %d: %d class names for %d classes", i+1, len(m.Classes), k)
		case !slices.Equal(m.Norm.Mean, first.Norm.Mean) || !slices.Equal(m.Norm.Std, first.Norm.Std):
			return fmt.Errorf("model %d normalises its inputs otherwise than model 1 (trained on another set): the page classifies with ensembles of one training set; give the models to the predict command as separate files", i+1)
		}
	}
	return nil
}
