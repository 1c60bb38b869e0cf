package experiments

import (
	"context"
	"errors"
	"fmt"
	"time"

	"twolayer/cifar"
	"twolayer/experiments/progress"
	"twolayer/experiments/store"
	"twolayer/network"
	"twolayer/serve"
)

// The training of the ablation's rows: successive halving among a row's
// candidates (bonusTrain), and the choice of the ensemble (chooseEnsemble).

// bonusRun is a finished training run of the ablation: the networks at the
// end of each cycle (the last one is the final network) and its history.
type bonusRun struct {
	setting   store.BonusSetting // its training setting (Ensemble 0)
	snapshots []*network.Params
	history   *network.History
	curves    string // the file its history was written to

	live    *serve.Run // the run on the live page (nil: not serving)
	seconds float64    // its training time, for the page
}

// chooseEnsemble returns, among the candidates that share run's training
// setting, the one whose ensemble (the last Ensemble cycle ends of run) has
// the best validation accuracy, and judged with those candidates added when
// there was a choice; each candidate of judged is marked Chosen if it led to
// the returned setting.
func chooseEnsemble(cands []store.BonusSetting, run *bonusRun, val cifar.Images, judged []store.BonusCandidate) (store.BonusSetting, []store.BonusCandidate) {
	var same []store.BonusSetting
	for _, c := range cands {
		if training(c) == run.setting {
			same = append(same, c)
		}
	}
	chosen, best := same[0], -1.0
	for _, c := range same {
		if len(same) == 1 {
			break
		}
		acc := network.EnsembleAccuracy(lastK(run.snapshots, c.Ensemble), val)
		judged = append(judged, store.BonusCandidate{Setting: c, ValidationAccuracy: acc, JudgedAfter: "the whole run"})
		if acc > best {
			chosen, best = c, acc
		}
	}
	for j, c := range judged {
		judged[j].Chosen = c.Setting == chosen || (c.JudgedAfter == "1 cycle" && c.Setting == training(chosen))
	}
	return chosen, judged
}

// lastK returns the last k networks of snapshots (all if there are fewer).
func lastK(snapshots []*network.Params, k int) []*network.Params {
	return snapshots[max(0, len(snapshots)-k):]
}

// firstImages returns the first n images of s (all if it has fewer).
func firstImages(s cifar.Images, n int) cifar.Images { return s.Slice(0, min(n, s.Len())) }

// bonusTrain returns the finished run of the candidates' training setting
// that does best on the validation set, with what each competing candidate
// scored. When the candidates share one training setting it is trained
// directly (or, if it is prev's, prev is returned untrained). Otherwise every
// distinct training setting trains one cycle, and only the best by
// validation accuracy (of its network at that point) trains on to the end;
// a candidate that diverges in its first cycle drops out (scored 0).
//
// On the live page, each candidate is a run of the group (the row): the
// ones dropped after their first cycle end there, saying so; the caller
// finishes the winner's (bonusRun.live) once the row's accuracies are known.
func bonusTrain(ctx context.Context, o Options, data *cifar.Split, cands []store.BonusSetting, prev *bonusRun, label, group string) (_ *bonusRun, _ []store.BonusCandidate, err error) {
	var settings []store.BonusSetting
	for _, c := range cands {
		if t := training(c); !containsSetting(settings, t) {
			settings = append(settings, t)
		}
	}
	if len(settings) == 1 && prev != nil && prev.setting == settings[0] {
		return prev, nil, nil
	}
	contenders := make([]*contender, 0, len(settings))
	defer func() {
		if err != nil { // the runs on the page end too (a finished one's Finish is ignored)
			for _, c := range contenders {
				c.run.live.Finish(liveStopped(err, c.run.seconds))
			}
		}
	}()
	for _, s := range settings {
		c, err := newContender(o, data, s, label, group)
		if err != nil {
			return nil, nil, err
		}
		contenders = append(contenders, c)
	}
	var judged []store.BonusCandidate
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
				o.logf("bonus: %s diverged in its first cycle (%v); it drops out", c.run.setting, err)
				judged = append(judged, store.BonusCandidate{Setting: c.run.setting, JudgedAfter: "1 cycle (diverged)"})
				c.run.live.Finish(liveStopped(err, c.run.seconds))
				continue
			case err != nil:
				return nil, nil, err
			}
			acc := network.Evaluate(c.tr.Net(), data.Validation, 0).Accuracy
			judged = append(judged, store.BonusCandidate{Setting: c.run.setting, ValidationAccuracy: acc, JudgedAfter: "1 cycle"})
			if acc > best {
				best, winner = acc, c
			}
		}
		if winner == nil {
			return nil, nil, fmt.Errorf("every candidate diverged in its first cycle")
		}
		for i, c := range contenders {
			if c != winner {
				c.run.live.Finish(liveStopped(fmt.Errorf("dropped after its first cycle: validation accuracy %.2f%%, the best %.2f%%",
					100*judged[i].ValidationAccuracy, 100*best), c.run.seconds))
			}
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
	now func() time.Time // Options.now
}

// newContender sets up the run of setting s: weights from o.Seed, the
// training set and the validation set of data; on the live page, a run of
// group.
func newContender(o Options, data *cifar.Split, s store.BonusSetting, label, group string) (*contender, error) {
	init, err := network.ParseInit(s.Init)
	if err != nil {
		return nil, err
	}
	net := network.InitializeWeights(cifar.ImageSize, s.Hidden, cifar.NumClasses, init, o.Seed)
	c := &contender{bar: o.bar(fmt.Sprintf("%s %s", label, barSetting(s))), now: o.now, run: &bonusRun{setting: s}}
	start := liveStart(liveName{label + " " + barSetting(s), group, barSetting(s)}, bonusHyperparams(s, data))
	var update func(network.Progress)
	c.run.live, update = o.publish(start, net, data, func(p network.Progress) { c.bar.Update(p) })
	c.tr, err = network.NewTraining(net, data.Train, data.Validation, bonusConfig(s, o.Seed), update)
	if err != nil {
		c.run.live.Finish(liveStopped(err, 0))
		return nil, err
	}
	c.run.history = c.tr.History
	return c, nil
}

// cycle trains c for one more cycle and keeps the network at its end.
func (c *contender) cycle(ctx context.Context) error {
	start := c.now()
	defer func() { c.run.seconds += c.now().Sub(start).Seconds() }()
	if err := c.tr.Continue(ctx, 2*c.run.setting.StepSize); err != nil {
		return err
	}
	c.run.snapshots = append(c.run.snapshots, c.tr.Net().Clone())
	return nil
}

// bonusHyperparams are the hyperparameters of the ablation's run of s on
// data, as the live page shows them (liveStart).
func bonusHyperparams(s store.BonusSetting, data *cifar.Split) *store.Hyperparams {
	h := &store.Hyperparams{
		Lambda: s.Lambda, EtaMin: s.EtaMin, EtaMax: s.EtaMax, StepSize: s.StepSize, Cycles: s.Cycles, BatchSize: s.BatchSize,
		Updates: 2 * s.Cycles * s.StepSize, Hidden: s.Hidden, Init: s.Init, Shuffle: s.Shuffle, KeepProb: s.KeepProb,
	}
	if s.Flip || s.Shift > 0 {
		h.Augment = s.Augment().String()
	}
	if data != nil {
		h.Split, h.NTrain, h.NValidation = data.Name, data.Train.Len(), data.Validation.Len()
	}
	return h
}

// bonusRowEnd is the end of the run of an ablation's row on the live page:
// the row's accuracies (of its ensemble, the training one on the first
// store.BonusTrainImages images), the seconds its network trained, and the
// setting chosen.
func bonusRowEnd(row store.BonusRow, seconds float64) serve.RunEnd {
	test := accuracyOnly(row.Test)
	return serve.RunEnd{
		Final:   &serve.Final{Train: accuracyOnly(row.Train), Val: accuracyOnly(row.Validation), Test: &test},
		Seconds: seconds,
		Extra:   []serve.Param{{Key: "chosen", Value: row.Setting.String()}},
	}
}

func containsSetting(list []store.BonusSetting, s store.BonusSetting) bool {
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
func barSetting(s store.BonusSetting) string {
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
