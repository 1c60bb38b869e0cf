package network

import (
	"testing"
)

// BenchmarkTrainStep times one update step of MiniBatchGD at the report's
// size: batch 100, d = 3072, m = 50, K = 10 (forward, backward and update;
// no shuffling). It reports ms/step.
//
//	go test -run '^$' -bench 'TrainStep|Evaluate' -cpu 1,2 ./network
func BenchmarkTrainStep(b *testing.B) {
	s := randomSet(1000, 3072, 10, 1)
	p := InitializeWeights(3072, 50, 10, InitSmall, 1)
	tr, err := NewTrainer(p, s, DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	tr.Step()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tr.Step()
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/step")
}

// BenchmarkEvaluate times Evaluate (cost, loss and accuracy) on 10,000 images
// of d = 3072 with m = 50, K = 10, and reports images/s.
func BenchmarkEvaluate(b *testing.B) {
	s := randomSet(10000, 3072, 10, 1)
	p := InitializeWeights(3072, 50, 10, InitSmall, 1)
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(p, s, 0.01)
	}
	b.ReportMetric(float64(b.N)*10000/b.Elapsed().Seconds(), "images/s")
}
