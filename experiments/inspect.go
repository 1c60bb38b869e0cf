package experiments

import (
	"cmp"
	"fmt"
	"slices"

	"twolayer/cifar"
	"twolayer/experiments/store"
	"twolayer/matrix"
	"twolayer/network"
)

// GalleryMistakes is the number of images in the gallery of mistakes.
const GalleryMistakes = 24

// ConfusionMatrix returns the k×k matrix C with C[i][j] the number of n
// such that truth[n] = i and predicted[n] = j. Labels outside 0..k−1 are
// not counted. It panics if truth and predicted have different lengths.
func ConfusionMatrix(truth, predicted []int, k int) [][]int {
	if len(truth) != len(predicted) {
		panic(fmt.Sprintf("experiments.ConfusionMatrix: %d labels, %d predictions", len(truth), len(predicted)))
	}
	c := make([][]int, k)
	for i := range c {
		c[i] = make([]int, k)
	}
	for n, t := range truth {
		if p := predicted[n]; t >= 0 && t < k && p >= 0 && p < k {
			c[t][p]++
		}
	}
	return c
}

// ClassAccuracies returns a_i = C[i][i] / Σ_j C[i][j] for each row of the
// confusion matrix C (0 for a class without images).
func ClassAccuracies(c [][]int) []float64 {
	a := make([]float64, len(c))
	for i, row := range c {
		total := 0
		for _, v := range row {
			total += v
		}
		if total > 0 {
			a[i] = float64(row[i]) / float64(total)
		}
	}
	return a
}

// ConfidentMistakes returns the misclassified images (predicted[n] ≠
// truth[n]) sorted by the probability the network gave its wrong class,
// probs[n][predicted[n]] (probs is n×K, one image per row, as
// network.Predict returns it), highest first and on ties by index; at most
// limit of them.
func ConfidentMistakes(truth, predicted []int, probs *matrix.Dense, limit int) []store.Mistake {
	var ms []store.Mistake
	for n, t := range truth {
		if p := predicted[n]; p != t {
			ms = append(ms, store.Mistake{Index: n, True: t, Predicted: p, Probability: probs.At(n, p), TrueProbability: probs.At(n, t)})
		}
	}
	slices.SortStableFunc(ms, func(a, b store.Mistake) int { return cmp.Compare(b.Probability, a.Probability) })
	return ms[:min(len(ms), limit)]
}

// Inspect classifies the test set with the model m and returns the
// confusion matrix, the accuracy of each class and the GalleryMistakes most
// confident mistakes. The images of test must be normalised as the model
// expects (with m.Norm, as cifar.Split's test set is for the
// model trained on that split).
func Inspect(m *network.Model, test cifar.Images) (*store.Insight, error) {
	if err := checkModel(m); err != nil {
		return nil, err
	}
	_, units, k := m.Params.Dims()
	labels, probs := network.PredictData(m.Params, test)
	truth := test.Labels()
	c := ConfusionMatrix(truth, labels, k)
	right := 0
	for i := range c {
		right += c[i][i]
	}
	in := &store.Insight{
		Classes: classNames(m), N: test.Len(), Confusion: c, ClassAccuracy: ClassAccuracies(c),
		Mistakes: ConfidentMistakes(truth, labels, probs, GalleryMistakes), Units: units,
	}
	if in.N > 0 {
		in.Accuracy = float64(right) / float64(in.N)
	}
	return in, nil
}

// classNames returns the model's class names, or the labels' numbers when
// it has none.
func classNames(m *network.Model) []string {
	_, _, k := m.Params.Dims()
	if len(m.Classes) == k {
		return slices.Clone(m.Classes)
	}
	names := make([]string, k)
	for i := range names {
		names[i] = fmt.Sprint(i)
	}
	return names
}

// ClassTemplates returns W2·W1 (K×d = (K×m)·(m×d)). Row k is what class
// k's score would weigh each input with if the ReLU let everything through:
// s_k = (W2·W1)_k · x + …, the network's picture of class k, as a linear
// classifier's rows are.
func ClassTemplates(p *network.Params) *matrix.Dense {
	d, _, k := p.Dims()
	t := matrix.New(k, d)
	matrix.Mul(t, p.W2, p.W1)
	return t
}
