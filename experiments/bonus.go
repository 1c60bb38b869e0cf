package experiments

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"

	"twolayer/experiments/store"
	"twolayer/network"
)

// The assignment's optional exercises, measured as an ablation ("Beyond the
// report"): starting from section 3.4's network, each row adds one technique
// to the row above and chooses that technique's settings (and λ) on the
// validation set. The data is the searches' split of the five batches,
// 45,000 training and 5,000 validation images; the test set is only ever
// evaluated, never used to choose.

// bonusNVal is the number of validation images of the ablation.
const bonusNVal = 5000

// bonusStep is one row of the plan: what it adds and the settings it
// chooses from, given the setting chosen by the row above.
type bonusStep struct {
	name, adds string
	candidates func(prev store.BonusSetting) []store.BonusSetting
}

// bonusPlan returns the rows of the ablation. The full plan is sized so that
// the whole ablation takes under 30 minutes on two cores; o.Quick keeps
// every row but trains narrower networks for less time, in a few minutes.
// o.WideHidden sets the wide rows' m; o.StepSize, o.Cycles and o.BatchSize
// override the schedule of every row (the long one keeps twice the n_s and
// one more cycle), for tests.
func bonusPlan(o Options) (start store.BonusSetting, steps []bonusStep) {
	// Section 3.4's network on the ablation's split: n_s = 2⌊45,000/100⌋,
	// three cycles, the report's initialisation and η.
	start = store.BonusSetting{Hidden: 50, Init: "small", EtaMin: 1e-5, EtaMax: 0.1, StepSize: 900, Cycles: 3, BatchSize: 100, Ensemble: 1}
	wide, longNs, longCycles := 1000, 1800, 4
	smallLambdas, wideLambdas := []float64{0, 0.001, 0.003}, []float64{3e-4, 1e-3}
	if o.Quick {
		start.StepSize, start.Cycles = 450, 2
		wide, longNs, longCycles = 200, 900, 3
		smallLambdas, wideLambdas = []float64{0, 0.003}, []float64{1e-3, 3e-3}
	}
	if o.StepSize != 0 {
		start.StepSize, longNs = o.StepSize, 2*o.StepSize
	}
	if o.Cycles != 0 {
		start.Cycles, longCycles = o.Cycles, o.Cycles+1
	}
	start.BatchSize = pick(o.BatchSize, start.BatchSize)
	wide = pick(o.WideHidden, wide)
	lambdas := func(s store.BonusSetting, ls []float64) []store.BonusSetting {
		out := make([]store.BonusSetting, len(ls))
		for i, l := range ls {
			out[i] = s
			out[i].Lambda = l
		}
		return out
	}
	ensembles := func(s store.BonusSetting) []store.BonusSetting {
		var out []store.BonusSetting
		for k := 1; k <= s.Cycles; k++ {
			s.Ensemble = k
			out = append(out, s)
		}
		return out
	}
	steps = []bonusStep{
		{"3.4's network", fmt.Sprintf("Section 3.4's network and schedule (m = 50, N(0, 0.01²) weights, batches of 100, %d cycles of 2·%d steps, η from 1e-5 to 0.1), images in the order of the files", start.Cycles, start.StepSize),
			func(s store.BonusSetting) []store.BonusSetting { return lambdas(s, smallLambdas) }},
		{"+ shuffling", "A new random order of the training images every epoch",
			func(s store.BonusSetting) []store.BonusSetting { s.Shuffle = true; return lambdas(s, smallLambdas) }},
		{"+ wider hidden layer", fmt.Sprintf("m = %d hidden units, weights from N(0, 1/d) and N(0, 1/m) (the sqrt initialisation, which keeps the scale of the activations whatever m)", wide),
			func(s store.BonusSetting) []store.BonusSetting {
				s.Hidden, s.Init = wide, "sqrt"
				return lambdas(s, wideLambdas)
			}},
		{"+ augmentation", "Every training image mirrored left to right with probability 1/2, drawn anew each epoch",
			func(s store.BonusSetting) []store.BonusSetting {
				s.Flip = true
				return lambdas(s, []float64{lambdaBelow(s.Lambda), s.Lambda})
			}},
		{"+ dropout", "Inverted dropout on the hidden layer during training, keep probability p, with λ one step down the grid (dropout regularises too)",
			func(s store.BonusSetting) []store.BonusSetting {
				s.Lambda = lambdaBelow(s.Lambda)
				a, b := s, s
				a.KeepProb, b.KeepProb = 0.5, 0.8
				return []store.BonusSetting{a, b}
			}},
		{"+ ensemble", "The mean of the softmax outputs of the networks at the ends of the last k cycles (snapshots of the same run)",
			ensembles},
		{"+ longer training", fmt.Sprintf("%d cycles of 2·%d steps instead of %d of 2·%d, with the ensemble of the last k cycle ends", longCycles, longNs, start.Cycles, start.StepSize),
			func(s store.BonusSetting) []store.BonusSetting {
				s.StepSize, s.Cycles = longNs, longCycles
				return ensembles(s)
			}},
	}
	return start, steps
}

// lambdaGrid is the grid of λ the ablation's candidates come from: about
// three steps per decade.
var lambdaGrid = []float64{0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1}

// lambdaBelow returns the value of lambdaGrid below λ (0 for λ at or below
// the grid's first non-zero value): augmentation and dropout regularise, so
// the rows that add them also try a smaller λ.
func lambdaBelow(lambda float64) float64 {
	below := 0.0
	for _, l := range lambdaGrid {
		if l < lambda {
			below = l
		}
	}
	return below
}

// Bonus runs the ablation of the assignment's optional exercises (see
// bonusPlan) and writes OUT/bonus/: summary.json (every row's setting,
// candidates and accuracies), curves-N.csv (the recordings of row N's run),
// the plots, and the model of the row with the best validation accuracy
// (model.bin, or ensemble.bin when it averages several networks).
//
// Each row chooses among its candidates on the validation set by successive
// halving: every candidate trains its first cycle, and the one with the best
// validation accuracy then trains to the end (the others stop there). The
// number of cycle ends averaged (Ensemble) is chosen on the validation set
// after the run. A row that only changes Ensemble reuses the row above's
// run.
func Bonus(ctx context.Context, o Options) (*store.Bonus, error) {
	return prepared(ctx, o, func(ctx context.Context, o Options) (*store.Bonus, error) {
		if err := checkBonus(o); err != nil {
			return nil, err
		}
		if err := checkMemory(bonusNeed(o)); err != nil {
			return nil, err
		}
		return bonus(ctx, o)
	})
}

// checkBonus checks the settings of the ablation's runs before anything
// runs: those of Options that it uses (the wide rows' m, the validation
// images, the schedule's overrides) make every candidate of every row, and
// each must be a valid training configuration (the batch against the
// training images is checked once they are loaded, checkBatch).
func checkBonus(o Options) error {
	if o.WideHidden < 0 {
		return Usagef("-hidden %d: the wide rows need at least 1 hidden unit (or 0 for the ablation's)", o.WideHidden)
	}
	if err := checkNVal(o.NVal); err != nil {
		return err
	}
	setting, steps := bonusPlan(o)
	check := func(s store.BonusSetting) error {
		if err := bonusConfig(s, o.Seed).Validate(max(s.BatchSize, 1)); err != nil {
			return Usagef("%v", err)
		}
		return nil
	}
	if err := check(setting); err != nil {
		return err
	}
	for _, st := range steps {
		cands := st.candidates(setting)
		for _, c := range cands {
			if err := check(c); err != nil {
				return err
			}
		}
		setting = cands[0] // the row below builds on one of them: each varies only what it chooses
	}
	return nil
}

// bonus is the work of Bonus.
func bonus(ctx context.Context, o Options) (*store.Bonus, error) {
	if _, err := FindData(ctx, o); err != nil {
		return nil, err
	}
	dir := filepath.Join(o.OutDir, "bonus")
	in := bonusInputs(o)
	if r := keptSection[store.Bonus](o, dir, in); r != nil {
		publishKeptBonus(o, r)
		return r, nil
	}
	if err := store.CheckOutput(o.OutDir, dir, bonusBytes(o)); err != nil {
		return nil, err
	}
	start := o.now()
	data, err := loadSplit(ctx, o, "all", in.NVal)
	if err != nil {
		return nil, err
	}
	setting, steps := bonusPlan(o)
	if err := checkBatch(setting.BatchSize, data.Train); err != nil {
		return nil, err
	}
	b := &store.Ablation{Quick: o.Quick}
	var prev *bonusRun
	var bestNets []*network.Params
	for i, st := range steps {
		rowStart := o.now()
		o.logf("bonus: row %d of %d, %s", i+1, len(steps), st.name)
		cands := st.candidates(setting)
		label, group := fmt.Sprintf("bonus %d/%d", i+1, len(steps)), bonusGroup(i, len(steps), st.name)
		run, judged, err := bonusTrain(ctx, o, data, cands, prev, label, group)
		if err != nil {
			return nil, fmt.Errorf("bonus row %d (%s): %w", i+1, st.name, err)
		}
		if run.curves == "" {
			run.curves = fmt.Sprintf("curves-%d.csv", i+1)
		}
		setting, judged = chooseEnsemble(cands, run, data.Validation, judged)
		nets := lastK(run.snapshots, setting.Ensemble)
		row := store.BonusRow{
			Name: st.name, Adds: st.adds, Setting: setting, Candidates: judged,
			Train:      network.EnsembleAccuracy(nets, firstImages(data.Train, store.BonusTrainImages)),
			Validation: network.EnsembleAccuracy(nets, data.Validation),
			Test:       network.EnsembleAccuracy(nets, data.Test),
			Epochs:     float64(2*setting.Cycles*setting.StepSize*setting.BatchSize) / float64(data.Train.Len()),
			Curves:     run.curves,
			History:    run.history,
		}
		if i > 0 {
			row.Change = row.Test - b.Rows[i-1].Test
		}
		row.Seconds = o.now().Sub(rowStart).Seconds()
		if run == prev { // the row above's run, its cycle ends averaged otherwise: shown finished
			o.publishFinished(liveStart(liveName{label, group, "the run of row " + strconv.Itoa(i)}, bonusHyperparams(run.setting, data)),
				run.history, bonusRowEnd(row, 0))
		} else {
			run.live.Finish(bonusRowEnd(row, run.seconds))
		}
		o.logf("bonus: %s: %s\n       train %.2f%%, validation %.2f%%, test %.2f%% (%.0f s)",
			st.name, setting, 100*row.Train, 100*row.Validation, 100*row.Test, row.Seconds)
		b.Rows = append(b.Rows, row)
		if i == 0 || row.Validation > b.Rows[b.Best].Validation {
			b.Best, bestNets = i, nets
		}
		prev = run
	}
	return writeBonus(o, data, b, bestNets, start, &in)
}

// bonusGroup is the live page's group of the runs of row i (0-based) of n:
// its candidates, side by side.
func bonusGroup(i, n int, name string) string {
	return fmt.Sprintf("bonus row %d/%d: %s", i+1, n, name)
}

// publishKeptBonus shows the rows of the ablation r, kept from an earlier
// execution, as finished runs on the live page: one per row, with its
// setting, its accuracies and its time.
func publishKeptBonus(o Options, r *store.Bonus) {
	if o.Hub == nil || r.Ablation == nil {
		return
	}
	for i, row := range r.Ablation.Rows {
		n := len(r.Ablation.Rows)
		end := bonusRowEnd(row, row.Seconds)
		end.Extra = append(end.Extra, keptFrom(&r.Header))
		o.publishFinished(liveStart(liveName{fmt.Sprintf("bonus %d/%d", i+1, n), bonusGroup(i, n, row.Name), barSetting(row.Setting)},
			bonusHyperparams(row.Setting, nil)), nil, end)
	}
}

// bonusConfig returns the network.Config of the run of s with the given
// seed: it records twice a cycle, and the training metrics on the first
// store.BonusTrainImages images (evaluating all 45,000 with a 1,000-unit
// hidden layer would cost as much as a third of an epoch each time).
func bonusConfig(s store.BonusSetting, seed uint64) network.Config {
	return network.Config{
		EtaMin: s.EtaMin, EtaMax: s.EtaMax, StepSize: s.StepSize, Cycles: s.Cycles, BatchSize: s.BatchSize,
		Lambda: s.Lambda, Shuffle: s.Shuffle, Seed: seed, KeepProb: s.KeepProb,
		Augment:         s.Augment(),
		RecordsPerCycle: 2, RecordInitial: true, RecordTrain: store.BonusTrainImages,
	}
}

// training returns s without its Ensemble: the part that decides how the
// networks are trained (two settings with the same training share a run).
func training(s store.BonusSetting) store.BonusSetting {
	s.Ensemble = 0
	return s
}

// bonusInputs returns the Inputs of the ablation with the options o: the
// plan itself is the program's (store.Version), so what varies is the
// data, the seed, the validation images, the wide rows' m, -quick (in the
// experiment's name) and the schedule's overrides (in Config).
func bonusInputs(o Options) store.Inputs {
	start, _ := bonusPlan(o)
	name := "bonus"
	if o.Quick {
		name = "bonus -quick"
	}
	wide := pick(o.WideHidden, 1000)
	if o.Quick {
		wide = pick(o.WideHidden, 200)
	}
	return store.Inputs{
		Version: store.Version, Experiment: name, Data: o.shared.dataID, Seed: o.Seed,
		Split: "all", NVal: pick(o.NVal, bonusNVal), Hidden: wide, Init: "sqrt",
		Config: &network.Config{StepSize: start.StepSize, Cycles: start.Cycles, BatchSize: start.BatchSize},
	}
}
