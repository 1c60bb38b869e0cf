package experiments

import (
	"fmt"
	"image"
	"path/filepath"

	"twolayer/cifar"
	"twolayer/experiments/picture"
	"twolayer/experiments/store"
	"twolayer/network"
)

// WritePictures draws the model m and what Inspect found on test into
// dir, and records the files in in.Files:
//
//	weights.png    the first store.WeightsShown rows of W1 (one per hidden unit), numbered from 1
//	templates.png  the K rows of W2·W1 (ClassTemplates), with the class names
//	confusion.png  the confusion matrix as a heat map (picture.Confusion)
//	mistakes.png   the gallery of in.Mistakes: image, true class, predicted class, probability
//
// Weights are drawn by picture.FromWeights (each unit scaled to its own
// range); the test images are drawn from their pixel bytes. Every file is
// written atomically.
func WritePictures(dir string, m *network.Model, test cifar.Images, in *store.Insight) error {
	if err := checkModel(m); err != nil {
		return err
	}
	p := m.Params
	var units []picture.Tile
	for i := range min(p.W1.Rows(), store.WeightsShown) {
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
			Image: picture.FromPixels(pixelValues(test.Pixels(mk.Index))),
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
		{store.WeightsPNG, func() *image.NRGBA { return picture.Grid(units, 10, 3, 1) }},
		{store.TemplatesPNG, func() *image.NRGBA { return picture.Grid(classes, 5, 4, 2) }},
		{store.ConfusionPNG, func() *image.NRGBA { return picture.Confusion(in.Confusion, in.Classes) }},
		{store.MistakesPNG, func() *image.NRGBA { return picture.Grid(gallery, 6, 3, 1) }},
	}
	in.Files = nil
	for _, pic := range pics {
		if pic.name == store.MistakesPNG && len(gallery) == 0 {
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

// pixelValues returns the values v/255 of an image's pixel bytes, as
// picture.FromPixels draws them.
func pixelValues(pix []byte) []float64 {
	x := make([]float64, len(pix))
	for j, v := range pix {
		x[j] = float64(v) / 255
	}
	return x
}

// addPictures draws the pictures of the trained model m on the test set
// into dir (see Inspect and WritePictures) and returns what Inspect found,
// with the pictures in its Files; the report shows them in the run's
// section. test must be normalised as m expects (the test set of the
// cifar.Split the model was trained on is).
func addPictures(dir string, m *network.Model, test cifar.Images) (*store.Insight, error) {
	in, err := Inspect(m, test)
	if err != nil {
		return nil, err
	}
	if err := WritePictures(dir, m, test, in); err != nil {
		return nil, err
	}
	return in, nil
}
