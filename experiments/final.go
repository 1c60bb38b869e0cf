package experiments

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"twolayer/experiments/report"
	"twolayer/experiments/store"
)

// Settings of the final training, section 3.4.
const (
	finalNVal   = 1000 // 49,000 / 1,000
	finalBatch  = 100
	finalCycles = 3
)

// FinalLambda returns the λ of the final training and where it came from:
// the best λ of the fine search in OUT/fine/summary.json if that exists,
// else Options.Lambda if set, else the report's 0.004.
func FinalLambda(o Options) (lambda float64, source string, err error) {
	o = o.withDefaults()
	path := filepath.Join(o.OutDir, "fine", store.SummaryFile)
	fine, err := store.Read[store.Search](path)
	switch {
	case err == nil && len(fine.Best) > 0:
		return fine.Best[0].Lambda, fmt.Sprintf("the best λ of the fine search (%s)", path), nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return 0, "", err
	case o.LambdaSet:
		return o.Lambda, "the -lambda flag (no fine search summary in " + path + ")", nil
	}
	lambda = report.References["final"].Lambda
	return lambda, fmt.Sprintf("the report's λ = %g (no fine search summary in %s, no -lambda)", lambda, path), nil
}

// Final reruns section 3.4: the best λ (see FinalLambda), batches of 100,
// three cycles with n_s = 2⌊n / n_batch⌋ (980 for 49,000 images, the rule of
// the searches; the assignment leaves n_s open), on 49,000 / 1,000 images
// of the five batches. The trained model is saved as OUT/final/model.bin,
// and pictures of its weights, its confusion matrix on the test set and its
// worst mistakes are drawn beside it (addPictures). A final training
// recorded with the same inputs (the λ among them) is kept (keptSection).
func Final(ctx context.Context, o Options) (*store.Final, error) {
	return prepared(ctx, o, func(ctx context.Context, o Options) (*store.Final, error) {
		lambda, source, err := FinalLambda(o)
		if err != nil {
			return nil, err
		}
		s := finalSetup(o, lambda)
		if err := s.validate(); err != nil {
			return nil, err
		}
		if err := checkMemory(finalNeed(o, s)); err != nil {
			return nil, err
		}
		return final(ctx, o, s, source)
	})
}

// finalSetup is the run of the final training with λ.
func finalSetup(o Options, lambda float64) Setup {
	s := allBatchesSetup(o, "final", "3.4", finalNVal, finalBatch, finalCycles)
	s.Title = fmt.Sprintf("3.4 Final training, λ = %g", lambda)
	s.Config.Lambda = lambda
	return s
}

// final is the work of Final: the run s, whose λ came from source.
func final(ctx context.Context, o Options, s Setup, source string) (*store.Final, error) {
	if _, err := FindData(ctx, o); err != nil {
		return nil, err
	}
	dir := filepath.Join(o.OutDir, "final")
	in := inputsOf(o, s)
	if r := keptSection[store.Final](o, dir, in); r != nil {
		o.publishKept(s, &r.Header, nil)
		return r, nil
	}
	if err := store.CheckOutput(o.OutDir, dir, finalBytes(s, o.Hidden)); err != nil {
		return nil, err
	}
	o.logf("final: λ = %g from %s", s.Config.Lambda, source)
	run, m, err := train(ctx, o, s)
	if err != nil {
		return nil, err
	}
	r := &store.Final{Header: run.Header, LambdaSource: source, Trailer: store.Trailer{Inputs: &in}, History: run.History}
	if err := store.Begin(dir); err != nil {
		return nil, err
	}
	r.Model = filepath.Join(dir, "model.bin")
	if err := store.SaveModel(r.Model, m); err != nil {
		return nil, err
	}
	r.Files = append(r.Files, "model.bin")
	data, err := loadSplit(ctx, o, s.Split, s.NVal) // the split train used, from the cache
	if err != nil {
		return nil, err
	}
	if r.Insight, err = addPictures(dir, m, data.Test); err != nil {
		return nil, err
	}
	r.Files = append(r.Files, r.Insight.Files...)
	if err := store.Write(r, runFiles(r.Title, r.History)); err != nil {
		return nil, err
	}
	return r, nil
}

// finalBytes estimates the bytes the final training of s writes: a run's
// files, the model and the pictures.
func finalBytes(s Setup, hidden int) int64 {
	return runBytes(s) + modelBytes(hidden) + picturesBytes
}
