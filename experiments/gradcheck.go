package experiments

import (
	"context"
	"path/filepath"
	"time"

	"twolayer/cifar"
	"twolayer/experiments/report"
	"twolayer/experiments/store"
	"twolayer/matrix"
	"twolayer/network"
)

// Gradient check settings of section 2.9 (docs/assignment.md, "Gradient
// checks"); the step h and the threshold ε are network.DefaultH and
// network.DefaultEps.
const (
	gradDims   = 20 // input dimensions kept: W1 restricted to its first 20 columns
	gradImages = 1  // training images used
)

// gradLambdas are the λ of the gradient check: none, as in the report, and
// one to check the gradient of the regularisation term.
var gradLambdas = []float64{0, 0.01}

// GradCheck reruns section 2.9: on the reduced problem (the first 20
// dimensions of the first training image of data_batch_1, normalised as
// for training; W1 of a full-size initialisation restricted to its first 20
// columns, see network.ReducedProblem) it compares the analytic gradients of
// network.ComputeGradients with the forward differences of
// ComputeGradsNum and the centered differences of ComputeGradsNumSlow
// (h = 1e-5), at λ = 0 and λ = 0.01, and counts per parameter the entries
// whose absolute error |g_a − g_n| and relative error
// |g_a − g_n| / max(ε, |g_a| + |g_n|) exceed ε = 1e-6.
//
// Its summary.json holds the table as "checks"; there are no curves. A
// check recorded with the same inputs is kept (keptSection).
func GradCheck(ctx context.Context, o Options) (*store.GradCheck, error) {
	return prepared(ctx, o, func(ctx context.Context, o Options) (*store.GradCheck, error) {
		if err := checkMemory(gradCheckNeed(o)); err != nil {
			return nil, err
		}
		return gradCheck(ctx, o)
	})
}

// gradCheck is the work of GradCheck.
func gradCheck(ctx context.Context, o Options) (*store.GradCheck, error) {
	if _, err := FindData(ctx, o); err != nil {
		return nil, err
	}
	dir := filepath.Join(o.OutDir, "gradcheck")
	in := store.Inputs{Version: store.Version, Experiment: "gradcheck", Data: o.shared.dataID, Seed: o.Seed,
		Split: "batch1", Hidden: o.Hidden, Init: o.Init.String()}
	if r := keptSection[store.GradCheck](o, dir, in); r != nil {
		return r, nil
	}
	if err := store.CheckOutput(o.OutDir, dir, 2*summaryBytes); err != nil {
		return nil, err
	}
	data, err := loadSplit(ctx, o, "batch1", 0)
	if err != nil {
		return nil, err
	}
	start := o.now()
	n := min(gradImages, data.Train.Len())
	full := network.InitializeWeights(cifar.ImageSize, o.Hidden, cifar.NumClasses, o.Init, o.Seed)
	first := data.Train.Slice(0, n)
	net, X, y := network.ReducedProblem(full, first.Matrix(), first.Labels(), gradDims, n)
	r := &store.GradCheck{
		Header: store.Header{
			Experiment: "gradcheck",
			Section:    "2.9",
			Title:      "2.9 Gradient check",
			Hyperparams: &store.Hyperparams{
				Hidden: o.Hidden, Init: o.Init.String(), Seed: o.Seed, Split: data.Name,
				NTrain: n, DataDir: o.shared.dir,
			},
			Dir: dir,
		},
		Trailer: store.Trailer{Inputs: &in},
	}
	for _, lambda := range gradLambdas {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ga := network.ComputeGradients(net, X, y, lambda)
		for _, m := range []struct {
			name string
			num  func(*network.Params, *matrix.Dense, []int, float64, float64) *network.Grads
		}{{"forward", network.ComputeGradsNum}, {"centered", network.ComputeGradsNumSlow}} {
			for _, c := range network.CompareGradients(ga, m.num(net, X, y, lambda, network.DefaultH), network.DefaultEps) {
				r.Checks = append(r.Checks, store.Check{Method: m.name, Lambda: lambda, GradComparison: c})
			}
		}
	}
	r.Notes = append(r.Notes, "reduced problem: the first 20 input dimensions of the first training image, h = 1e-5, ε = 1e-6")
	end := o.now()
	r.Seconds, r.Finished = end.Sub(start).Seconds(), end.UTC().Format(time.RFC3339)
	if err := store.Write(r, []store.File{{Name: "checks.txt", Data: []byte(report.ChecksTable(r.Checks))}}); err != nil {
		return nil, err
	}
	return r, nil
}
