package network

import (
	"runtime"
	"testing"
)

// allocated returns the bytes f allocates (runtime.MemStats.TotalAlloc),
// keeping what it returns alive until they are counted.
func allocated(f func() any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := f()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return float64(after.TotalAlloc - before.TotalAlloc)
}

// TestMemoryParts: WeightsBytes is what InitializeWeights allocates and
// EvaluationBytes what PredictData does, each within 10%, and the parts of
// TrainingMemoryOf add up to TrainingBytes (whose total TestTrainingBytes
// checks against NewTraining's allocations).
func TestMemoryParts(t *testing.T) {
	// the products' packing buffers, allocated once for the process, first
	PredictData(InitializeWeights(3072, 50, 10, InitSmall, 1), randomSet(100, 3072, 10, 2))
	for _, m := range []int{50, 400} {
		got := allocated(func() any { return InitializeWeights(3072, m, 10, InitSmall, 1) })
		if est := WeightsBytes(3072, m, 10); !(est > 0.9*got && est < 1.1*got) {
			t.Errorf("m = %d: WeightsBytes %.0f, InitializeWeights allocated %.0f", m, est, got)
		}
		p := InitializeWeights(3072, m, 10, InitSmall, 1)
		for _, n := range []int{300, 2500} {
			data := randomSet(n, 3072, 10, 2)
			got := allocated(func() any { l, probs := PredictData(p, data); return []any{l, probs} })
			if est := EvaluationBytes(3072, m, 10, n); !(est > 0.9*got && est < 1.1*got) {
				t.Errorf("m = %d, n = %d: EvaluationBytes %.0f, PredictData allocated %.0f", m, n, est, got)
			}
		}
	}
	cfg := defaultConfig()
	cfg.Shuffle, cfg.KeepProb, cfg.Augment = true, 0.5, Augment{Flip: true}
	parts := TrainingMemoryOf(3072, 100, 10, 5000, 1000, cfg)
	if total := TrainingBytes(3072, 100, 10, 5000, 1000, cfg); float64(total) != parts.Total() {
		t.Errorf("TrainingBytes %d, the parts add up to %.0f", total, parts.Total())
	}
	for name, v := range map[string]float64{"Weights": parts.Weights, "Batch": parts.Batch, "Activations": parts.Activations,
		"Permutation": parts.Permutation, "Evaluation": parts.Evaluation, "History": parts.History, "Records": parts.Records} {
		if v <= 0 {
			t.Errorf("part %s is %.0f with shuffling, dropout and flips", name, v)
		}
	}
	if h, r := HistoryBytes(Config{StepSize: 1_000_000_000, Cycles: 1, RecordsPerCycle: 2_000_000_000}); h < 16e9 || r < 128e9 {
		t.Errorf("the history of 2e9 steps, a record each: %.3g and %.3g bytes, want at least 1.6e10 and 1.28e11 (8 and 64 bytes a step)", h, r)
	}
}
