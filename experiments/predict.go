package experiments

import (
	"fmt"
	"image/color"
	"image/png"
	"io"
	"os"

	"twolayer/cifar"
	"twolayer/matrix"
	"twolayer/network"
)

// Prediction is the class a model gives one image.
type Prediction struct {
	Source      string  `json:"source"` // "file.png" or "test_batch.bin[12]"
	Label       int     `json:"label"`
	Class       string  `json:"class"`
	Probability float64 `json:"probability"`
	TrueLabel   int     `json:"true_label"` // -1 when unknown (PNG files)
}

// ReadPNG reads a 32×32 PNG image as the 3,072 features of a CIFAR-10
// record: the 1,024 red, then green, then blue values of the pixels in
// row-major order, each byte v as v/255. Transparent pixels are taken as
// their colour without alpha. Any other size is an error saying so.
func ReadPNG(path string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// the size first, from the header: a photo of many megapixels (or a
	// header claiming billions of pixels) is refused without decoding it
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("%s is not a PNG image: %v", path, err)
	}
	if cfg.Width != 32 || cfg.Height != 32 {
		return nil, fmt.Errorf("%s is %d×%d pixels: the network classifies 32×32 images; resize it first", path, cfg.Width, cfg.Height)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s is not a PNG image: %v", path, err)
	}
	b := img.Bounds()
	x := make([]float64, cifar.ImageSize)
	for row := range 32 {
		for col := range 32 {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+col, b.Min.Y+row)).(color.NRGBA)
			j := row*32 + col
			x[j] = float64(c.R) / 255
			x[1024+j] = float64(c.G) / 255
			x[2048+j] = float64(c.B) / 255
		}
	}
	return x, nil
}

// checkModel returns an error when m does not take CIFAR-10 images.
func checkModel(m *network.Model) error {
	if d, _, _ := m.Params.Dims(); d != cifar.ImageSize {
		return fmt.Errorf("the model takes %d inputs, not the %d of a CIFAR-10 image", d, cifar.ImageSize)
	}
	return nil
}

// PredictPNGs classifies 32×32 PNG files with the model m (normalised with
// the model's Mean and Std).
func PredictPNGs(m *network.Model, paths []string) ([]Prediction, error) {
	if err := checkModel(m); err != nil {
		return nil, err
	}
	X := matrix.New(len(paths), cifar.ImageSize)
	for i, p := range paths {
		x, err := ReadPNG(p)
		if err != nil {
			return nil, err
		}
		copy(X.Row(i), x)
	}
	truth := make([]int, len(paths))
	for i := range truth {
		truth[i] = -1
	}
	return predict(m, X, paths, truth), nil
}

// PredictBatch classifies the images with the given indices of a CIFAR-10
// batch file, reporting each one's true label too.
func PredictBatch(m *network.Model, file string, indices []int) ([]Prediction, error) {
	if err := checkModel(m); err != nil {
		return nil, err
	}
	b, err := cifar.LoadBatch(file)
	if err != nil {
		return nil, err
	}
	n := b.X.Rows()
	X := matrix.New(len(indices), cifar.ImageSize)
	sources := make([]string, len(indices))
	truth := make([]int, len(indices))
	for i, k := range indices {
		if k < 0 || k >= n {
			return nil, fmt.Errorf("image index %d is out of range: %s holds images 0..%d", k, file, n-1)
		}
		copy(X.Row(i), b.X.Row(k))
		sources[i] = fmt.Sprintf("%s[%d]", file, k)
		truth[i] = b.Labels[k]
	}
	return predict(m, X, sources, truth), nil
}

// predict normalises X with the model's statistics (if it has them) and
// classifies it.
func predict(m *network.Model, X *matrix.Dense, sources []string, truth []int) []Prediction {
	if len(m.Stats.Mean) > 0 {
		m.Stats.Apply(X)
	}
	labels, probs := network.Predict(m.Params, X)
	out := make([]Prediction, len(labels))
	for i, l := range labels {
		class := fmt.Sprint(l)
		if l < len(m.Classes) {
			class = m.Classes[l]
		}
		out[i] = Prediction{Source: sources[i], Label: l, Class: class, Probability: probs.At(i, l), TrueLabel: truth[i]}
	}
	return out
}
