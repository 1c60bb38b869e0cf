package network

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"testing"

	"twolayer/cifar"
	"twolayer/matrix"
)

// BenchmarkTrainStep times one update step of MiniBatchGD at the report's
// size: batch 100, d = 3072, m = 50, K = 10 (forward, backward and update),
// in the training set's order and shuffled (which adds the gathering of the
// batch's rows). It reports ms/step.
//
//	go test -run '^$' -bench 'TrainStep|Evaluate' -cpu 1,2 ./network
func BenchmarkTrainStep(b *testing.B) {
	s := randomSet(1000, 3072, 10, 1)
	for _, shuffle := range []bool{false, true} {
		name := "ordered"
		if shuffle {
			name = "shuffled"
		}
		b.Run(name, func(b *testing.B) {
			p := InitializeWeights(3072, 50, 10, InitSmall, 1)
			cfg := defaultConfig()
			cfg.Shuffle = shuffle
			tr, err := NewTrainer(p, s, cfg)
			if err != nil {
				b.Fatal(err)
			}
			tr.Step() // warm up: Gemm's workers and buffers
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				tr.Step()
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/step")
			b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
		})
	}
}

// BenchmarkEvaluate times a recording's evaluation as training runs it:
// cost, loss and accuracy on 10,000 CIFAR-shaped images held as bytes and
// normalised as they are read (cifar.Images), m = 50, K = 10, by an
// evaluator made once and kept, as MiniBatchGD keeps one (Evaluate, which
// makes one per call, also allocates its 0.6 MB of workspaces). It
// reports images/s, and GFLOP/s counting the flops of the first layer's
// product W1·Xᵀ alone (2·m·d·n), so that it compares with numpy's W1·Xᵀ on
// a float64 matrix of the same images (bench_matmul.py's "W1 X"): the
// loading and normalising of the images, the bias, ReLU, second layer and
// softmax all count in the time.
//
//	go test -run '^$' -bench '^BenchmarkEvaluate$' -benchtime 20x -cpu 1 ./network
func BenchmarkEvaluate(b *testing.B) {
	s := byteImages(b, 10000, 1)
	p := InitializeWeights(3072, 50, 10, InitSmall, 1)
	ev := newEvaluator(p, min(s.Len(), EvalChunk))
	ev.evaluate(p, s, s.Len(), 0.01, nil) // warm up
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ev.evaluate(p, s, s.Len(), 0.01, nil)
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(10000/sec, "images/s")
	b.ReportMetric(2*50*3072*10000/sec/1e9, "GFLOP/s")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
}

// BenchmarkRecordingProduct times the first layer's product of a recording
// alone, as Evaluate runs it: S1 = W1·Xᵀ (m = 50, d = 3072) on 10,000
// CIFAR-shaped images held as bytes, read by the product through
// matrix.MulABtRows, each block of them normalised straight into the
// product's packed slivers (cifar.Images.Sliver on AVX-512). It reports
// GFLOP/s (2·m·d·n), the figure to set beside numpy's W1·Xᵀ on float64
// images already in memory (bench_matmul.py's "W1 X"); BenchmarkEvaluate
// adds the rest of the evaluation.
//
//	go test -run '^$' -bench '^BenchmarkRecordingProduct$' -benchtime 20x -cpu 1 ./network
func BenchmarkRecordingProduct(b *testing.B) {
	s := byteImages(b, 10000, 1)
	p := InitializeWeights(3072, 50, 10, InitSmall, 1)
	s1 := matrix.New(50, 10000)
	var x matrix.RowReader = dataRows{s, 0}
	matrix.MulABtRows(s1, p.W1, x) // warm up
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		matrix.MulABtRows(s1, p.W1, x)
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(2*50*3072*10000/sec/1e9, "GFLOP/s")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
}

// byteImages returns n random CIFAR-shaped images held as bytes
// (cifar.Images) with random labels, normalised with their own statistics:
// what the program trains on, with synthetic pixels.
func byteImages(b testing.TB, n int, seed uint64) cifar.Images {
	r := rand.New(rand.NewPCG(seed, 7))
	pix, labels := make([]byte, n*cifar.ImageSize), make([]byte, n)
	for i := range pix {
		pix[i] = byte(r.IntN(256))
	}
	for i := range labels {
		labels[i] = byte(r.IntN(10))
	}
	m, err := cifar.NewImages(pix, labels)
	if err != nil {
		b.Fatal(err)
	}
	return m.WithStats(m.ComputeStats())
}

// BenchmarkMiniBatchGD times the whole of the report's experiment 3.1(a), the
// work that the numpy reference's train_bench.py times: 1,000 update steps
// with batch 100 on 10,000 training images, and 10 recordings of cost, loss
// and accuracy on the 10,000 training and 10,000 validation images (λ = 0.01,
// η 1e-5..0.1, n_s = 500). With $CIFAR10_DIR set it trains on data_batch_1
// and validates on data_batch_2, as train_bench.py --data does; otherwise on
// synthetic N(0, 1) images (the time hardly depends on them). It reports s/run.
//
//	go test -run '^$' -bench MiniBatchGD -benchtime 2x -cpu 1,2 ./network
//
// With -cpu 1,2 the testing package makes the first call of a benchmark (the
// b.N = 1 probe) at the wrong GOMAXPROCS (go.dev/issue/49980). So the
// benchmarks here loop b.N times after that probe rather than with b.Loop
// (which would time the probe itself), -benchtime must be at least 2x, and
// each benchmark reports the GOMAXPROCS it ran at as "procs".
func BenchmarkMiniBatchGD(b *testing.B) {
	var train, val Data
	if dir := os.Getenv("CIFAR10_DIR"); dir != "" {
		data, err := cifar.LoadDataset(dir)
		if err != nil {
			b.Fatal(err)
		}
		split := data.SplitBatch1()
		train, val = split.Train, split.Validation
	} else {
		train, val = randomSet(10000, 3072, 10, 1), randomSet(10000, 3072, 10, 2)
	}
	b.ResetTimer()
	for range b.N {
		p := InitializeWeights(3072, 50, 10, InitSmall, 1)
		if _, err := MiniBatchGD(context.Background(), p, train, val, defaultConfig(), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
}

// BenchmarkSideBySide times eight independent training runs shaped like the
// runs of a λ search (batch 500, two cycles of n_s = 18 steps, a recording
// at the end of each cycle, on 10,000 synthetic training and 1,000
// validation images, a tenth of a search run's work), run k at a time on k
// goroutines, each run's products on GOMAXPROCS/k goroutines
// (matrix.SetParallelism): whether running independent runs side by side
// beats running each on all the cores, as experiments decides for the
// searches. It reports s/op for the eight runs.
//
//	go test -run '^$' -bench SideBySide -benchtime 2x -cpu 16 ./network
func BenchmarkSideBySide(b *testing.B) {
	train, val := randomSet(10000, 3072, 10, 1), randomSet(1000, 3072, 10, 2)
	procs := runtime.GOMAXPROCS(0)
	const runs = 8
	for _, k := range []int{1, 2, 4, 8} {
		if k > procs {
			continue
		}
		b.Run(fmt.Sprintf("side=%d", k), func(b *testing.B) {
			defer matrix.SetParallelism(matrix.SetParallelism(procs / k))
			run := func(i int) {
				cfg := Config{EtaMin: 1e-5, EtaMax: 0.1, StepSize: 18, Cycles: 2, BatchSize: 500,
					Lambda: float64(i) / 1000, RecordsPerCycle: 1}
				p := InitializeWeights(3072, 50, 10, InitSmall, 1)
				if _, err := MiniBatchGD(context.Background(), p, train, val, cfg, nil); err != nil {
					b.Error(err)
				}
			}
			b.ResetTimer()
			for range b.N {
				next := make(chan int, runs)
				for i := range runs {
					next <- i
				}
				close(next)
				var wg sync.WaitGroup
				for range k {
					wg.Go(func() {
						for i := range next {
							run(i)
						}
					})
				}
				wg.Wait()
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/op")
			b.ReportMetric(float64(procs), "procs")
		})
	}
}

// BenchmarkTrainStepWide times one update step of the bonus ablation's
// networks: batch 100, d = 3072, m = 500, 1000 and 2000 hidden units,
// shuffled, plain and with flips and shifts (augment) and dropout p = 0.5
// (both). It reports ms/step and s/epoch (450 steps: 45,000 images).
//
//	go test -run '^$' -bench TrainStepWide -benchtime 20x -cpu 2 ./network
func BenchmarkTrainStepWide(b *testing.B) {
	s := randomSet(1000, 3072, 10, 1)
	for _, m := range []int{500, 1000, 2000} {
		for _, extra := range []string{"plain", "both"} {
			b.Run(fmt.Sprintf("m=%d/%s", m, extra), func(b *testing.B) {
				p := InitializeWeights(3072, m, 10, InitSqrt, 1)
				cfg := defaultConfig()
				cfg.Shuffle = true
				if extra == "both" {
					cfg.KeepProb, cfg.Augment = 0.5, Augment{Flip: true, Shift: 2}
				}
				tr, err := NewTrainer(p, s, cfg)
				if err != nil {
					b.Fatal(err)
				}
				tr.Step()
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					tr.Step()
				}
				perStep := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(perStep*1e3, "ms/step")
				b.ReportMetric(perStep*450, "s/epoch")
				b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
			})
		}
	}
}
