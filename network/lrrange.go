package network

import (
	"context"
	"fmt"
	"math"
)

// RangePoint is one measurement of the learning-rate range test: the
// metrics on the evaluation set after Step update steps, the last of them
// with learning rate Eta.
type RangePoint struct {
	Step int
	Eta  float64
	Val  Metrics
}

// RangeTest is Smith's learning-rate range test: it trains p (changed in
// place) on train with cfg's batch size, λ, shuffling, augmentation and
// dropout, but with a learning rate that rises geometrically from etaLo to
// etaHi over steps update steps,
//
//	η_t = η_lo·(η_hi/η_lo)^(t/(T−1)),  t = 0..T−1,  T = steps,
//
// so that every decade of η gets the same number of steps, and evaluates p
// on val (cost, loss, accuracy) every `every` steps. It stops early once the
// loss on val exceeds four times its smallest value so far, or a batch's
// loss is not finite or above MaxLoss: the network has broken and larger η
// would only break it further; that is not an error. progress, if not nil,
// is called after every step. A cancelled ctx returns the points so far and
// ctx.Err(). SuggestEtas reads η_min and η_max off the points.
func RangeTest(ctx context.Context, p *Params, train, val Data, cfg Config, etaLo, etaHi float64, steps, every int, progress func(Progress)) ([]RangePoint, error) {
	switch {
	case !(etaLo > 0) || !(etaHi > etaLo) || math.IsInf(etaHi, 0):
		return nil, fmt.Errorf("the range test's η must rise: from %g to %g (want 0 < from < to, finite)", etaLo, etaHi)
	case steps < 2 || every < 1:
		return nil, fmt.Errorf("the range test needs at least 2 steps (%d) and an evaluation every ≥ 1 steps (%d)", steps, every)
	}
	if val.Len() == 0 {
		return nil, fmt.Errorf("the range test needs images to evaluate on")
	}
	if err := checkData(p, val, "evaluation"); err != nil {
		return nil, err
	}
	cfg.EtaMin, cfg.EtaMax, cfg.StepSize, cfg.Cycles = etaLo, etaHi, steps, 1
	tr, err := NewTrainer(p, train, cfg)
	if err != nil {
		return nil, err
	}
	ev := newEvaluator(p, min(val.Len(), EvalChunk))
	points := make([]RangePoint, 0, steps/every+1)
	best := math.Inf(1)
	ratio := math.Log(etaHi / etaLo)
	for t := range steps {
		if err := ctx.Err(); err != nil {
			return points, err
		}
		eta := etaLo * math.Exp(ratio*float64(t)/float64(steps-1))
		loss := tr.StepEta(eta)
		if !(loss <= MaxLoss) {
			break
		}
		var rec *Record
		if (t+1)%every == 0 {
			m := ev.evaluate(p, val, val.Len(), cfg.Lambda, nil)
			points = append(points, RangePoint{Step: t + 1, Eta: eta, Val: m})
			rec = &Record{Step: t + 1, Eta: eta, Val: m}
			best = min(best, m.Loss)
			if !(m.Loss <= 4*best) {
				break
			}
		}
		if progress != nil {
			progress(Progress{Step: t + 1, Total: steps, Eta: eta, Record: rec})
		}
	}
	return points, nil
}

// SuggestEtas reads the bounds of a cyclical learning rate off a range test,
// by the rule of the assignment (after Smith): η_min where the accuracy
// starts to rise, η_max where it breaks. With a_i the validation accuracy
// of point i smoothed over its neighbours, a_i = (acc_{i−1} + acc_i +
// acc_{i+1})/3 (one neighbour at the ends), a_peak the largest and
// r = a_peak − a_0 the rise,
//
//	η_min = η of the first point with a_i ≥ a_0 + r/10
//	        (accuracy has risen a tenth of the way to its peak)
//	η_max = η of the last point from the peak on before a_i < a_peak − r/10
//	        (beyond it accuracy falls: the steps are too large)
//
// A cyclical schedule spends only a moment at η_max, so it can go up to where
// the accuracy breaks rather than stop where it peaks. It returns zeros when
// there are fewer than 3 points.
func SuggestEtas(points []RangePoint) (etaMin, etaMax float64) {
	n := len(points)
	if n < 3 {
		return 0, 0
	}
	a := make([]float64, n)
	for i := range points {
		lo, hi := max(0, i-1), min(n-1, i+1)
		for j := lo; j <= hi; j++ {
			a[i] += points[j].Val.Accuracy
		}
		a[i] /= float64(hi - lo + 1)
	}
	peak := 0
	for i := range a {
		if a[i] > a[peak] {
			peak = i
		}
	}
	rise := a[peak] - a[0]
	first := peak
	for i := range peak {
		if a[i] >= a[0]+rise/10 {
			first = i
			break
		}
	}
	last := peak
	for last+1 < n && a[last+1] >= a[peak]-rise/10 {
		last++
	}
	return points[first].Eta, points[last].Eta
}
