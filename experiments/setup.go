package experiments

import (
	"os"
	"path/filepath"
	"strings"

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
	Hidden  int          // m
	Init    network.Init // weight initialisation
	Split   string       // "batch1" or "all"
	NVal    int          // validation images of the "all" split
	Save    string       // if not empty, the trained model is saved there
	// StepSizeFromData sets n_s = 2⌊n / n_batch⌋ from the n training
	// images once they are loaded; Config.StepSize is then ignored.
	StepSizeFromData bool

	// liveGroup and liveTitle name the run on the live page (Setup.live):
	// the runs shown together, and this one among them; "": the Title alone.
	liveGroup, liveTitle string
}

// validate returns a usage error describing the first setting of s that
// cannot work, whatever the data. It is the one check of a run's settings
// (the section's own and Options' overrides of them), made by the exported
// function that runs s before anything runs, or by All for all its
// sections at once; the one check that needs the data, the batch against
// the training images, is checkBatch's, once the data is loaded.
func (s Setup) validate() error {
	switch {
	case s.Name == "" || strings.ContainsAny(s.Name, `/\`) || s.Name == "." || s.Name == "..":
		return Usagef("-name %q: give a plain directory name", s.Name)
	case isDir(s.Save):
		return Usagef("-save %s is a directory: give a file name, e.g. %s", s.Save, filepath.Join(s.Save, "model.bin"))
	case s.Hidden < 1:
		return Usagef("-hidden %d: need at least 1 hidden unit", s.Hidden)
	case s.Split != "batch1" && s.Split != "all":
		return Usagef("-split %q: use batch1 or all", s.Split)
	case s.Split == "all" && (s.NVal < 1 || s.NVal > maxNVal):
		return Usagef("-nval %d: must be between 1 and 49,999", s.NVal)
	}
	c := s.Config
	if s.StepSizeFromData { // the largest n_s = 2⌊n / n_batch⌋ of any split
		c.StepSize = max(1, 2*(maxTrain/max(c.BatchSize, 1)))
	}
	// every check but the data's: a training set of one batch fits any batch size
	if err := c.Validate(max(c.BatchSize, 1)); err != nil {
		return Usagef("%v", err)
	}
	return nil
}

// maxNVal is the most validation images the five batches can give: one
// training image must be left.
const maxNVal = 49999

// checkNVal returns a usage error unless n validation images (0: the
// run's own number) can be held out of the five batches, leaving one to
// train on: Options.NVal, as the ablation and the range test take it.
func checkNVal(n int) error {
	if n < 0 || n > maxNVal {
		return Usagef("-nval %d: must be between 1 and 49,999", n)
	}
	return nil
}

// isDir reports whether path names an existing directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return path != "" && err == nil && fi.IsDir()
}

// inputsOf returns the Inputs of the training run s: everything its result
// depends on (see store.Inputs).
func inputsOf(o Options, s Setup) store.Inputs {
	c := s.Config
	return store.Inputs{
		Version: store.Version, Experiment: s.Name, Data: o.shared.dataID, Seed: o.Seed,
		Split: s.Split, NVal: s.NVal, Hidden: s.Hidden, Init: s.Init.String(),
		Config: &c, StepSizeFromData: s.StepSizeFromData,
	}
}

// hyperparams describes the run s on data for summary.json.
func hyperparams(s Setup, data *cifar.Split, o Options) *store.Hyperparams {
	c := s.Config
	h := &store.Hyperparams{
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
		Name: name, Section: section, Split: "all", NVal: pick(o.NVal, nVal), Hidden: o.Hidden, Init: o.Init,
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
