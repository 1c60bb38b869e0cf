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

// RangePoint is one measurement of the range test, for summary.json.
type RangePoint struct {
	Step     int     `json:"step"`
	Eta      float64 `json:"eta"`
	Accuracy float64 `json:"accuracy"`
	Loss     float64 `json:"loss"`
}

// RangeTestResult is what the learning-rate range test found.
type RangeTestResult struct {
	Hidden    int          `json:"hidden"`
	Init      string       `json:"init"`
	Lambda    float64      `json:"lambda"`
	BatchSize int          `json:"batch_size"`
	Steps     int          `json:"steps"`
	From      float64      `json:"from"`
	To        float64      `json:"to"`
	Flip      bool         `json:"flip"`
	NEval     int          `json:"n_eval"` // validation images measured
	Points    []RangePoint `json:"points"`
	// EtaMin and EtaMax are the suggested bounds (network.SuggestEtas):
	// where the accuracy starts to rise and where it breaks.
	EtaMin float64 `json:"eta_min"`
	EtaMax float64 `json:"eta_max"`
}

// LRRange runs Smith's learning-rate range test (network.RangeTest) on the
// searches' split (45,000 / 5,000 images), measuring the first 2,000
// validation images 50 times along the way, and writes OUT/lr-range/:
// summary.json (the points and the suggested η_min and η_max), range.csv
// and plots of accuracy and loss against log₁₀ η.
func LRRange(ctx context.Context, o Options, s RangeSetup) (*Result, error) {
	o = o.withDefaults()
	s = s.withDefaults()
	if s.Hidden < 1 || s.Steps < 2 || !(s.From > 0) || !(s.To > s.From) || math.IsInf(s.To, 0) {
		return nil, Usagef("range test: need m ≥ 1 (%d), at least 2 steps (%d) and 0 < from < to (%g, %g)", s.Hidden, s.Steps, s.From, s.To)
	}
	dir := filepath.Join(o.OutDir, "lr-range")
	if err := store.CheckOutput(o.OutDir, dir, summaryBytes+int64(rangePoints+1)*(csvRowBytes+4*svgPerPoint)+2*svgBase); err != nil {
		return nil, err
	}
	start := o.now()
	data, err := loadSplit(ctx, o, "all", pick(o.NVal, bonusNVal))
	if err != nil {
		return nil, err
	}
	cfg := network.Config{BatchSize: s.BatchSize, Lambda: s.Lambda, Shuffle: true, Seed: o.Seed, RecordsPerCycle: 1,
		Augment: network.Augment{Flip: s.Flip}}
	net := network.InitializeWeights(cifar.ImageSize, s.Hidden, cifar.NumClasses, s.Init, o.Seed)
	eval := firstImages(data.Validation, rangeEvalImages)
	bar := o.bar("lr-range")
	points, err := network.RangeTest(ctx, net, data.Train, eval, cfg, s.From, s.To, s.Steps, max(1, s.Steps/rangePoints), bar.Update)
	bar.Done()
	if err != nil {
		return nil, err
	}
	lo, hi := network.SuggestEtas(points)
	rt := &RangeTestResult{
		Hidden: s.Hidden, Init: s.Init.String(), Lambda: s.Lambda, BatchSize: s.BatchSize, Steps: s.Steps,
		From: s.From, To: s.To, Flip: s.Flip, NEval: eval.Len(), EtaMin: lo, EtaMax: hi,
	}
	for _, p := range points {
		rt.Points = append(rt.Points, RangePoint{Step: p.Step, Eta: p.Eta, Accuracy: p.Val.Accuracy, Loss: p.Val.Loss})
	}
	r := &Result{
		Experiment: "lr-range",
		Section:    "bonus",
		Title:      fmt.Sprintf("Learning-rate range test, m = %d", s.Hidden),
		RangeTest:  rt,
		Dir:        dir,
	}
	end := o.now()
	r.Seconds, r.Finished = end.Sub(start).Seconds(), end.UTC().Format(time.RFC3339)
	if err := beginOutputs(dir); err != nil {
		return nil, err
	}
	files := map[string][]byte{"range.csv": rangeCSV(rt)}
	names := []string{"range.csv"}
	for _, name := range rangeChartOrder {
		files[name] = rangeCharts(rt)[name].SVG()
		names = append(names, name)
	}
	for _, name := range names {
		if err := store.WriteBytesAtomic(filepath.Join(r.Dir, name), files[name]); err != nil {
			return nil, err
		}
	}
	r.Files = append([]string{"summary.json"}, names...)
	return r, WriteSummary(filepath.Join(r.Dir, "summary.json"), r)
}

// rangeCSV formats the points as CSV: step, η, accuracy, loss.
func rangeCSV(rt *RangeTestResult) []byte {
	b := []byte("step,eta,val_accuracy,val_loss\n")
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	for _, p := range rt.Points {
		b = fmt.Appendf(b, "%d,%s,%s,%s\n", p.Step, f(p.Eta), f(p.Accuracy), f(p.Loss))
	}
	return b
}

// rangeChartOrder is the order of the range test's plots in the report.
var rangeChartOrder = []string{"range-accuracy.svg", "range-loss.svg"}

// rangeCharts returns the plots of validation accuracy and loss against
// log₁₀ η, with the suggested η_min and η_max as vertical lines.
func rangeCharts(rt *RangeTestResult) map[string]*plot.Chart {
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
