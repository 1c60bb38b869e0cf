package experiments

import (
	"context"
	"path/filepath"
	"time"

	"twolayer/cifar"
	"twolayer/experiments/store"
	"twolayer/network"
)

// Train runs one training run described by s and writes its outputs under
// OutDir/s.Name: summary.json (with train, validation and test metrics at
// the end), curves.csv and the plots. Settings that cannot work are usage
// errors, found before the data is loaded (but for a batch larger than the
// training set). A cancelled ctx stops training; the outputs are then not
// written and the error is ctx.Err().
func Train(ctx context.Context, o Options, s Setup) (*store.Run, error) {
	return prepared(ctx, o, func(ctx context.Context, o Options) (*store.Run, error) {
		if err := s.validate(); err != nil {
			return nil, err
		}
		if err := checkMemory(trainNeed(s, trainFlags(s))); err != nil {
			return nil, err
		}
		return trainAndWrite(ctx, o, s)
	})
}

// trainAndWrite trains s (see train) and writes its files.
func trainAndWrite(ctx context.Context, o Options, s Setup) (*store.Run, error) {
	r, _, err := train(ctx, o, s)
	if err != nil {
		return nil, err
	}
	in := inputsOf(o, s)
	r.Inputs = &in
	if err := store.Write(r, runFiles(r.Title, r.History)); err != nil {
		return nil, err
	}
	return r, nil
}

// train does the work of Train without writing anything (but the model
// file when s.Save is set): it returns the result (with History) and the
// trained model with the statistics of its training set. Its Seconds are
// those of the training and the final evaluation (the data are loaded
// first, or taken from the cache, and not counted). s is valid: built from
// checked Options, or checked by Setup.validate.
func train(ctx context.Context, o Options, s Setup) (_ *store.Run, _ *network.Model, err error) {
	data, err := loadSplit(ctx, o, s.Split, s.NVal)
	if err != nil {
		return nil, nil, err
	}
	if err := checkBatch(s.Config.BatchSize, data.Train); err != nil {
		return nil, nil, err
	}
	if s.StepSizeFromData {
		s.Config.StepSize = 2 * (data.Train.Len() / s.Config.BatchSize)
	}
	start := o.now()
	net := network.InitializeWeights(cifar.ImageSize, s.Hidden, cifar.NumClasses, s.Init, o.Seed)
	label := s.Label
	if label == "" {
		label = s.Name
	}
	bar := o.bar(label)
	hyper := hyperparams(s, data, o)
	live, update := o.publish(liveStart(s.live(), hyper), net, data, bar.Update)
	defer func() {
		if err != nil {
			live.Finish(liveStopped(err, o.now().Sub(start).Seconds()))
		}
	}()
	hist, err := network.MiniBatchGD(ctx, net, data.Train, data.Validation, s.Config, update)
	bar.Done()
	if err != nil {
		return nil, nil, err
	}
	lambda := s.Config.Lambda
	test := network.Evaluate(net, data.Test, lambda)
	r := &store.Run{
		Header: store.Header{
			Experiment:  s.Name,
			Section:     s.Section,
			Title:       s.Title,
			Hyperparams: hyper,
			Final: &store.FinalMetrics{
				Train:      network.Evaluate(net, data.Train, lambda),
				Validation: network.Evaluate(net, data.Validation, lambda),
				Test:       &test,
			},
			Dir: filepath.Join(o.OutDir, s.Name),
		},
		History: hist,
	}
	m := &network.Model{Params: net, Norm: network.Normalization(data.Stats), Config: s.Config, Classes: cifar.ClassNames(o.shared.dir)}
	if s.Save != "" {
		if err := store.SaveModel(s.Save, m); err != nil {
			return nil, nil, err
		}
		r.Model = s.Save
	}
	end := o.now()
	r.Seconds = end.Sub(start).Seconds()
	r.Finished = end.UTC().Format(time.RFC3339)
	live.Finish(liveEnd(r.Final, r.Seconds))
	return r, m, nil
}

// trainSection is Train for a run of the report: the result recorded under
// OUT/s.Name from the same inputs is kept (keptSection); otherwise it checks
// that OUT can take the results (store.CheckOutput), then trains.
func trainSection(ctx context.Context, o Options, s Setup) (*store.Run, error) {
	if _, err := FindData(ctx, o); err != nil {
		return nil, err
	}
	dir := filepath.Join(o.OutDir, s.Name)
	if r := keptSection[store.Run](o, dir, inputsOf(o, s)); r != nil {
		o.publishKept(s, &r.Header, nil)
		return r, nil
	}
	if err := store.CheckOutput(o.OutDir, dir, runBytes(s)); err != nil {
		return nil, err
	}
	return trainAndWrite(ctx, o, s)
}

// keptSection returns the summary of section dir recorded with the inputs
// in (see store.Kept) and says so on the log; when there is a record that
// cannot be kept, it says why the section is computed again. A nil result
// means: compute it.
func keptSection[T any, PT interface {
	*T
	store.Summary
}](o Options, dir string, in store.Inputs) PT {
	s, why := store.Kept[T, PT](dir, in, o.Fresh)
	switch {
	case s != nil:
		o.logf("%s: kept from the run of %s (same parameters, seed and data; -fresh recomputes it)", in.Experiment, s.Head().Date())
	case why != "":
		o.logf("%s: recomputing: %s", in.Experiment, why)
	}
	return s
}
