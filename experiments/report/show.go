package report

import (
	"path/filepath"

	"twolayer/experiments/store"
	"twolayer/network"
)

// ShowPage returns the page of the show command, show.html: what the
// saved model at modelPath learned and where it goes wrong on the test set
// (in, with its pictures in dir), self-contained.
func ShowPage(dir string, m *network.Model, modelPath string, in *store.Insight) []byte {
	return showDocument(m, modelPath, in).html(dir)
}

// showDocument lays out the page of ShowPage.
func showDocument(m *network.Model, modelPath string, in *store.Insight) *document {
	d := &document{title: "What the network in " + filepath.Base(modelPath) + " learned"}
	inputs, hidden, k := m.Params.Dims()
	c := m.Config
	d.p("The model %s: %d inputs, %d hidden units (ReLU), %d classes; trained with λ = %.4g, η ∈ [%g, %g], n_s = %d, %d cycle(s), batch %d, seed %d. "+
		"Its accuracy on the %d images of the test batch: %s%%.",
		modelPath, inputs, hidden, k, c.Lambda, c.EtaMin, c.EtaMax, c.StepSize, c.Cycles, c.BatchSize, c.Seed, in.N, percent2(in.Accuracy))
	d.h("The network on the test set", "experiments.Show", "network.LoadModel", "cifar.LoadBatch", "cifar.Images.WithStats", "network.PredictData")
	pictureSections(d, ".", in)
	return d
}
