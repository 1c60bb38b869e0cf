package experiments

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"twolayer/experiments/store"
)

// Settings of the final training, section 3.4.
const (
	finalNVal    = 1000 // 49,000 / 1,000
	finalBatch   = 100
	finalCycles  = 3
	reportLambda = 0.004 // the report's best λ
)

// FinalLambda returns the λ of the final training and where it came from:
// the best λ of the fine search in OUT/fine/summary.json if that exists,
// else Options.Lambda if set, else the report's 0.004.
func FinalLambda(o Options) (lambda float64, source string, err error) {
	o = o.withDefaults()
	path := filepath.Join(o.OutDir, "fine", "summary.json")
	fine, err := ReadSummary(path)
	switch {
	case err == nil && len(fine.Best) > 0:
		return fine.Best[0].Lambda, fmt.Sprintf("the best λ of the fine search (%s)", path), nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return 0, "", err
	case o.LambdaSet:
		return o.Lambda, "the -lambda flag (no fine search summary in " + path + ")", nil
	}
	return reportLambda, "the report's λ = 0.004 (no fine search summary in " + path + ", no -lambda)", nil
}

// Final reruns section 3.4: the best λ (see FinalLambda), batches of 100,
// three cycles with n_s = 2⌊n / n_batch⌋ (980 for 49,000 images, the rule of
// the searches; the assignment leaves n_s open), on 49,000 / 1,000 images
// of the five batches. The trained model is saved as OUT/final/model.bin,
// and pictures of its weights, its confusion matrix on the test set and its
// worst mistakes are drawn beside it (AddPictures). A final training
// recorded with the same inputs (the λ among them) is kept (keptSection).
func Final(ctx context.Context, o Options) (*Result, error) {
	o = o.withDefaults()
	lambda, source, err := FinalLambda(o)
	if err != nil {
		return nil, err
	}
	if _, err := FindData(ctx, o); err != nil {
		return nil, err
	}
	s := allBatchesSetup(o, "final", "3.4", finalNVal, finalBatch, finalCycles)
	s.Title = fmt.Sprintf("3.4 Final training, λ = %g", lambda)
	s.Config.Lambda = lambda
	dir := filepath.Join(o.OutDir, "final")
	in := inputsOf(o, s)
	if r := keptSection(o, dir, in); r != nil {
		return r, nil
	}
	if err := store.CheckOutput(o.OutDir, dir, finalBytes(s, o.Hidden)); err != nil {
		return nil, err
	}
	o.logf("final: λ = %g from %s", lambda, source)
	r, m, err := train(ctx, o, s)
	if err != nil {
		return nil, err
	}
	r.LambdaSource, r.Inputs = source, &in
	if err := beginOutputs(dir); err != nil {
		return nil, err
	}
	r.Model = filepath.Join(dir, "model.bin")
	if err := SaveModel(r.Model, m); err != nil {
		return nil, err
	}
	r.Files = append(r.Files, "model.bin")
	data, err := loadSplit(ctx, o, s.Split, s.NVal) // the split train used, from the cache
	if err != nil {
		return nil, err
	}
	if err := AddPictures(r, m, data.Test); err != nil {
		return nil, err
	}
	if err := writeOutputs(r, nil); err != nil {
		return nil, err
	}
	return r, nil
}

// finalBytes estimates the bytes the final training of s writes: a run's
// files, the model and the pictures.
func finalBytes(s Setup, hidden int) int64 {
	return runBytes(s) + modelBytes(hidden) + picturesBytes
}
