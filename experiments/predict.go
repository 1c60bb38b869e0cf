package experiments

import (
	"cmp"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // ReadImage decodes JPEG
	_ "image/png"  // and PNG files
	"io"
	"os"
	"slices"
	"strings"

	"twolayer/cifar"
	"twolayer/experiments/picture"
	"twolayer/matrix"
	"twolayer/network"
)

// Prediction is the class a model gives one image, and its runners-up.
type Prediction struct {
	Source      string  `json:"source"` // "file.png" or "test_batch.bin[12]"
	Label       int     `json:"label"`
	Class       string  `json:"class"`
	Probability float64 `json:"probability"`
	TrueLabel   int     `json:"true_label"` // -1 when unknown (image files)
	// Top are the TopClasses most probable classes, most probable first
	// (Top[0] is Label).
	Top []Guess `json:"top"`
}

// Guess is a class and the probability the network gives it.
type Guess struct {
	Label       int     `json:"label"`
	Class       string  `json:"class"`
	Probability float64 `json:"probability"`
}

// TopClasses is the number of classes a Prediction lists.
const TopClasses = 3

// MaxPixels is the largest image ReadImage decodes, in pixels (a decoded
// image takes up to 8 bytes a pixel).
const MaxPixels = 50_000_000

// ReadImage reads a PNG or JPEG image of any size as the 3,072 features of
// a CIFAR-10 record (see picture.ToCIFAR): the middle square of the image
// (centre crop, keeping the proportions), scaled to 32×32 by area
// averaging; then the 1,024 red, green and blue values row by row, each
// byte v as v/255. A file that is not a PNG or JPEG image, or larger than
// MaxPixels, is an error saying so in one line; the size is checked from
// the file's header before decoding.
func ReadImage(path string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err != nil || (format != "png" && format != "jpeg") {
		what := "not a PNG or JPEG image"
		if err == nil {
			what = "a " + strings.ToUpper(format) + " image; give a PNG or JPEG"
		} else if !errors.Is(err, image.ErrFormat) {
			what += " (" + err.Error() + ")"
		}
		return nil, fmt.Errorf("%s is %s", path, what)
	}
	switch {
	case cfg.Width < 1 || cfg.Height < 1:
		return nil, fmt.Errorf("%s is an empty image (%d×%d pixels)", path, cfg.Width, cfg.Height)
	case int64(cfg.Width)*int64(cfg.Height) > MaxPixels:
		return nil, fmt.Errorf("%s is %d×%d pixels, more than the %d megapixels this program decodes; make it smaller first",
			path, cfg.Width, cfg.Height, MaxPixels/1_000_000)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: damaged %s image: %v", path, strings.ToUpper(format), err)
	}
	return picture.ToCIFAR(img), nil
}

// checkModels returns an error unless there is at least one model and
// every one takes CIFAR-10 images to the same classes.
func checkModels(models []*network.Model) error {
	if len(models) == 0 {
		return errors.New("no model to classify with")
	}
	for _, m := range models {
		if d, _, k := m.Params.Dims(); d != cifar.ImageSize || k != cifar.NumClasses {
			return fmt.Errorf("a model takes %d inputs to %d classes, not the %d of a CIFAR-10 image to its %d classes", d, k, cifar.ImageSize, cifar.NumClasses)
		}
	}
	return nil
}

// checkModel returns an error when m does not take CIFAR-10 images to its
// classes.
func checkModel(m *network.Model) error { return checkModels([]*network.Model{m}) }

// PredictImages classifies PNG and JPEG files of any size with the models
// (one, or several whose softmax outputs are averaged): each image is read
// by ReadImage, then normalised with each model's Mean and Std.
func PredictImages(models []*network.Model, paths []string) ([]Prediction, error) {
	if err := checkModels(models); err != nil {
		return nil, err
	}
	X := matrix.New(len(paths), cifar.ImageSize)
	for i, p := range paths {
		x, err := ReadImage(p)
		if err != nil {
			return nil, err
		}
		copy(X.Row(i), x)
	}
	truth := make([]int, len(paths))
	for i := range truth {
		truth[i] = -1
	}
	return predict(models, X, paths, truth), nil
}

// PredictBatch classifies the images with the given indices of a CIFAR-10
// batch file with the models, as PredictImages does, reporting each image's
// true label too.
func PredictBatch(models []*network.Model, file string, indices []int) ([]Prediction, error) {
	if err := checkModels(models); err != nil {
		return nil, err
	}
	b, err := cifar.LoadBatch(file)
	if err != nil {
		return nil, err
	}
	n := b.Len()
	X := matrix.New(len(indices), cifar.ImageSize)
	sources := make([]string, len(indices))
	truth := make([]int, len(indices))
	for i, k := range indices {
		if k < 0 || k >= n {
			return nil, fmt.Errorf("image index %d is out of range: %s holds images 0..%d", k, file, n-1)
		}
		b.Image(X.Row(i), k, 0) // v/255: b is not normalised
		sources[i] = fmt.Sprintf("%s[%d]", file, k)
		truth[i] = b.Label(k)
	}
	return predict(models, X, sources, truth), nil
}

// predict classifies the raw images X with the models: each normalises its
// own copy of X with its statistics (if it has them) and gives its softmax
// probabilities; their mean is the prediction (network.PredictEnsemble's
// rule), its largest entry the class (the first on ties). The class names
// are the first model's.
func predict(models []*network.Model, X *matrix.Dense, sources []string, truth []int) []Prediction {
	var mean *matrix.Dense
	for _, m := range models {
		Xm := X.Clone()
		if len(m.Norm.Mean) > 0 {
			m.Norm.Apply(Xm)
		}
		_, probs := network.Predict(m.Params, Xm)
		if mean == nil {
			mean = probs
		} else {
			matrix.AddScaled(mean, mean, 1, probs)
		}
	}
	names := classNames(models[0])
	out := make([]Prediction, X.Rows())
	for i := range out {
		p := mean.Row(i)
		l := 0
		for k := range p {
			p[k] /= float64(len(models))
			if p[k] > p[l] {
				l = k
			}
		}
		out[i] = Prediction{Source: sources[i], Label: l, Class: names[l], Probability: p[l], TrueLabel: truth[i]}
		for _, k := range topClasses(p, l, TopClasses) {
			out[i].Top = append(out[i].Top, Guess{Label: k, Class: names[k], Probability: p[k]})
		}
	}
	return out
}

// topClasses returns the indices of the n largest probabilities of p,
// largest first, starting with first (the predicted class, which wins ties
// by coming first); other ties go to the lower index.
func topClasses(p []float64, first, n int) []int {
	order := []int{first}
	for k := range p {
		if k != first {
			order = append(order, k)
		}
	}
	slices.SortStableFunc(order[1:], func(a, b int) int { return cmp.Compare(p[b], p[a]) })
	return order[:min(n, len(order))]
}
