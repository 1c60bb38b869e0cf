package network

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"twolayer/matrix"
)

// TestTrainStepAllocates proves that an update step allocates nothing, with
// and without shuffling, augmentation and dropout, once the Trainer exists. testing.AllocsPerRun runs
// at GOMAXPROCS 1, where matrix.Gemm stays on one goroutine; so the steps are
// also counted at GOMAXPROCS 2 with runtime.ReadMemStats, which sees the
// allocations of Gemm's worker goroutines too, but also any other goroutine's
// (an occasional stray one was seen after other tests in the same process):
// the test takes the smallest count of three windows of 20 steps, which is
// 0 unless steps allocate.
func TestTrainStepAllocates(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	aug := Augment{Flip: true, Shift: 3}
	for _, c := range []struct {
		shuffle bool
		keep    float64
		aug     Augment
	}{{false, 0, Augment{}}, {true, 0, Augment{}}, {false, 0, aug}, {false, 0.5, Augment{}}, {true, 0.8, aug}} {
		name := fmt.Sprintf("shuffle=%v dropout p=%g augmentation %v", c.shuffle, c.keep, c.aug)
		s := randomSet(250, 3072, 10, 1)
		p := InitializeWeights(3072, 50, 10, InitSmall, 1)
		cfg := defaultConfig()
		cfg.Shuffle, cfg.KeepProb, cfg.Augment = c.shuffle, c.keep, c.aug
		tr, err := NewTrainer(p, s, cfg)
		if err != nil {
			t.Fatal(err)
		}
		tr.Step() // the first step may do one-time work in matrix (e.g. start workers)
		a := testing.AllocsPerRun(20, func() { tr.Step() })
		if a != 0 {
			t.Errorf("%s, GOMAXPROCS 1: %v allocations per step, want 0", name, a)
		}
		runtime.GOMAXPROCS(2)
		for range 5 { // warm Gemm's workers and buffer pools up
			tr.Step()
		}
		least := uint64(math.MaxUint64)
		for range 3 {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range 20 {
				tr.Step()
			}
			runtime.ReadMemStats(&after)
			least = min(least, after.Mallocs-before.Mallocs)
		}
		if least != 0 {
			hint := ""
			if a == 0 {
				hint = " (none at GOMAXPROCS 1: they come from matrix.Gemm's parallel path)"
			}
			t.Errorf("%s, GOMAXPROCS 2: at least %d allocations in every 20 steps, want 0%s", name, least, hint)
		}
	}
}

// TestOverfit is the assignment's sanity check: with λ = 0 the network learns
// 100 training images by heart (training accuracy 100%, cost near 0).
func TestOverfit(t *testing.T) {
	s, src := cifarOrRandom(t, 100, 5)
	t.Logf("data: %s", src)
	p := InitializeWeights(3072, 50, 10, InitSqrt, 1)
	cfg := Config{EtaMin: 0.05, EtaMax: 0.05, StepSize: 100, Cycles: 1, BatchSize: 10, Lambda: 0, RecordsPerCycle: 1, Shuffle: true, Seed: 2}
	h, err := MiniBatchGD(context.Background(), p, s, Set{}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := h.Records[len(h.Records)-1].Train
	t.Logf("after %d steps (%d epochs): cost %.4g, accuracy %g", cfg.Steps(), cfg.Steps()*cfg.BatchSize/s.Len(), m.Cost, m.Accuracy)
	if m.Accuracy != 1 || !(m.Cost <= 0.05) {
		t.Errorf("training accuracy %g and cost %g: want 1 and < 0.05", m.Accuracy, m.Cost)
	}
}

// trainSmall runs MiniBatchGD on a small random problem with shuffling and
// returns the history and the parameters.
func trainSmall(t *testing.T, cfg Config) (*History, *Params) {
	train, val := randomSet(60, 40, 10, 1), randomSet(30, 40, 10, 2)
	p := InitializeWeights(40, 12, 10, InitSqrt, 3)
	h, err := MiniBatchGD(context.Background(), p, train, val, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return h, p
}

func smallConfig() Config {
	return Config{EtaMin: 1e-3, EtaMax: 0.1, StepSize: 12, Cycles: 2, BatchSize: 7, Lambda: 0.01,
		RecordsPerCycle: 5, RecordInitial: true, Shuffle: true, Seed: 9}
}

// TestDeterminism: the same seed gives a bitwise identical history and
// parameters at GOMAXPROCS 1 and 2; another seed gives another history.
func TestDeterminism(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	cfg := smallConfig()
	// A larger problem too, so that Gemm's products are big enough to be split
	// between threads.
	big := func(bonus bool) (*History, *Params) {
		train, val := randomSet(400, 3072, 10, 1), randomSet(1500, 3072, 10, 2)
		p := InitializeWeights(3072, 50, 10, InitSmall, 3)
		c := Config{EtaMin: 1e-3, EtaMax: 0.1, StepSize: 4, Cycles: 1, BatchSize: 100, Lambda: 0.01, RecordsPerCycle: 2, Shuffle: true, Seed: 9}
		if bonus {
			c.KeepProb, c.Augment = 0.6, Augment{Flip: true, Shift: 4}
		}
		h, err := MiniBatchGD(context.Background(), p, train, val, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		return h, p
	}
	runtime.GOMAXPROCS(1)
	h1, p1 := trainSmall(t, cfg)
	b1, q1 := big(false)
	a1, r1 := big(true)
	runtime.GOMAXPROCS(2)
	h2, p2 := trainSmall(t, cfg)
	b2, q2 := big(false)
	a2, r2 := big(true)
	if !historyBits(h1, h2) || !paramsEqual(p1, p2) {
		t.Error("small problem: GOMAXPROCS 1 and 2 give different results")
	}
	if !historyBits(b1, b2) || !paramsEqual(q1, q2) {
		t.Error("d=3072 problem: GOMAXPROCS 1 and 2 give different results")
	}
	if !historyBits(a1, a2) || !paramsEqual(r1, r2) {
		t.Error("d=3072 problem with dropout and augmentation: GOMAXPROCS 1 and 2 give different results")
	}
	if historyBits(a1, b1) {
		t.Error("dropout and augmentation change nothing in the d=3072 problem")
	}
	cfg.Seed++
	h3, _ := trainSmall(t, cfg)
	if historyBits(h1, h3) {
		t.Error("seeds 9 and 10 give the same history: the shuffle does not use the seed")
	}
}

func historyBits(a, b *History) bool {
	if !sameBits(a.Eta, b.Eta) || len(a.Records) != len(b.Records) {
		return false
	}
	for i, r := range a.Records {
		q := b.Records[i]
		x := []float64{r.Eta, r.Train.Cost, r.Train.Loss, r.Train.Accuracy, r.Val.Cost, r.Val.Loss, r.Val.Accuracy}
		y := []float64{q.Eta, q.Train.Cost, q.Train.Loss, q.Train.Accuracy, q.Val.Cost, q.Val.Loss, q.Val.Accuracy}
		if r.Step != q.Step || !sameBits(x, y) {
			return false
		}
	}
	return true
}

// TestHistory checks the recording steps, η per step and the progress calls.
func TestHistory(t *testing.T) {
	cfg := smallConfig() // 48 steps, a recording every 24/5 = 4 steps, and at 0
	train, val := randomSet(60, 40, 10, 1), randomSet(30, 40, 10, 2)
	p := InitializeWeights(40, 12, 10, InitSqrt, 3)
	var calls, withRecord int
	h, err := MiniBatchGD(context.Background(), p, train, val, cfg, func(pr Progress) {
		if pr.Step != calls || pr.Total != 48 {
			t.Errorf("call %d: progress %+v", calls, pr)
		}
		calls++
		if pr.Record != nil {
			withRecord++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Eta) != 48 || calls != 49 || withRecord != 13 || len(h.Records) != 13 {
		t.Fatalf("%d η, %d calls, %d with a record, %d records; want 48, 49, 13, 13", len(h.Eta), calls, withRecord, len(h.Records))
	}
	for i, r := range h.Records {
		if r.Step != 4*i {
			t.Errorf("record %d at step %d, want %d", i, r.Step, 4*i)
		}
		if !(r.Val.Cost > 0) || !(r.Train.Cost > r.Train.Loss) {
			t.Errorf("record %d: %+v", i, r)
		}
	}
	for step, eta := range h.Eta {
		if eta != CyclicEta(step, cfg.EtaMin, cfg.EtaMax, cfg.StepSize) {
			t.Errorf("η[%d] = %g", step, eta)
		}
	}
	if first, last := h.Records[0].Train.Cost, h.Records[12].Train.Cost; !(last < first) {
		t.Errorf("training cost went from %g to %g", first, last)
	}
}

// TestShuffleEpochs: with shuffling, every epoch visits ⌊n/B⌋·B distinct
// images in a new order (a permutation drawn anew at the start of every
// epoch); without, batch j is rows j·B..(j+1)·B−1 and the n mod B others are
// never used.
func TestShuffleEpochs(t *testing.T) {
	s := randomSet(23, 5, 3, 1)
	p := InitializeWeights(5, 4, 3, InitSqrt, 1)
	for _, shuffle := range []bool{false, true} {
		cfg := Config{EtaMin: 0.01, EtaMax: 0.01, StepSize: 10, Cycles: 1, BatchSize: 5, RecordsPerCycle: 1, Shuffle: shuffle, Seed: 4}
		tr, err := NewTrainer(p.Clone(), s, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var orders [][]int // the rows of each epoch, in the order used
		for epoch := 0; epoch < 3; epoch++ {
			seen := map[int]bool{}
			var order []int
			for j := 0; j < 4; j++ {
				tr.Step()
				for i := 0; i < 5; i++ {
					r := j*5 + i
					if shuffle {
						r = tr.order[r]
					}
					seen[r] = true
					order = append(order, r)
				}
			}
			orders = append(orders, order)
			if len(seen) != 20 {
				t.Errorf("shuffle=%v epoch %d: %d distinct images, want 20", shuffle, epoch, len(seen))
			}
			if !shuffle && (seen[20] || seen[21] || seen[22]) {
				t.Error("without shuffling, the last 3 images were used")
			}
		}
		for e := 1; e < len(orders); e++ {
			same := slices.Equal(orders[e], orders[e-1])
			if shuffle && same {
				t.Errorf("epoch %d visits the images in the order of epoch %d: the permutation is not drawn anew", e, e-1)
			}
			if !shuffle && !same {
				t.Errorf("without shuffling, epoch %d's order differs from epoch %d's", e, e-1)
			}
		}
	}
}

func TestDiverges(t *testing.T) {
	cfg := smallConfig()
	cfg.EtaMin, cfg.EtaMax = 1e3, 1e6
	train, val := randomSet(60, 40, 10, 1), randomSet(30, 40, 10, 2)
	p := InitializeWeights(40, 12, 10, InitSqrt, 3)
	h, err := MiniBatchGD(context.Background(), p, train, val, cfg, nil)
	var de *DivergedError
	if !errors.As(err, &de) {
		t.Fatalf("η up to 1e6: error %v, want a *DivergedError", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "training diverged at step") || !strings.Contains(msg, "λ = 0.01") || !(de.Eta >= cfg.EtaMin) {
		t.Errorf("message %q, error %+v", msg, de)
	}
	if h == nil || len(h.Eta) != de.Step {
		t.Errorf("history has %d steps, diverged at %d", len(h.Eta), de.Step)
	}
	t.Log(msg)
}

// TestDivergesFinite: with η_max = 1000 a ReLU network's weights blow up
// without ever making the cost NaN or infinite (on the real data, costs of
// 1e264 after 40 steps were seen); the loss bound MaxLoss stops it.
func TestDivergesFinite(t *testing.T) {
	cfg := smallConfig()
	cfg.EtaMin, cfg.EtaMax = 1e-5, 1e3
	train, val := randomSet(60, 40, 10, 1), randomSet(30, 40, 10, 2)
	p := InitializeWeights(40, 12, 10, InitSmall, 3)
	_, err := MiniBatchGD(context.Background(), p, train, val, cfg, nil)
	var de *DivergedError
	if !errors.As(err, &de) {
		t.Fatalf("η up to 1000: error %v, want a *DivergedError", err)
	}
	if !strings.Contains(err.Error(), "batch's loss is") {
		t.Errorf("message %q, want the loss bound to have stopped training before any NaN", err)
	}
	// and a sane run stays well inside the bound
	p = InitializeWeights(40, 12, 10, InitSmall, 3)
	if _, err := MiniBatchGD(context.Background(), p, train, val, smallConfig(), nil); err != nil {
		t.Errorf("the default small run: %v", err)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cfg := smallConfig()
	train, val := randomSet(60, 40, 10, 1), randomSet(30, 40, 10, 2)
	p := InitializeWeights(40, 12, 10, InitSqrt, 3)
	h, err := MiniBatchGD(ctx, p, train, val, cfg, func(pr Progress) {
		if pr.Step == 10 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if len(h.Eta) != 10 || len(h.Records) != 3 {
		t.Errorf("history after cancelling at step 10: %d steps, %d records; want 10, 3 (steps 0, 4, 8)", len(h.Eta), len(h.Records))
	}
}

func TestBadInput(t *testing.T) {
	p := InitializeWeights(40, 12, 10, InitSqrt, 3)
	good := randomSet(60, 40, 10, 1)
	wrongWidth := randomSet(60, 41, 10, 1)
	badLabel := randomSet(60, 40, 10, 1)
	badLabel.Labels[7] = 10
	short := Set{X: good.X, Labels: good.Labels[:59]}
	for _, tc := range []struct {
		name       string
		train, val Set
		cfg        Config
		want       string
	}{
		{"width", wrongWidth, Set{}, smallConfig(), "41 values per image"},
		{"label", badLabel, Set{}, smallConfig(), "label 10 (image 7)"},
		{"labels", short, Set{}, smallConfig(), "60 images but 59 labels"},
		{"val width", good, wrongWidth, smallConfig(), "validation set has 41"},
		{"config", good, Set{}, Config{}, "invalid training configuration"},
	} {
		q := p.Clone()
		_, err := MiniBatchGD(context.Background(), q, tc.train, tc.val, tc.cfg, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
		if !paramsEqual(p, q) {
			t.Errorf("%s: the parameters changed", tc.name)
		}
	}
}

// TestEvaluateChunks: Evaluate on 2,500 images (three chunks, the last one
// short) equals the mean of the metrics of its pieces.
func TestEvaluateChunks(t *testing.T) {
	s := randomSet(2500, 30, 10, 8)
	p := InitializeWeights(30, 9, 10, InitSqrt, 2)
	all := Evaluate(p, s, 0.01)
	var loss, acc float64
	for i0 := 0; i0 < 2500; i0 += 500 {
		m := Evaluate(p, Set{X: s.X.RowRange(i0, i0+500), Labels: s.Labels[i0 : i0+500]}, 0.01)
		loss += m.Loss / 5
		acc += m.Accuracy / 5
	}
	if !(math.Abs(all.Loss-loss) <= 1e-12) || !(math.Abs(all.Accuracy-acc) <= 1e-12) {
		t.Errorf("whole set: loss %g acc %g; pieces: %g %g", all.Loss, all.Accuracy, loss, acc)
	}
	if reg := 0.01 * p.l2(); !(math.Abs(all.Cost-all.Loss-reg) <= 1e-12) {
		t.Errorf("cost − loss = %g, want λ‖W‖² = %g", all.Cost-all.Loss, reg)
	}
	P, H := EvaluateClassifier(p, s.X)
	for i := 0; i < 2500; i += 499 {
		sum := 0.0
		for k := 0; k < 10; k++ {
			sum += P.At(k, i)
		}
		if !(math.Abs(sum-1) <= 1e-12) {
			t.Errorf("column %d of P sums to %g", i, sum)
		}
	}
	if r, c := H.Dims(); r != 9 || c != 2500 {
		t.Errorf("H is %d×%d, want 9×2500", r, c)
	}
}

// TestStepIsGradientStep: a Trainer's step, whose update of W1 is fused into
// the product of its gradient (firstLinearStep), takes θ ← θ − η·∂J/∂θ with
// the gradients of ComputeGradients on the batch, for every parameter, up to
// rounding (the fused update groups the same terms otherwise).
func TestStepIsGradientStep(t *testing.T) {
	s := randomSet(300, 3072, 10, 4)
	p := InitializeWeights(3072, 50, 10, InitSqrt, 5)
	cfg := defaultConfig()
	cfg.Lambda = 0.05
	tr, err := NewTrainer(p, s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 { // a step with η_t > η_min
		tr.Step()
	}
	j := tr.T() % tr.nb
	b := Set{X: s.X.RowRange(j*100, (j+1)*100), Labels: s.Labels[j*100 : (j+1)*100]}
	before := p.Clone()
	g := ComputeGradients(before, b.X, b.Labels, cfg.Lambda)
	eta, _ := tr.Step()
	want := []*matrix.Dense{before.W1.Clone(), before.W2.Clone()}
	matrix.AddScaled(want[0], before.W1, -eta, g.W1)
	matrix.AddScaled(want[1], before.W2, -eta, g.W2)
	for i, got := range []*matrix.Dense{p.W1, p.W2} {
		r, c := got.Dims()
		for a := range r {
			for k := range c {
				if d := got.At(a, k) - want[i].At(a, k); !(math.Abs(d) <= 1e-15+1e-13*math.Abs(want[i].At(a, k))) {
					t.Fatalf("W%d[%d][%d] = %.17g after the step, θ − η·∂J/∂θ = %.17g", i+1, a, k, got.At(a, k), want[i].At(a, k))
				}
			}
		}
	}
	for i, v := range [][2][]float64{{p.B1, before.B1}, {p.B2, before.B2}} {
		gb := [][]float64{g.B1, g.B2}[i]
		for k := range v[0] {
			if w := v[1][k] - eta*gb[k]; v[0][k] != w {
				t.Fatalf("b%d[%d] = %.17g after the step, θ − η·∂J/∂θ = %.17g", i+1, k, v[0][k], w)
			}
		}
	}
}

// TestRecordTrain: with Config.RecordTrain = n the recorded training metrics
// are those of the first n training images, and training is unchanged.
func TestRecordTrain(t *testing.T) {
	cfg := smallConfig()
	hAll, pAll := trainSmall(t, cfg)
	cfg.RecordTrain = 25
	hSub, pSub := trainSmall(t, cfg)
	if !paramsEqual(pAll, pSub) || !sameBits(hAll.Eta, hSub.Eta) {
		t.Fatal("RecordTrain changed the training")
	}
	train := randomSet(60, 40, 10, 1)
	first := Set{X: train.X.RowRange(0, 25), Labels: train.Labels[:25]}
	last := hSub.Records[len(hSub.Records)-1]
	if want := Evaluate(pSub, first, cfg.Lambda); last.Train != want {
		t.Errorf("recorded %+v, the first 25 images give %+v", last.Train, want)
	}
	if last.Train == hAll.Records[len(hAll.Records)-1].Train {
		t.Error("the recorded metrics of 25 and of 60 images are the same")
	}
}

// TestTrainingInParts: a Training continued in uneven parts gives
// MiniBatchGD's history and parameters, bit for bit, and stops at the end.
func TestTrainingInParts(t *testing.T) {
	cfg := smallConfig()
	cfg.KeepProb, cfg.Augment = 0.7, Augment{} // d = 40: no augmentation
	hWhole, pWhole := trainSmall(t, cfg)
	train, val := randomSet(60, 40, 10, 1), randomSet(30, 40, 10, 2)
	p := InitializeWeights(40, 12, 10, InitSqrt, 3)
	run, err := NewTraining(p, train, val, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 5, 1, 17, 100} {
		if err := run.Continue(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	if !run.Done() || len(run.History.Eta) != cfg.Steps() {
		t.Fatalf("done %v after %d steps, want %d", run.Done(), len(run.History.Eta), cfg.Steps())
	}
	if !historyBits(hWhole, run.History) || !paramsEqual(pWhole, p) {
		t.Error("training in parts differs from MiniBatchGD")
	}
}

// TestTrainingBytes: the estimate of TrainingBytes is within 10% of what
// InitializeWeights and NewTraining allocate, for the report's network and
// a wide one with every option, and saturates instead of overflowing.
func TestTrainingBytes(t *testing.T) {
	for _, c := range []struct {
		m    int
		cfg  Config
		nTrn int
	}{
		{50, defaultConfig(), 2000},
		{400, Config{EtaMin: 1e-5, EtaMax: 0.1, StepSize: 100, Cycles: 3, BatchSize: 200, Lambda: 0.01, RecordsPerCycle: 4,
			Shuffle: true, KeepProb: 0.8, Augment: Augment{Flip: true, Shift: 2}, RecordTrain: 1500}, 3000},
	} {
		train, val := randomSet(c.nTrn, 3072, 10, 1), randomSet(700, 3072, 10, 2)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		p := InitializeWeights(3072, c.m, 10, InitSmall, 1)
		tr, err := NewTraining(p, train, val, c.cfg, nil)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		runtime.KeepAlive(tr)
		got := float64(after.TotalAlloc - before.TotalAlloc)
		est := float64(TrainingBytes(3072, c.m, 10, c.nTrn, 700, c.cfg))
		t.Logf("m = %d: TrainingBytes %.0f, allocated %.0f", c.m, est, got)
		if !(est > 0.9*got && est < 1.1*got) {
			t.Errorf("m = %d: TrainingBytes %.0f, allocated %.0f", c.m, est, got)
		}
	}
	if b := TrainingBytes(3072, 2_000_000_000, 10, 50000, 1000, defaultConfig()); b < 40e12 {
		t.Errorf("m = 2e9: %d bytes, want at least 4e13 (W1 alone)", b)
	}
	if b := TrainingBytes(1<<40, 1<<40, 10, 50000, 1000, defaultConfig()); b != math.MaxInt64 {
		t.Errorf("huge sizes: %d bytes, want math.MaxInt64", b)
	}
}

// TestProgressPredicted: right after each recording, Progress.Predicted
// holds the class Predict gives each validation image at that moment; the
// steps without a recording carry none.
func TestProgressPredicted(t *testing.T) {
	train, val := randomSet(60, 40, 10, 1), randomSet(30, 40, 10, 2)
	p := InitializeWeights(40, 12, 10, InitSqrt, 3)
	recordings := 0
	_, err := MiniBatchGD(context.Background(), p, train, val, smallConfig(), func(pr Progress) {
		if pr.Record == nil {
			if pr.Predicted != nil {
				t.Errorf("step %d without a recording: %d predicted classes", pr.Step, len(pr.Predicted))
			}
			return
		}
		recordings++
		want, _ := Predict(p, val.X)
		if !slices.Equal(pr.Predicted, want) {
			t.Errorf("step %d: predicted %v, Predict gives %v", pr.Step, pr.Predicted, want)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if recordings < 3 {
		t.Fatalf("%d recordings: the test needs several", recordings)
	}
}
