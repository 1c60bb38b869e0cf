package experiments

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"twolayer/cifar"
	"twolayer/experiments/progress"
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

// bonusRecordTrain is the number of training images (the first ones) on
// which the ablation records and reports training accuracy: evaluating all
// 45,000 with a 1,000-unit hidden layer would cost as much as a third of an
// epoch each time.
const bonusRecordTrain = 10000

// BonusSetting is everything that defines one run of the ablation.
type BonusSetting struct {
	Hidden    int     `json:"hidden"`    // m
	Init      string  `json:"init"`      // "small" or "sqrt"
	Lambda    float64 `json:"lambda"`    // λ
	KeepProb  float64 `json:"keep_prob"` // p of dropout; 0: none
	Flip      bool    `json:"flip"`      // random horizontal flips
	Shift     int     `json:"shift"`     // random translations by up to ±Shift pixels
	Shuffle   bool    `json:"shuffle"`   // a new order of the training images every epoch
	EtaMin    float64 `json:"eta_min"`
	EtaMax    float64 `json:"eta_max"`
	StepSize  int     `json:"step_size"` // n_s
	Cycles    int     `json:"cycles"`
	BatchSize int     `json:"batch_size"`
	// Ensemble is the number of networks whose softmax outputs are
	// averaged: those at the ends of the last Ensemble cycles (1: the final
	// network alone).
	Ensemble int `json:"ensemble"`
}

// training returns s without its Ensemble: the part that decides how the
// networks are trained (two settings with the same training share a run).
func (s BonusSetting) training() BonusSetting {
	s.Ensemble = 0
	return s
}

// config returns the network.Config of s's run with the given seed.
func (s BonusSetting) config(seed uint64) network.Config {
	return network.Config{
		EtaMin: s.EtaMin, EtaMax: s.EtaMax, StepSize: s.StepSize, Cycles: s.Cycles, BatchSize: s.BatchSize,
		Lambda: s.Lambda, Shuffle: s.Shuffle, Seed: seed, KeepProb: s.KeepProb,
		Augment:         networkAugment(s),
		RecordsPerCycle: 2, RecordInitial: true, RecordTrain: bonusRecordTrain,
	}
}

// networkAugment returns s's augmentation.
func networkAugment(s BonusSetting) network.Augment {
	return network.Augment{Flip: s.Flip, Shift: s.Shift}
}

// BonusCandidate is one setting a row tried, with the validation accuracy
// it was judged by.
type BonusCandidate struct {
	Setting            BonusSetting `json:"setting"`
	ValidationAccuracy float64      `json:"validation_accuracy"`
	// JudgedAfter says when: "1 cycle" for the runs that competed after
	// their first cycle, "the whole run" for the choice of Ensemble.
	JudgedAfter string `json:"judged_after"`
	Chosen      bool   `json:"chosen"`
}

// BonusRow is one row of the ablation table.
type BonusRow struct {
	Name       string           `json:"name"` // e.g. "+ dropout"
	Adds       string           `json:"adds"` // what the row adds, one sentence
	Setting    BonusSetting     `json:"setting"`
	Candidates []BonusCandidate `json:"candidates"`
	// Accuracies of the chosen setting (the ensemble when Ensemble > 1):
	// Train is on the first bonusRecordTrain training images.
	Train      float64 `json:"train_accuracy"`
	Validation float64 `json:"validation_accuracy"`
	Test       float64 `json:"test_accuracy"`
	Change     float64 `json:"test_change"` // Test minus the row above's
	Epochs     float64 `json:"epochs"`      // passes over the training set of the chosen run
	Seconds    float64 `json:"seconds"`     // the row's time, its candidates included
	Curves     string  `json:"curves,omitempty"`
	// History is the chosen run's recordings (not in summary.json; in Curves).
	History *network.History `json:"-"`
}

// BonusResult is the ablation, in summary.json's "bonus".
type BonusResult struct {
	Quick bool       `json:"quick"` // the few-minute version
	Rows  []BonusRow `json:"rows"`
	// Best is the row with the highest validation accuracy; its model (or
	// ensemble) is saved as Model.
	Best  int    `json:"best"`
	Model string `json:"model"`
}

// bonusStep is one row of the plan: what it adds and the settings it
// chooses from, given the setting chosen by the row above.
type bonusStep struct {
	name, adds string
	candidates func(prev BonusSetting) []BonusSetting
}

// bonusPlan returns the rows of the ablation. The full plan is sized so that
// the whole ablation takes under 30 minutes on two cores; o.Quick keeps
// every row but trains narrower networks for less time, in a few minutes.
// o.WideHidden sets the wide rows' m; o.StepSize, o.Cycles and o.BatchSize
// override the schedule of every row (the long one keeps twice the n_s and
// one more cycle), for tests.
func bonusPlan(o Options) (start BonusSetting, steps []bonusStep) {
	// Section 3.4's network on the ablation's split: n_s = 2⌊45,000/100⌋,
	// three cycles, the report's initialisation and η.
	start = BonusSetting{Hidden: 50, Init: "small", EtaMin: 1e-5, EtaMax: 0.1, StepSize: 900, Cycles: 3, BatchSize: 100, Ensemble: 1}
	wide, longNs, longCycles := 1000, 1800, 4
	smallLambdas, wideLambdas := []float64{0, 0.001, 0.003}, []float64{3e-4, 1e-3}
	if o.Quick {
		start.StepSize, start.Cycles = 450, 2
		wide, longNs, longCycles = 200, 900, 3
		smallLambdas, wideLambdas = []float64{0, 0.003}, []float64{1e-3, 3e-3}
	}
	if o.StepSize > 0 {
		start.StepSize, longNs = o.StepSize, 2*o.StepSize
	}
	if o.Cycles > 0 {
		start.Cycles, longCycles = o.Cycles, o.Cycles+1
	}
	start.BatchSize = pick(o.BatchSize, start.BatchSize)
	wide = pick(o.WideHidden, wide)
	lambdas := func(s BonusSetting, ls []float64) []BonusSetting {
		out := make([]BonusSetting, len(ls))
		for i, l := range ls {
			out[i] = s
			out[i].Lambda = l
		}
		return out
	}
	ensembles := func(s BonusSetting) []BonusSetting {
		var out []BonusSetting
		for k := 1; k <= s.Cycles; k++ {
			s.Ensemble = k
			out = append(out, s)
		}
		return out
	}
	steps = []bonusStep{
		{"3.4's network", fmt.Sprintf("Section 3.4's network and schedule (m = 50, N(0, 0.01²) weights, batches of 100, %d cycles of 2·%d steps, η from 1e-5 to 0.1), images in the order of the files", start.Cycles, start.StepSize),
			func(s BonusSetting) []BonusSetting { return lambdas(s, smallLambdas) }},
		{"+ shuffling", "A new random order of the training images every epoch",
			func(s BonusSetting) []BonusSetting { s.Shuffle = true; return lambdas(s, smallLambdas) }},
		{"+ wider hidden layer", fmt.Sprintf("m = %d hidden units, weights from N(0, 1/d) and N(0, 1/m) (the sqrt initialisation, which keeps the scale of the activations whatever m)", wide),
			func(s BonusSetting) []BonusSetting {
				s.Hidden, s.Init = wide, "sqrt"
				return lambdas(s, wideLambdas)
			}},
		{"+ augmentation", "Every training image mirrored left to right with probability 1/2, drawn anew each epoch",
			func(s BonusSetting) []BonusSetting {
				s.Flip = true
				return lambdas(s, []float64{lambdaBelow(s.Lambda), s.Lambda})
			}},
		{"+ dropout", "Inverted dropout on the hidden layer during training, keep probability p, with λ one step down the grid (dropout regularises too)",
			func(s BonusSetting) []BonusSetting {
				s.Lambda = lambdaBelow(s.Lambda)
				a, b := s, s
				a.KeepProb, b.KeepProb = 0.5, 0.8
				return []BonusSetting{a, b}
			}},
		{"+ ensemble", "The mean of the softmax outputs of the networks at the ends of the last k cycles (snapshots of the same run)",
			ensembles},
		{"+ longer training", fmt.Sprintf("%d cycles of 2·%d steps instead of %d of 2·%d, with the ensemble of the last k cycle ends", longCycles, longNs, start.Cycles, start.StepSize),
			func(s BonusSetting) []BonusSetting {
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

// bonusRun is a finished training run of the ablation: the networks at the
// end of each cycle (the last one is the final network) and its history.
type bonusRun struct {
	setting   BonusSetting // its training setting (Ensemble 0)
	snapshots []*network.Params
	history   *network.History
	curves    string // the file its history was written to
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
func Bonus(ctx context.Context, o Options) (*Result, error) {
	o = o.withDefaults()
	if _, err := FindData(ctx, o); err != nil {
		return nil, err
	}
	dir := filepath.Join(o.OutDir, "bonus")
	in := bonusInputs(o)
	if r := keptSection(o, dir, in); r != nil {
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
	b := &BonusResult{Quick: o.Quick}
	var prev *bonusRun
	var bestNets []*network.Params
	for i, st := range steps {
		rowStart := o.now()
		o.logf("bonus: row %d of %d, %s", i+1, len(steps), st.name)
		cands := st.candidates(setting)
		run, judged, err := bonusTrain(ctx, o, data, cands, prev, fmt.Sprintf("bonus %d/%d", i+1, len(steps)))
		if err != nil {
			return nil, fmt.Errorf("bonus row %d (%s): %w", i+1, st.name, err)
		}
		if run.curves == "" {
			run.curves = fmt.Sprintf("curves-%d.csv", i+1)
		}
		setting, judged = chooseEnsemble(cands, run, data.Validation, judged)
		nets := lastK(run.snapshots, setting.Ensemble)
		row := BonusRow{
			Name: st.name, Adds: st.adds, Setting: setting, Candidates: judged,
			Train:      network.EnsembleAccuracy(nets, firstImages(data.Train, bonusRecordTrain)),
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
		o.logf("bonus: %s: %s\n       train %.2f%%, validation %.2f%%, test %.2f%% (%.0f s)",
			st.name, settingLine(setting), 100*row.Train, 100*row.Validation, 100*row.Test, row.Seconds)
		b.Rows = append(b.Rows, row)
		if i == 0 || row.Validation > b.Rows[b.Best].Validation {
			b.Best, bestNets = i, nets
		}
		prev = run
	}
	r, err := writeBonus(o, data, b, bestNets, start)
	if r != nil {
		r.Inputs = &in
	}
	if err != nil {
		return nil, err
	}
	return r, WriteSummary(filepath.Join(r.Dir, "summary.json"), r)
}

// bonusInputs returns the Inputs of the ablation with the options o: the
// plan itself is the program's (resultsVersion), so what varies is the
// data, the seed, the validation images, the wide rows' m, -quick (in the
// experiment's name) and the schedule's overrides (in Config).
func bonusInputs(o Options) Inputs {
	start, _ := bonusPlan(o)
	name := "bonus"
	if o.Quick {
		name = "bonus -quick"
	}
	wide := pick(o.WideHidden, 1000)
	if o.Quick {
		wide = pick(o.WideHidden, 200)
	}
	return Inputs{
		Version: resultsVersion, Experiment: name, Data: o.shared.dataID, Seed: o.Seed,
		Split: "all", NVal: pick(o.NVal, bonusNVal), Hidden: wide, Init: "sqrt",
		Config: &network.Config{StepSize: start.StepSize, Cycles: start.Cycles, BatchSize: start.BatchSize},
	}
}

// bonusBytes estimates the bytes the ablation writes: the summary, the
// curves and plots of seven runs, the largest ensemble of wide networks
// the plan can save, and the pictures.
func bonusBytes(o Options) int64 {
	in := bonusInputs(o)
	_, steps := bonusPlan(o)
	cycles := int64(2 * in.Config.Cycles) // the long row's, at most
	records := int64(len(steps)) * 2 * cycles * 2
	return 2*summaryBytes + int64(len(steps))*csvRowBytes*records + 3*(svgBase+2*svgPerPoint*records) +
		cycles*modelBytes(in.Hidden) + picturesBytes
}

// chooseEnsemble returns, among the candidates that share run's training
// setting, the one whose ensemble (the last Ensemble cycle ends of run) has
// the best validation accuracy, and judged with those candidates added when
// there was a choice; each candidate of judged is marked Chosen if it led to
// the returned setting.
func chooseEnsemble(cands []BonusSetting, run *bonusRun, val cifar.Set, judged []BonusCandidate) (BonusSetting, []BonusCandidate) {
	var same []BonusSetting
	for _, c := range cands {
		if c.training() == run.setting {
			same = append(same, c)
		}
	}
	chosen, best := same[0], -1.0
	for _, c := range same {
		if len(same) == 1 {
			break
		}
		acc := network.EnsembleAccuracy(lastK(run.snapshots, c.Ensemble), val)
		judged = append(judged, BonusCandidate{Setting: c, ValidationAccuracy: acc, JudgedAfter: "the whole run"})
		if acc > best {
			chosen, best = c, acc
		}
	}
	for j, c := range judged {
		judged[j].Chosen = c.Setting == chosen || (c.JudgedAfter == "1 cycle" && c.Setting == chosen.training())
	}
	return chosen, judged
}

// lastK returns the last k networks of snapshots (all if there are fewer).
func lastK(snapshots []*network.Params, k int) []*network.Params {
	return snapshots[max(0, len(snapshots)-k):]
}

// firstImages returns the first n images of s (all if it has fewer).
func firstImages(s cifar.Set, n int) cifar.Set {
	n = min(n, s.Len())
	return cifar.Set{X: s.X.RowRange(0, n), Labels: s.Labels[:n]}
}

// bonusTrain returns the finished run of the candidates' training setting
// that does best on the validation set, with what each competing candidate
// scored. When the candidates share one training setting it is trained
// directly (or, if it is prev's, prev is returned untrained). Otherwise every
// distinct training setting trains one cycle, and only the best by
// validation accuracy (of its network at that point) trains on to the end;
// a candidate that diverges in its first cycle drops out (scored 0).
func bonusTrain(ctx context.Context, o Options, data *cifar.Split, cands []BonusSetting, prev *bonusRun, label string) (*bonusRun, []BonusCandidate, error) {
	var settings []BonusSetting
	for _, c := range cands {
		if t := c.training(); !containsSetting(settings, t) {
			settings = append(settings, t)
		}
	}
	if len(settings) == 1 && prev != nil && prev.setting == settings[0] {
		return prev, nil, nil
	}
	contenders := make([]*contender, len(settings))
	for i, s := range settings {
		c, err := newContender(o, data, s, label)
		if err != nil {
			return nil, nil, err
		}
		contenders[i] = c
	}
	var judged []BonusCandidate
	winner := contenders[0]
	if len(contenders) > 1 {
		winner = nil
		best := -1.0
		for _, c := range contenders {
			err := c.cycle(ctx)
			c.bar.Done()
			var diverged *network.DivergedError
			switch {
			case errors.As(err, &diverged):
				o.logf("bonus: %s diverged in its first cycle (%v); it drops out", settingLine(c.run.setting), err)
				judged = append(judged, BonusCandidate{Setting: c.run.setting, JudgedAfter: "1 cycle (diverged)"})
				continue
			case err != nil:
				return nil, nil, err
			}
			acc := network.Evaluate(c.tr.Net(), data.Validation, 0).Accuracy
			judged = append(judged, BonusCandidate{Setting: c.run.setting, ValidationAccuracy: acc, JudgedAfter: "1 cycle"})
			if acc > best {
				best, winner = acc, c
			}
		}
		if winner == nil {
			return nil, nil, fmt.Errorf("every candidate diverged in its first cycle")
		}
		winner.bar = o.bar(fmt.Sprintf("%s %s on", label, barSetting(winner.run.setting)))
	}
	for !winner.tr.Done() {
		if err := winner.cycle(ctx); err != nil {
			winner.bar.Done()
			return nil, nil, err
		}
	}
	winner.bar.Done()
	return winner.run, judged, nil
}

// contender is a run of the ablation in progress: its training and its
// progress display (replaced when the run goes on after a pause).
type contender struct {
	run *bonusRun
	tr  *network.Training
	bar *progress.Bar
}

// newContender sets up the run of setting s: weights from o.Seed, the
// training set and the validation set of data.
func newContender(o Options, data *cifar.Split, s BonusSetting, label string) (*contender, error) {
	init, err := network.ParseInit(s.Init)
	if err != nil {
		return nil, err
	}
	net := network.InitializeWeights(cifar.ImageSize, s.Hidden, cifar.NumClasses, init, o.Seed)
	c := &contender{bar: o.bar(fmt.Sprintf("%s %s", label, barSetting(s)))}
	c.tr, err = network.NewTraining(net, data.Train, data.Validation, s.config(o.Seed), func(p network.Progress) { c.bar.Update(p) })
	if err != nil {
		return nil, Usagef("%v", err)
	}
	c.run = &bonusRun{setting: s, history: c.tr.History}
	return c, nil
}

// cycle trains c for one more cycle and keeps the network at its end.
func (c *contender) cycle(ctx context.Context) error {
	if err := c.tr.Continue(ctx, 2*c.run.setting.StepSize); err != nil {
		return err
	}
	c.run.snapshots = append(c.run.snapshots, c.tr.Net().Clone())
	return nil
}

func containsSetting(list []BonusSetting, s BonusSetting) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// barSetting describes a setting's training in as few characters as a
// progress line's label allows (its schedule is on the line already), e.g.
// "m=1000 λ=3e-04 flip p=0.8".
func barSetting(s BonusSetting) string {
	lambda := fmt.Sprintf("%g", s.Lambda)
	if s.Lambda != 0 && s.Lambda < 1e-3 {
		lambda = fmt.Sprintf("%.0e", s.Lambda)
	}
	line := fmt.Sprintf("m=%d λ=%s", s.Hidden, lambda)
	if s.Flip {
		line += " flip"
	}
	if s.Shift > 0 {
		line += fmt.Sprintf(" shift±%d", s.Shift)
	}
	if s.KeepProb > 0 && s.KeepProb < 1 {
		line += fmt.Sprintf(" p=%g", s.KeepProb)
	}
	return line
}

// settingLine describes a setting in a few words, e.g. "m = 1000, λ = 0.001,
// flip, p = 0.5, 4 cycles of 2·1800".
func settingLine(s BonusSetting) string {
	line := fmt.Sprintf("m = %d, λ = %.3g", s.Hidden, s.Lambda)
	if s.Flip || s.Shift > 0 {
		line += ", " + networkAugment(s).String()
	}
	if s.KeepProb > 0 && s.KeepProb < 1 {
		line += fmt.Sprintf(", p = %g", s.KeepProb)
	}
	cycles := "cycles"
	if s.Cycles == 1 {
		cycles = "cycle"
	}
	line += fmt.Sprintf(", %d %s of 2·%d", s.Cycles, cycles, s.StepSize)
	if s.Ensemble > 1 {
		line += fmt.Sprintf(", ensemble of %d", s.Ensemble)
	}
	return line
}
