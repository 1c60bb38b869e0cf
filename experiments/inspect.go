package experiments

import (
	"cmp"
	"fmt"
	"image"
	"path/filepath"
	"slices"

	"twolayer/cifar"
	"twolayer/experiments/picture"
	"twolayer/experiments/store"
	"twolayer/matrix"
	"twolayer/network"
)

// Insight is what a trained network does with a test set: how it sorts
// the images (the confusion matrix), how well it does on each class, and
// the images it gets most confidently wrong. It is written into
// summary.json (final) or show.json (show) and drawn by WritePictures.
type Insight struct {
	Classes  []string `json:"classes"`  // the K class names, in label order
	N        int      `json:"n"`        // test images
	Accuracy float64  `json:"accuracy"` // Σ_k Confusion[k][k] / N
	// Confusion[i][j] is the number of test images of class i that the
	// network put in class j (K×K; rows sum to the images of each class,
	// the whole matrix to N).
	Confusion [][]int `json:"confusion"`
	// ClassAccuracy[i] = Confusion[i][i] / Σ_j Confusion[i][j]: the share
	// of class i's images that the network gets right (its recall).
	ClassAccuracy []float64 `json:"class_accuracy"`
	// Mistakes are the misclassified test images with the highest
	// probability of the wrong class, most confident first.
	Mistakes []Mistake `json:"mistakes"`
	Units    int       `json:"units"`           // hidden units m (the pictures show the first WeightsShown)
	Files    []string  `json:"files,omitempty"` // the pictures, relative to the directory of the run
}

// Mistake is a test image that the network classifies wrongly.
type Mistake struct {
	Index           int     `json:"index"`     // row of the test set (= index in test_batch.bin)
	True            int     `json:"true"`      // its label
	Predicted       int     `json:"predicted"` // the network's class, ≠ True
	Probability     float64 `json:"probability"`
	TrueProbability float64 `json:"true_probability"` // the probability the network gave the right class
}

// Sizes of the pictures.
const (
	// GalleryMistakes is the number of images in the gallery of mistakes.
	GalleryMistakes = 24
	// WeightsShown is the largest number of hidden units drawn.
	WeightsShown = 100
)

// The picture files that WritePictures writes.
const (
	weightsPNG   = "weights.png"
	templatesPNG = "templates.png"
	confusionPNG = "confusion.png"
	mistakesPNG  = "mistakes.png"
)

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
func ConfidentMistakes(truth, predicted []int, probs *matrix.Dense, limit int) []Mistake {
	var ms []Mistake
	for n, t := range truth {
		if p := predicted[n]; p != t {
			ms = append(ms, Mistake{Index: n, True: t, Predicted: p, Probability: probs.At(n, p), TrueProbability: probs.At(n, t)})
		}
	}
	slices.SortStableFunc(ms, func(a, b Mistake) int { return cmp.Compare(b.Probability, a.Probability) })
	return ms[:min(len(ms), limit)]
}

// Inspect classifies the test set with the model m and returns the
// confusion matrix, the accuracy of each class and the GalleryMistakes most
// confident mistakes. The images of test must be normalised as the model
// expects (with m.Norm, as cifar.Split's test set is for the
// model trained on that split).
func Inspect(m *network.Model, test cifar.Set) (*Insight, error) {
	if err := checkModel(m); err != nil {
		return nil, err
	}
	_, units, k := m.Params.Dims()
	labels, probs := network.Predict(m.Params, test.X)
	c := ConfusionMatrix(test.Labels, labels, k)
	right := 0
	for i := range c {
		right += c[i][i]
	}
	in := &Insight{
		Classes: classNames(m), N: test.Len(), Confusion: c, ClassAccuracy: ClassAccuracies(c),
		Mistakes: ConfidentMistakes(test.Labels, labels, probs, GalleryMistakes), Units: units,
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

// WritePictures draws the model m and what Inspect found on test into
// dir, and records the files in in.Files:
//
//	weights.png    the first WeightsShown rows of W1 (one per hidden unit), numbered from 1
//	templates.png  the K rows of W2·W1 (ClassTemplates), with the class names
//	confusion.png  the confusion matrix as a heat map (picture.Confusion)
//	mistakes.png   the gallery of in.Mistakes: image, true class, predicted class, probability
//
// Weights are drawn by picture.FromWeights (each unit scaled to its own
// range); the test images are drawn as they were before normalisation
// (x·Std + Mean with the model's statistics). Every file is written
// atomically.
func WritePictures(dir string, m *network.Model, test cifar.Set, in *Insight) error {
	if err := checkModel(m); err != nil {
		return err
	}
	p := m.Params
	var units []picture.Tile
	for i := range min(p.W1.Rows(), WeightsShown) {
		units = append(units, picture.Tile{Image: picture.FromWeights(p.W1.Row(i)), Caption: []picture.Line{{Text: fmt.Sprint(i + 1), Color: picture.Grey}}})
	}
	t := ClassTemplates(p)
	var classes []picture.Tile
	for k := range t.Rows() {
		classes = append(classes, picture.Tile{Image: picture.FromWeights(t.Row(k)), Caption: []picture.Line{{Text: in.Classes[k], Color: picture.Black}}})
	}
	var gallery []picture.Tile
	for _, mk := range in.Mistakes {
		gallery = append(gallery, picture.Tile{
			Image: picture.FromPixels(rawImage(m, test.X.Row(mk.Index))),
			Caption: []picture.Line{
				{Text: in.Classes[mk.True], Color: picture.Black},
				{Text: "AS " + in.Classes[mk.Predicted], Color: picture.Red},
				{Text: fmt.Sprintf("P = %.3f", mk.Probability), Color: picture.Grey},
			},
		})
	}
	pics := []struct {
		name string
		draw func() *image.NRGBA
	}{
		{weightsPNG, func() *image.NRGBA { return picture.Grid(units, 10, 3, 1) }},
		{templatesPNG, func() *image.NRGBA { return picture.Grid(classes, 5, 4, 2) }},
		{confusionPNG, func() *image.NRGBA { return picture.Confusion(in.Confusion, in.Classes) }},
		{mistakesPNG, func() *image.NRGBA { return picture.Grid(gallery, 6, 3, 1) }},
	}
	in.Files = nil
	for _, pic := range pics {
		if pic.name == mistakesPNG && len(gallery) == 0 {
			continue // nothing wrong: no gallery
		}
		data, err := picture.PNG(pic.draw())
		if err != nil {
			return fmt.Errorf("drawing %s: %w", pic.name, err)
		}
		if err := store.WriteBytesAtomic(filepath.Join(dir, pic.name), data); err != nil {
			return err
		}
		in.Files = append(in.Files, pic.name)
	}
	return nil
}

// rawImage undoes the model's normalisation of one image: x_j = z_j·Std[j]
// + Mean[j] (the image itself when the model has no statistics).
func rawImage(m *network.Model, z []float64) []float64 {
	if len(m.Norm.Mean) == 0 {
		return z
	}
	x := make([]float64, len(z))
	for j, v := range z {
		x[j] = v*m.Norm.Std[j] + m.Norm.Mean[j]
	}
	return x
}

// AddPictures draws the pictures of the trained model m on the test set
// into r.Dir (see Inspect and WritePictures) and records them in r:
// r.Insight, and the files in r.Files; the report shows them in the run's
// section. test must be normalised as m expects (the test set of the
// cifar.Split the model was trained on is).
func AddPictures(r *Result, m *network.Model, test cifar.Set) error {
	in, err := Inspect(m, test)
	if err != nil {
		return err
	}
	if err := WritePictures(r.Dir, m, test, in); err != nil {
		return err
	}
	r.Insight = in
	r.Files = append(r.Files, in.Files...)
	return nil
}
