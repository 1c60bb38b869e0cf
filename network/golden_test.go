package network

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"twolayer/matrix"
)

// golden is testdata/golden.json, written by testdata/make_golden.py with the
// numpy reference (see testdata/README.md for the command).
type golden struct {
	Gradients struct {
		D, N, M, K   int
		Lambda, H    float64
		X            [][]float64
		Y            []int
		Params       goldenParams
		P            [][]float64
		Cost, Loss   float64
		Accuracy     float64
		Grads        goldenParams
		GradsNum     goldenParams `json:"grads_num"`
		GradsNumSlow goldenParams `json:"grads_num_slow"`
	}
	Training struct {
		D, M, K int
		Config  struct {
			EtaMin        float64 `json:"eta_min"`
			EtaMax        float64 `json:"eta_max"`
			NS            int     `json:"n_s"`
			NBatch        int     `json:"n_batch"`
			Cycles        int
			EvalsPerCycle int `json:"evals_per_cycle"`
			Lambda        float64
		}
		X, Xval         [][]float64
		Y, Yval         []int
		Params0, Params goldenParams
		History         struct {
			Steps     []int
			TrainCost []float64 `json:"train_cost"`
			TrainLoss []float64 `json:"train_loss"`
			TrainAcc  []float64 `json:"train_acc"`
			ValCost   []float64 `json:"val_cost"`
			ValLoss   []float64 `json:"val_loss"`
			ValAcc    []float64 `json:"val_acc"`
		}
		Eta []float64
	}
}

type goldenParams struct {
	W1 [][]float64
	B1 []float64
	W2 [][]float64
	B2 []float64
}

func (g goldenParams) params() *Params {
	return &Params{W1: dense(g.W1), B1: g.B1, W2: dense(g.W2), B2: g.B2}
}

func (g goldenParams) grads() *Grads {
	return &Grads{W1: dense(g.W1), B1: g.B1, W2: dense(g.W2), B2: g.B2}
}

func dense(rows [][]float64) *matrix.Dense {
	a := matrix.New(len(rows), len(rows[0]))
	for i, r := range rows {
		copy(a.Row(i), r)
	}
	return a
}

func loadGolden(t *testing.T) *golden {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	g := new(golden)
	if err := json.Unmarshal(b, g); err != nil {
		t.Fatalf("testdata/golden.json: %v", err)
	}
	return g
}

// closeRel reports whether a and b agree to rel relative to the larger of
// them, with an absolute floor of 1e-15 for values that are zero up to
// round-off.
func closeRel(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*max(math.Abs(a), math.Abs(b))+1e-15
}

// goldenRel is the agreement required with the numpy reference on the same
// inputs: only the order of the floating-point sums differs.
const goldenRel = 1e-12

// TestGoldenGradients compares P, cost, loss, accuracy and the four analytic
// gradients with the numpy reference's, and the numeric gradients too (these
// to 1e-9 absolute: both sides divide differences of costs by h = 1e-5, so
// round-off of order 1e-16 in a cost becomes about 1e-11).
func TestGoldenGradients(t *testing.T) {
	g := loadGolden(t).Gradients
	p := g.Params.params()
	if d, m, k := p.Dims(); d != g.D || m != g.M || k != g.K {
		t.Fatalf("golden params are %d×%d×%d, want %d×%d×%d", d, m, k, g.D, g.M, g.K)
	}
	s := Set{X: dense(g.X), Labels: g.Y}

	P, _ := EvaluateClassifier(p, s.X)
	for k := range g.P {
		for i, want := range g.P[k] {
			if got := P.At(k, i); !closeRel(got, want, goldenRel) {
				t.Errorf("P[%d][%d] = %.17g, numpy %.17g", k, i, got, want)
			}
		}
	}
	cost, loss := ComputeCost(p, s.X, s.Labels, g.Lambda)
	if !closeRel(cost, g.Cost, goldenRel) || !closeRel(loss, g.Loss, goldenRel) {
		t.Errorf("cost, loss = %.17g, %.17g; numpy %.17g, %.17g", cost, loss, g.Cost, g.Loss)
	}
	if acc := ComputeAccuracy(p, s.X, s.Labels); acc != g.Accuracy {
		t.Errorf("accuracy = %g, numpy %g", acc, g.Accuracy)
	}
	compareGolden(t, "analytic", ComputeGradients(p, s.X, s.Labels, g.Lambda), g.Grads.grads(), goldenRel, 0)
	compareGolden(t, "forward", ComputeGradsNum(p, s.X, s.Labels, g.Lambda, g.H), g.GradsNum.grads(), 0, 1e-9)
	compareGolden(t, "centered", ComputeGradsNumSlow(p, s.X, s.Labels, g.Lambda, g.H), g.GradsNumSlow.grads(), 0, 1e-9)
}

// compareGolden fails t for each entry of got that is not within rel
// (relative, as closeRel) or abs (absolute) of want.
func compareGolden(t *testing.T, what string, got, want *Grads, rel, abs float64) {
	t.Helper()
	var worstAbs, worstRel float64
	defer func() {
		t.Logf("%s: largest difference from numpy %.2g absolute, %.2g relative", what, worstAbs, worstRel)
	}()
	cmp := func(name string, i, j int, a, b float64) {
		worstAbs = max(worstAbs, math.Abs(a-b))
		if a != b {
			worstRel = max(worstRel, math.Abs(a-b)/max(math.Abs(a), math.Abs(b)))
		}
		ok := math.Abs(a-b) <= abs
		if rel > 0 {
			ok = ok || closeRel(a, b, rel)
		}
		if !ok {
			t.Errorf("%s %s[%d][%d] = %.17g, numpy %.17g", what, name, i, j, a, b)
		}
	}
	for _, pair := range []struct {
		name string
		a, b *matrix.Dense
	}{{"W1", got.W1, want.W1}, {"W2", got.W2, want.W2}} {
		if !sameDims(pair.a, pair.b) {
			t.Fatalf("%s %s has the wrong shape", what, pair.name)
		}
		for i := 0; i < pair.a.Rows(); i++ {
			for j := 0; j < pair.a.Cols(); j++ {
				cmp(pair.name, i, j, pair.a.At(i, j), pair.b.At(i, j))
			}
		}
	}
	for i := range want.B1 {
		cmp("b1", 0, i, got.B1[i], want.B1[i])
	}
	for i := range want.B2 {
		cmp("b2", 0, i, got.B2[i], want.B2[i])
	}
}

func sameDims(a, b *matrix.Dense) bool {
	ar, ac := a.Dims()
	br, bc := b.Dims()
	return ar == br && ac == bc
}

// TestGoldenTraining runs MiniBatchGD as the numpy reference's minibatch_gd
// on the same 20 training and 10 validation images (2 cycles of 2·4 steps,
// batches of 5 in order, recordings at step 0 and every 2 steps) and compares
// η at every step, every recording, and the final parameters. The 16 update
// steps let round-off differences of the sums grow a little, so the bound is
// 1e-10 relative.
func TestGoldenTraining(t *testing.T) {
	g := loadGolden(t).Training
	c := g.Config
	cfg := Config{EtaMin: c.EtaMin, EtaMax: c.EtaMax, StepSize: c.NS, Cycles: c.Cycles, BatchSize: c.NBatch,
		Lambda: c.Lambda, RecordsPerCycle: c.EvalsPerCycle, RecordInitial: true}
	p := g.Params0.params()
	h, err := MiniBatchGD(context.Background(), p, Set{X: dense(g.X), Labels: g.Y}, Set{X: dense(g.Xval), Labels: g.Yval}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	const rel = 1e-10
	if len(h.Eta) != len(g.Eta) {
		t.Fatalf("%d steps, numpy %d", len(h.Eta), len(g.Eta))
	}
	for i, want := range g.Eta {
		if !closeRel(h.Eta[i], want, 1e-15) {
			t.Errorf("η[%d] = %.17g, numpy %.17g", i, h.Eta[i], want)
		}
	}
	gh := g.History
	if len(h.Records) != len(gh.Steps) {
		t.Fatalf("%d recordings, numpy %d", len(h.Records), len(gh.Steps))
	}
	for i, r := range h.Records {
		got := []float64{r.Train.Cost, r.Train.Loss, r.Train.Accuracy, r.Val.Cost, r.Val.Loss, r.Val.Accuracy}
		want := []float64{gh.TrainCost[i], gh.TrainLoss[i], gh.TrainAcc[i], gh.ValCost[i], gh.ValLoss[i], gh.ValAcc[i]}
		if r.Step != gh.Steps[i] {
			t.Errorf("recording %d at step %d, numpy %d", i, r.Step, gh.Steps[i])
		}
		for j := range got {
			if !closeRel(got[j], want[j], rel) {
				t.Errorf("recording %d (step %d), value %d: %.17g, numpy %.17g", i, r.Step, j, got[j], want[j])
			}
		}
	}
	compareGolden(t, "trained", &Grads{W1: p.W1, B1: p.B1, W2: p.W2, B2: p.B2}, g.Params.grads(), rel, 0)
}
