package serve

import (
	"fmt"
	"math"
)

// Model is one trained network as the try-it panel uses it, in plain
// slices: W1 (m×d) and W2 (K×m) row-major, the biases b1 (m) and b2 (K),
// the normalisation of the inputs x ← (x − Mean)/Std (both of length d, or
// both empty), and the class names (K, or none). A model file holds one, an
// ensemble file several (Options.LoadModels reads them).
type Model struct {
	Inputs, Hidden, Classes int // d, m, K

	W1, B1, W2, B2 []float64
	Mean, Std      []float64
	ClassNames     []string
}

// check returns an error unless the slices have the sizes d, m and K call
// for, so that forward cannot index out of range.
func (m *Model) check() error {
	d, h, k := m.Inputs, m.Hidden, m.Classes
	switch {
	case d < 1 || h < 1 || k < 1:
		return fmt.Errorf("impossible sizes d=%d, m=%d, K=%d", d, h, k)
	case len(m.W1) != h*d || len(m.B1) != h || len(m.W2) != k*h || len(m.B2) != k:
		return fmt.Errorf("the weights do not fit d=%d, m=%d, K=%d", d, h, k)
	case len(m.Mean) != len(m.Std) || len(m.Mean) != 0 && len(m.Mean) != d:
		return fmt.Errorf("%d means and %d standard deviations for %d inputs", len(m.Mean), len(m.Std), d)
	case len(m.ClassNames) != 0 && len(m.ClassNames) != k:
		return fmt.Errorf("%d class names for %d classes", len(m.ClassNames), k)
	}
	return nil
}

// forward runs the network on one image of raw values x (d of them, each
// byte/255, as picture.ToCIFAR gives): it normalises x with the model's
// statistics, then computes the report's EvaluateClassifier for one image,
//
//	h = max(0, W1·x + b1),  s = W2·h + b2,  p = softmax(s),
//
// and returns the hidden activations h (m) and the probabilities p (K). It
// is the same computation as network.Predict, written out for one image so
// that the hidden activations can be read; the sums run in another order
// than the matrix kernels', so p agrees with Predict's to about 1e-15.
func (m *Model) forward(x []float64) (h, p []float64) {
	d := m.Inputs
	xn := make([]float64, d)
	for j, v := range x {
		if len(m.Mean) > 0 {
			v = (v - m.Mean[j]) / m.Std[j]
		}
		xn[j] = v
	}
	h = make([]float64, m.Hidden)
	for i := range h {
		s := m.B1[i]
		for j, w := range m.W1[i*d : (i+1)*d] {
			s += w * xn[j]
		}
		h[i] = max(0, s)
	}
	p = make([]float64, m.Classes)
	for c := range p {
		s := m.B2[c]
		for j, w := range m.W2[c*m.Hidden : (c+1)*m.Hidden] {
			s += w * h[j]
		}
		p[c] = s
	}
	softmax(p)
	return h, p
}

// softmax replaces the scores s by exp(s_k − max s) / Σ_j exp(s_j − max s),
// the softmax computed without overflow.
func softmax(s []float64) {
	top := math.Inf(-1)
	for _, v := range s {
		top = max(top, v)
	}
	sum := 0.0
	for k, v := range s {
		s[k] = math.Exp(v - top)
		sum += s[k]
	}
	for k := range s {
		s[k] /= sum
	}
}

// classify runs every model of an ensemble (or the one model of a model
// file) on x and returns the mean of their probabilities, the class of the
// largest (the first on ties, as network.PredictEnsemble), and the hidden
// activations of the first model.
func classify(models []Model, x []float64) (probs []float64, label int, hidden []float64) {
	for i := range models {
		h, p := models[i].forward(x)
		if i == 0 {
			probs, hidden = p, h
			continue
		}
		for k, v := range p {
			probs[k] += v
		}
	}
	for k := range probs {
		probs[k] /= float64(len(models))
		if probs[k] > probs[label] {
			label = k
		}
	}
	return probs, label, hidden
}

// checkModels returns an error unless there is at least one model, each is
// consistent, and all take d inputs to the same K classes.
func checkModels(models []Model, d int) error {
	if len(models) == 0 {
		return fmt.Errorf("the file holds no model")
	}
	for i := range models {
		m := &models[i]
		if err := m.check(); err != nil {
			return fmt.Errorf("model %d: %v", i+1, err)
		}
		if m.Inputs != d || m.Classes != models[0].Classes {
			return fmt.Errorf("model %d takes %d inputs to %d classes, not %d inputs (32×32 colour images) to %d", i+1, m.Inputs, m.Classes, d, models[0].Classes)
		}
	}
	return nil
}
