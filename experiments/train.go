package experiments

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"twolayer/cifar"
	"twolayer/network"
)

// Setup is one training run: what to train, on which data, and where the
// results go.
type Setup struct {
	Name    string // output directory name under Options.OutDir, e.g. "one-cycle"
	Section string // report section, e.g. "3.1(a)"; "" for a free run
	Title   string // used in plots and the report
	Config  network.Config
	Hidden  int          // m; 0 means Options.Hidden
	Init    network.Init // weight initialisation
	Split   string       // "batch1" or "all"
	NVal    int          // validation images of the "all" split
	Save    string       // if not empty, the trained model is saved there
}

// Train runs one training run described by s and writes its outputs under
// OutDir/s.Name: summary.json (with train, validation and test metrics at
// the end), curves.csv and the plots. A cancelled ctx stops training; the
// outputs are then not written and the error is ctx.Err().
func Train(ctx context.Context, o Options, s Setup) (*Result, error) {
	o = o.withDefaults()
	r, _, err := train(ctx, o, s)
	if err != nil {
		return nil, err
	}
	if err := writeOutputs(r, nil); err != nil {
		return nil, err
	}
	return r, nil
}

// train does the work of Train without writing anything (but the model
// file when s.Save is set): it returns the result (with History) and the
// trained model with the statistics of its training set.
func train(ctx context.Context, o Options, s Setup) (*Result, *network.Model, error) {
	start := time.Now()
	if s.Hidden == 0 {
		s.Hidden = o.Hidden
	}
	if s.Split == "all" && s.NVal == 0 {
		s.NVal = 1000
	}
	if s.Hidden < 1 {
		return nil, nil, Usagef("the number of hidden units (%d) must be at least 1", s.Hidden)
	}
	if s.Split != "batch1" && s.Split != "all" {
		return nil, nil, Usagef("unknown split %q: use batch1 or all", s.Split)
	}
	// settings that cannot work with any data are reported before loading it
	if err := s.Config.Validate(max(s.Config.BatchSize, 1)); err != nil {
		return nil, nil, Usagef("%v", err)
	}
	data, err := loadSplit(ctx, o, s.Split, s.NVal)
	if err != nil {
		return nil, nil, err
	}
	trainSet, valSet, testSet := set(data.Train), set(data.Validation), set(data.Test)
	if err := s.Config.Validate(trainSet.Len()); err != nil {
		return nil, nil, Usagef("%v", err)
	}
	p := network.InitializeWeights(cifar.ImageSize, s.Hidden, cifar.NumClasses, s.Init, o.Seed)
	bar := o.bar(s.Name)
	hist, err := network.MiniBatchGD(ctx, p, trainSet, valSet, s.Config, bar.Update)
	bar.Done()
	if err != nil {
		return nil, nil, err
	}
	lambda := s.Config.Lambda
	test := fromNetwork(network.Evaluate(p, testSet, lambda))
	r := &Result{
		Experiment: s.Name,
		Section:    s.Section,
		Title:      s.Title,
		Params:     params(s, data, o),
		Final: &FinalMetrics{
			Train:      fromNetwork(network.Evaluate(p, trainSet, lambda)),
			Validation: fromNetwork(network.Evaluate(p, valSet, lambda)),
			Test:       &test,
		},
		History: hist,
		Dir:     filepath.Join(o.OutDir, s.Name),
	}
	m := &network.Model{Params: p, Mean: data.Stats.Mean, Std: data.Stats.Std, Config: s.Config, Classes: cifar.ClassNames(o.shared.dir)}
	if s.Save != "" {
		if err := os.MkdirAll(filepath.Dir(s.Save), 0o755); err != nil {
			return nil, nil, err
		}
		if err := m.Save(s.Save); err != nil {
			return nil, nil, err
		}
		r.Model = s.Save
	}
	r.Seconds = time.Since(start).Seconds()
	return r, m, nil
}

// params describes the run s on data for summary.json.
func params(s Setup, data *cifar.Split, o Options) *Params {
	c := s.Config
	return &Params{
		Lambda: c.Lambda, EtaMin: c.EtaMin, EtaMax: c.EtaMax,
		StepSize: c.StepSize, Cycles: c.Cycles, BatchSize: c.BatchSize, Updates: c.Steps(),
		Hidden: s.Hidden, Init: s.Init.String(), Shuffle: c.Shuffle, RecordsPerCycle: c.RecordsPerCycle,
		Seed: o.Seed, Split: data.Name,
		NTrain: data.Train.Len(), NValidation: data.Validation.Len(), NTest: data.Test.Len(),
		DataDir: o.shared.dir,
	}
}

// reportConfig returns the report's configuration: η from 1e-5 to 1e-1,
// 10 recordings per cycle (and one before training), no shuffling, with
// the given λ, n_s, cycles and batch size, then Options' overrides.
func reportConfig(o Options, lambda float64, stepSize, cycles, batch int) network.Config {
	return network.Config{
		EtaMin: 1e-5, EtaMax: 1e-1,
		StepSize:        pick(o.StepSize, stepSize),
		Cycles:          pick(o.Cycles, cycles),
		BatchSize:       pick(o.BatchSize, batch),
		Lambda:          lambda,
		RecordsPerCycle: pick(o.RecordsPerCycle, 10),
		RecordInitial:   true,
		Seed:            o.Seed,
	}
}
