package network

import (
	"context"
	"math"
	"testing"
)

// TestSuggestEtas reads η_min and η_max off made-up points: accuracy flat at
// 0.1, rising from η = 1e-3, peaking at η = 0.03, still near the peak at
// η = 0.1, collapsing beyond.
func TestSuggestEtas(t *testing.T) {
	etas := []float64{1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.05, 0.1, 0.3, 1}
	accs := []float64{0.10, 0.10, 0.10, 0.20, 0.30, 0.40, 0.45, 0.40, 0.20, 0.10}
	pts := make([]RangePoint, len(etas))
	for i := range etas {
		pts[i] = RangePoint{Step: 10 * (i + 1), Eta: etas[i], Val: Metrics{Accuracy: accs[i]}}
	}
	// smoothed: .10 .10 .133 .20 .30 .383 .417 .35 .233 .15; peak .417 at
	// η = 0.05, rise .317: η_min where a ≥ .10 + .0317 (1e-3), η_max the
	// last point from the peak on with a ≥ .417 − .0317 = .385: 0.05 itself
	lo, hi := SuggestEtas(pts)
	if lo != 1e-3 || hi != 0.05 {
		t.Errorf("SuggestEtas = %g, %g; want 0.001, 0.05", lo, hi)
	}
	// a shoulder after the peak: η_max moves out to where accuracy breaks.
	// accuracies .46 .42 .40 at η = 0.05, 0.1, 0.3: smoothed .427 at 0.05
	// and at 0.1 (the peak, rise .327), then .307: the last point within
	// .0327 of the peak is η = 0.1
	pts[6].Val.Accuracy, pts[7].Val.Accuracy, pts[8].Val.Accuracy = 0.46, 0.42, 0.40
	lo, hi = SuggestEtas(pts)
	if lo != 1e-3 || hi != 0.1 {
		t.Errorf("with a shoulder: SuggestEtas = %g, %g; want 0.001, 0.1", lo, hi)
	}
	if lo, hi := SuggestEtas(pts[:2]); lo != 0 || hi != 0 {
		t.Errorf("two points: %g, %g; want 0, 0", lo, hi)
	}
}

// TestRangeTest runs the range test on a small random problem: η rises
// geometrically from η_lo, the points come every `every` steps, and a range
// that ends far too high stops early instead of failing.
func TestRangeTest(t *testing.T) {
	train, val := randomSet(200, 40, 5, 1), randomSet(100, 40, 5, 2)
	cfg := Config{BatchSize: 20, RecordsPerCycle: 1, Shuffle: true, Seed: 3}
	p := InitializeWeights(40, 16, 5, InitSqrt, 1)
	pts, err := RangeTest(context.Background(), p, train, val, cfg, 1e-4, 1e-1, 100, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 10 {
		t.Fatalf("%d points, want 10", len(pts))
	}
	for i, q := range pts {
		want := 1e-4 * math.Pow(1e3, float64(10*(i+1)-1)/99)
		if q.Step != 10*(i+1) || !(math.Abs(q.Eta-want) <= 1e-12*want) {
			t.Errorf("point %d: step %d, η %g; want %d, %g", i, q.Step, q.Eta, 10*(i+1), want)
		}
	}
	if last := pts[len(pts)-1].Eta; !(math.Abs(last-1e-1) <= 1e-12) {
		t.Errorf("the last η is %g, want 0.1", last)
	}
	if !(pts[len(pts)-1].Val.Accuracy > pts[0].Val.Accuracy) && !(pts[len(pts)-1].Val.Loss < pts[0].Val.Loss) {
		t.Errorf("nothing improved: first %+v, last %+v", pts[0], pts[len(pts)-1])
	}

	p = InitializeWeights(40, 16, 5, InitSqrt, 1)
	pts, err = RangeTest(context.Background(), p, train, val, cfg, 1e-3, 1e6, 200, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pts); n == 0 || n >= 40 {
		t.Errorf("η up to 1e6 gave %d points: want an early stop before the 40th", n)
	}

	if _, err := RangeTest(context.Background(), p, train, val, cfg, 1e-1, 1e-3, 100, 10, nil); err == nil {
		t.Error("a falling range was accepted")
	}
}
