package experiments

import (
	"context"
	"path/filepath"
	"time"

	"twolayer/cifar"
	"twolayer/experiments/store"
	"twolayer/network"
)

// Setup is one training run: what to train, on which data, and where the
// results go.
type Setup struct {
	Name    string // output directory name under Options.OutDir, e.g. "one-cycle"
	Section string // report section, e.g. "3.1(a)"; "" for a free run
	Title   string // used in plots and the report
	Label   string // the progress display's label; "" means Name
	Config  network.Config
	Hidden  int          // m; 0 means Options.Hidden
	Init    network.Init // weight initialisation
	Split   string       // "batch1" or "all"
	NVal    int          // validation images of the "all" split
	Save    string       // if not empty, the trained model is saved there
	// StepSizeFromData sets n_s = 2⌊n / n_batch⌋ from the n training
	// images once they are loaded; Config.StepSize is then ignored.
	StepSizeFromData bool
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
	in := inputsOf(o, s)
	r.Inputs = &in
	if err := writeOutputs(r, nil); err != nil {
		return nil, err
	}
	return r, nil
}

// train does the work of Train without writing anything (but the model
// file when s.Save is set): it returns the result (with History) and the
// trained model with the statistics of its training set. Its Seconds are
// those of the training and the final evaluation (the data are loaded
// first, or taken from the cache, and not counted).
func train(ctx context.Context, o Options, s Setup) (*Result, *network.Model, error) {
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
	check := s.Config
	if s.StepSizeFromData {
		check.StepSize = 1
	}
	if err := check.Validate(max(check.BatchSize, 1)); err != nil {
		return nil, nil, Usagef("%v", err)
	}
	data, err := loadSplit(ctx, o, s.Split, s.NVal)
	if err != nil {
		return nil, nil, err
	}
	if s.StepSizeFromData {
		s.Config.StepSize = 2 * (data.Train.Len() / max(s.Config.BatchSize, 1))
	}
	if err := s.Config.Validate(data.Train.Len()); err != nil {
		return nil, nil, Usagef("%v", err)
	}
	start := o.now()
	net := network.InitializeWeights(cifar.ImageSize, s.Hidden, cifar.NumClasses, s.Init, o.Seed)
	label := s.Label
	if label == "" {
		label = s.Name
	}
	bar := o.bar(label)
	hist, err := network.MiniBatchGD(ctx, net, data.Train, data.Validation, s.Config, bar.Update)
	bar.Done()
	if err != nil {
		return nil, nil, err
	}
	lambda := s.Config.Lambda
	test := network.Evaluate(net, data.Test, lambda)
	r := &Result{
		Experiment:  s.Name,
		Section:     s.Section,
		Title:       s.Title,
		Hyperparams: hyperparams(s, data, o),
		Final: &FinalMetrics{
			Train:      network.Evaluate(net, data.Train, lambda),
			Validation: network.Evaluate(net, data.Validation, lambda),
			Test:       &test,
		},
		History: hist,
		Dir:     filepath.Join(o.OutDir, s.Name),
	}
	m := &network.Model{Params: net, Norm: network.Normalization(data.Stats), Config: s.Config, Classes: cifar.ClassNames(o.shared.dir)}
	if s.Save != "" {
		if err := SaveModel(s.Save, m); err != nil {
			return nil, nil, err
		}
		r.Model = s.Save
	}
	end := o.now()
	r.Seconds = end.Sub(start).Seconds()
	r.Finished = end.UTC().Format(time.RFC3339)
	return r, m, nil
}

// trainSection is Train for a run of the report: the result recorded under
// OUT/s.Name from the same inputs is kept (keptSection); otherwise it checks
// that OUT can take the results (checkOutput), then trains.
func trainSection(ctx context.Context, o Options, s Setup) (*Result, error) {
	o = o.withDefaults()
	if _, err := FindData(ctx, o); err != nil {
		return nil, err
	}
	dir := filepath.Join(o.OutDir, s.Name)
	if r := keptSection(o, dir, inputsOf(o, s)); r != nil {
		return r, nil
	}
	if err := store.CheckOutput(o.OutDir, dir, runBytes(s)); err != nil {
		return nil, err
	}
	return Train(ctx, o, s)
}

// SaveModel writes m to path in the model file format (network.Model),
// atomically (WriteFileAtomic), creating the directory if needed.
func SaveModel(path string, m *network.Model) error {
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	return store.WriteBytesAtomic(path, b)
}

// hyperparams describes the run s on data for summary.json.
func hyperparams(s Setup, data *cifar.Split, o Options) *Hyperparams {
	c := s.Config
	h := &Hyperparams{
		Lambda: c.Lambda, EtaMin: c.EtaMin, EtaMax: c.EtaMax,
		StepSize: c.StepSize, Cycles: c.Cycles, BatchSize: c.BatchSize, Updates: c.Steps(),
		Hidden: s.Hidden, Init: s.Init.String(), Shuffle: c.Shuffle, RecordsPerCycle: c.RecordsPerCycle, KeepProb: c.KeepProb,
		Seed: o.Seed, Split: data.Name,
		NTrain: data.Train.Len(), NValidation: data.Validation.Len(), NTest: data.Test.Len(),
		DataDir: o.shared.dir,
	}
	if c.Augment.On() {
		h.Augment = c.Augment.String()
	}
	return h
}

// allBatchesSetup returns the setup of a run on the split of all five
// batches that the searches (3.2, 3.3) and the final training (3.4) use,
// with nVal validation images, batches of batch images and cycles cycles of
// n_s = 2⌊n / n_batch⌋ steps, n the training images (docs/assignment.md,
// "Cyclical learning rate"; train sets n_s once the data is loaded);
// Options override nVal, batch, cycles and n_s. λ is 0 and the title empty,
// for the caller to set.
func allBatchesSetup(o Options, name, section string, nVal, batch, cycles int) Setup {
	return Setup{
		Name: name, Section: section, Split: "all", NVal: pick(o.NVal, nVal), Init: o.Init,
		Config:           reportConfig(o, 0, 0, cycles, batch),
		StepSizeFromData: o.StepSize == 0,
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
