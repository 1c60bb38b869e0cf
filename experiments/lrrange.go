package experiments

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"time"

	"twolayer/cifar"
	"twolayer/experiments/plot"
	"twolayer/experiments/store"
	"twolayer/network"
	"twolayer/serve"
)

// RangeSetup is what the learning-rate range test trains: a network of
// Hidden units (Init), with λ and the batch size, shuffling every epoch and
// optionally flips, for Steps update steps with η rising geometrically from
// From to To. The zero value means the ablation's wide network (bonusPlan):
// m = 1000, sqrt initialisation, λ = 0.001, batches of 100, 1,000 steps from
// 1e-5 to 1.
type RangeSetup struct {
	Hidden    int
	Init      network.Init
	Lambda    float64
	BatchSize int
	Steps     int
	From, To  float64
	Flip      bool
}

// withDefaults fills in the zero fields of s (Init is left as it is: its
// zero value is the report's initialisation, so the default is set by
// whoever builds s; RangeSetup{} gets sqrt through DefaultRangeSetup).
func (s RangeSetup) withDefaults() RangeSetup {
	if s.Hidden == 0 {
		s.Hidden = 1000
	}
	if s.BatchSize == 0 {
		s.BatchSize = 100
	}
	if s.Steps == 0 {
		s.Steps = 1000
	}
	if s.From == 0 {
		s.From = 1e-5
	}
	if s.To == 0 {
		s.To = 1
	}
	return s
}

// DefaultRangeSetup returns the range test of the ablation's wide network:
// m = 1000, sqrt initialisation, λ = 0.001, batches of 100, 1,000 steps
// from η = 1e-5 to 1, no flips.
func DefaultRangeSetup() RangeSetup {
	return RangeSetup{Init: network.InitSqrt, Lambda: 0.001}.withDefaults()
}

// rangeEvalImages is the number of validation images (the first ones) on
// which the range test measures accuracy and loss: 50 measurements of all
// 5,000 would cost a third of the test's time at m = 1000.
const rangeEvalImages = 2000

// rangePoints is the number of measurements along the test.
const rangePoints = 50

// validate returns a usage error for the first setting of s (with its
// defaults) that the range test cannot run with, before any data is
// loaded; the batch against the training images is checked once they are
// (checkBatch).
func (s RangeSetup) validate() error {
	switch {
	case s.Hidden < 1:
		return Usagef("-hidden %d: need at least 1 hidden unit", s.Hidden)
	case !(s.Lambda >= 0) || math.IsInf(s.Lambda, 1):
		return Usagef("-lambda %g: λ must be a number ≥ 0", s.Lambda)
	case s.BatchSize < 1:
		return Usagef("-batch %d: need at least 1 image per step", s.BatchSize)
	case s.Steps < 2:
		return Usagef("-steps %d: the range test needs at least 2 steps", s.Steps)
	case s.Steps > math.MaxInt32/2: // as network.Config.Validate's bound on 2·n_s·cycles, with n_s = steps
		return Usagef("-steps %d: the range test takes at most %d steps", s.Steps, math.MaxInt32/2)
	case !(s.From > 0) || !(s.To > s.From) || math.IsInf(s.To, 1):
		return Usagef("-from %g -to %g: η must rise from a positive value", s.From, s.To)
	}
	return nil
}

// LRRange runs Smith's learning-rate range test (network.RangeTest) on the
// searches' split (45,000 / 5,000 images, or Options.NVal validation
// images), measuring the first 2,000 validation images 50 times along the
// way, and writes OUT/lr-range/: summary.json (the points and the
// suggested η_min and η_max), range.csv and plots of accuracy and loss
// against log₁₀ η.
func LRRange(ctx context.Context, o Options, s RangeSetup) (*store.LRRange, error) {
	return prepared(ctx, o, func(ctx context.Context, o Options) (*store.LRRange, error) {
		s = s.withDefaults()
		if err := s.validate(); err != nil {
			return nil, err
		}
		if err := checkNVal(o.NVal); err != nil {
			return nil, err
		}
		if err := checkMemory(rangeNeed(s, pick(o.NVal, bonusNVal))); err != nil {
			return nil, err
		}
		return lrRange(ctx, o, s)
	})
}

// lrRange is the work of LRRange.
func lrRange(ctx context.Context, o Options, s RangeSetup) (*store.LRRange, error) {
	dir := filepath.Join(o.OutDir, "lr-range")
	if err := store.CheckOutput(o.OutDir, dir, summaryBytes+int64(rangePoints+1)*(csvRowBytes+4*svgPerPoint)+2*svgBase); err != nil {
		return nil, err
	}
	start := o.now()
	data, err := loadSplit(ctx, o, "all", pick(o.NVal, bonusNVal))
	if err != nil {
		return nil, err
	}
	if err := checkBatch(s.BatchSize, data.Train); err != nil {
		return nil, err
	}
	cfg := network.Config{BatchSize: s.BatchSize, Lambda: s.Lambda, Shuffle: true, Seed: o.Seed, RecordsPerCycle: 1,
		Augment: network.Augment{Flip: s.Flip}}
	net := network.InitializeWeights(cifar.ImageSize, s.Hidden, cifar.NumClasses, s.Init, o.Seed)
	eval := firstImages(data.Validation, rangeEvalImages)
	bar := o.bar("lr-range")
	title := fmt.Sprintf("Learning-rate range test, m = %d", s.Hidden)
	h := &store.Hyperparams{
		Lambda: s.Lambda, EtaMin: s.From, EtaMax: s.To, BatchSize: s.BatchSize, Updates: s.Steps, Hidden: s.Hidden, Init: s.Init.String(),
		Shuffle: true, Split: data.Name, NTrain: data.Train.Len(), NValidation: eval.Len(),
	}
	if s.Flip {
		h.Augment = cfg.Augment.String()
	}
	live, page := o.publish(liveStart(liveName{"lr-range", title, fmt.Sprintf("η from %g to %g", s.From, s.To)}, h), net, nil, func(network.Progress) {})
	update := func(p network.Progress) {
		bar.Update(p)
		if p.Record != nil { // the range test measures the validation images only
			r := *p.Record
			r.Train = network.Metrics{Cost: math.NaN(), Loss: math.NaN(), Accuracy: math.NaN()}
			p.Record = &r
		}
		page(p)
	}
	points, err := network.RangeTest(ctx, net, data.Train, eval, cfg, s.From, s.To, s.Steps, max(1, s.Steps/rangePoints), update)
	bar.Done()
	if err != nil {
		live.Finish(liveStopped(err, o.now().Sub(start).Seconds()))
		return nil, err
	}
	lo, hi := network.SuggestEtas(points)
	live.Finish(serve.RunEnd{Seconds: o.now().Sub(start).Seconds(), Extra: []serve.Param{
		{Key: "suggested η_min", Value: fmt.Sprintf("%.2g", lo)}, {Key: "suggested η_max", Value: fmt.Sprintf("%.2g", hi)}}})
	rt := &store.RangeTest{
		Hidden: s.Hidden, Init: s.Init.String(), Lambda: s.Lambda, BatchSize: s.BatchSize, Steps: s.Steps,
		From: s.From, To: s.To, Flip: s.Flip, NEval: eval.Len(), EtaMin: lo, EtaMax: hi,
	}
	for _, p := range points {
		rt.Points = append(rt.Points, store.RangePoint{Step: p.Step, Eta: p.Eta, Accuracy: p.Val.Accuracy, Loss: p.Val.Loss})
	}
	r := &store.LRRange{
		Header: store.Header{
			Experiment: "lr-range",
			Section:    "bonus",
			Title:      title,
			Dir:        dir,
		},
		RangeTest: rt,
	}
	end := o.now()
	r.Seconds, r.Finished = end.Sub(start).Seconds(), end.UTC().Format(time.RFC3339)
	files := []store.File{{Name: "range.csv", Data: rangeCSV(rt)}}
	charts := rangeCharts(rt)
	for _, name := range store.RangeCharts {
		files = append(files, store.File{Name: name, Data: charts[name].SVG()})
	}
	if err := store.Write(r, files); err != nil {
		return nil, err
	}
	return r, nil
}

// rangeCSV formats the points as CSV: step, η, accuracy, loss.
func rangeCSV(rt *store.RangeTest) []byte {
	b := []byte("step,eta,val_accuracy,val_loss\n")
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	for _, p := range rt.Points {
		b = fmt.Appendf(b, "%d,%s,%s,%s\n", p.Step, f(p.Eta), f(p.Accuracy), f(p.Loss))
	}
	return b
}

// rangeCharts returns the plots of validation accuracy and loss against
// log₁₀ η, with the suggested η_min and η_max as vertical lines.
func rangeCharts(rt *store.RangeTest) map[string]*plot.Chart {
	x := make([]float64, len(rt.Points))
	accuracy, loss := make([]float64, len(x)), make([]float64, len(x))
	for i, p := range rt.Points {
		x[i], accuracy[i], loss[i] = math.Log10(p.Eta), 100*p.Accuracy, p.Loss
	}
	chart := func(what string, y []float64) *plot.Chart {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range y {
			lo, hi = min(lo, v), max(hi, v)
		}
		c := &plot.Chart{
			Title:  fmt.Sprintf("Range test, m = %d: validation %s against η (dashed: the suggested bounds)", rt.Hidden, what),
			XLabel: "log₁₀ η", YLabel: "validation " + what,
			Series: []plot.Series{{Name: "validation", X: x, Y: y}},
		}
		if rt.EtaMin > 0 {
			c.Series = append(c.Series,
				plot.Series{Name: fmt.Sprintf("η_min %.2g", rt.EtaMin), X: []float64{math.Log10(rt.EtaMin), math.Log10(rt.EtaMin)}, Y: []float64{lo, hi}, Dashed: true},
				plot.Series{Name: fmt.Sprintf("η_max %.2g", rt.EtaMax), X: []float64{math.Log10(rt.EtaMax), math.Log10(rt.EtaMax)}, Y: []float64{lo, hi}, Dashed: true})
		}
		return c
	}
	return map[string]*plot.Chart{
		"range-accuracy.svg": chart("accuracy (%)", accuracy),
		"range-loss.svg":     chart("loss", loss),
	}
}
