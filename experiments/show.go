package experiments

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"twolayer/cifar"
	"twolayer/experiments/store"
	"twolayer/network"
)

// ShowFiles are the files Show writes besides the pictures.
var ShowFiles = []string{"show.html", "show.json"}

// Show draws what the saved model at modelPath learned and where it goes
// wrong on the CIFAR-10 test batch (found as for the experiments, from
// o.DataDir): it writes the pictures of WritePictures into o.OutDir
// itself (not a subdirectory), show.json (the Insight) and show.html, a
// self-contained page with the pictures and the numbers. The test images
// are normalised with the model's own statistics.
func Show(ctx context.Context, o Options, modelPath string) (*Insight, error) {
	o = o.withDefaults()
	m, err := network.LoadModel(modelPath)
	if err != nil {
		return nil, err
	}
	if err := checkModel(m); err != nil {
		return nil, fmt.Errorf("%s: %w", modelPath, err)
	}
	dir, err := FindData(ctx, o)
	if err != nil {
		return nil, err
	}
	b, err := cifar.LoadBatch(cifar.BatchPath(dir, cifar.TestFile))
	if err != nil {
		return nil, err
	}
	if _, _, k := m.Params.Dims(); len(m.Classes) == 0 && k == cifar.NumClasses {
		m.Classes = cifar.ClassNames(dir)
	}
	if len(m.Norm.Mean) > 0 {
		m.Norm.Apply(b.X)
	}
	test := cifar.Set{X: b.X, Labels: b.Labels}
	in, err := Inspect(m, test)
	if err != nil {
		return nil, err
	}
	if err := WritePictures(o.OutDir, m, test, in); err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(struct {
		Model string `json:"model"`
		Test  string `json:"test"`
		*Insight
	}{modelPath, cifar.BatchPath(dir, cifar.TestFile), in}, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := store.WriteBytesAtomic(filepath.Join(o.OutDir, "show.json"), append(data, '\n')); err != nil {
		return nil, err
	}
	d := showDocument(m, modelPath, in)
	if err := store.WriteBytesAtomic(filepath.Join(o.OutDir, "show.html"), d.html(o.OutDir)); err != nil {
		return nil, err
	}
	return in, nil
}

// showDocument lays out the page of Show.
func showDocument(m *network.Model, modelPath string, in *Insight) *document {
	d := &document{title: "What the network in " + filepath.Base(modelPath) + " learned"}
	_, hidden, k := m.Params.Dims()
	c := m.Config
	d.p("The model %s: %d inputs, %d hidden units (ReLU), %d classes; trained with λ = %.4g, η ∈ [%g, %g], n_s = %d, %d cycle(s), batch %d, seed %d. "+
		"Its accuracy on the %d images of the test batch: %s%%.",
		modelPath, cifar.ImageSize, hidden, k, c.Lambda, c.EtaMin, c.EtaMax, c.StepSize, c.Cycles, c.BatchSize, c.Seed, in.N, percent2(in.Accuracy))
	d.h("The network on the test set", "experiments.Show", "network.LoadModel", "cifar.LoadBatch", "network.Normalization.Apply")
	pictureSections(d, ".", in)
	return d
}
