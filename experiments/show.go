package experiments

import (
	"context"
	"fmt"
	"path/filepath"

	"twolayer/cifar"
	"twolayer/experiments/report"
	"twolayer/experiments/store"
	"twolayer/network"
)

// ShowFiles are the files Show writes besides the pictures.
var ShowFiles = []string{"show.html", "show.json"}

// Show draws what the saved model at modelPath learned and where it goes
// wrong on the CIFAR-10 test batch (found as for the experiments, from
// o.DataDir): it writes the pictures of WritePictures into o.OutDir
// itself (not a subdirectory), show.json (the Insight) and show.html, a
// self-contained page with the pictures and the numbers
// (report.ShowPage). The test images are normalised with the model's own
// statistics.
func Show(ctx context.Context, o Options, modelPath string) (*store.Insight, error) {
	return prepared(ctx, o, func(ctx context.Context, o Options) (*store.Insight, error) {
		if err := checkMemory(showNeed(modelPath)); err != nil {
			return nil, err
		}
		return show(ctx, o, modelPath)
	})
}

// show is the work of Show.
func show(ctx context.Context, o Options, modelPath string) (*store.Insight, error) {
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
	test := b
	if len(m.Norm.Mean) > 0 {
		test = b.WithStats(cifar.Stats(m.Norm))
	}
	in, err := Inspect(m, test)
	if err != nil {
		return nil, err
	}
	if err := WritePictures(o.OutDir, m, test, in); err != nil {
		return nil, err
	}
	err = store.WriteJSON(filepath.Join(o.OutDir, "show.json"), struct {
		Model string `json:"model"`
		Test  string `json:"test"`
		*store.Insight
	}{modelPath, cifar.BatchPath(dir, cifar.TestFile), in})
	if err != nil {
		return nil, err
	}
	if err := store.WriteBytesAtomic(filepath.Join(o.OutDir, "show.html"), report.ShowPage(o.OutDir, m, modelPath, in)); err != nil {
		return nil, err
	}
	return in, nil
}
