package matrix

import (
	"math/rand/v2"
	"testing"
)

// benchX is a 10000×3072 matrix of random values standing for the training
// set with one image per row, as the network stores it; made on first use.
var benchX *Dense

func benchImages() *Dense {
	if benchX == nil {
		benchX = randDense(rand.New(rand.NewPCG(1, 1)), 10000, 3072)
	}
	return benchX
}

// BenchmarkMul measures the products that dominate training and evaluation,
// with the operands laid out as the network has them: X holds one image per
// row (padded by New to a stride of 3088, see rowStride), a mini-batch Xb is
// a row view of it, activations hold
// one image per column. Each reports GFLOP/s (2·m·n·k flops per product).
// Names give op(A)·op(B) and m×k×n.
//
// Because the machine may be shared, each also reports GFLOP/cpu-s: the
// flops per second of CPU time the process used (on Unix), which other
// processes disturb less than the wall time. With several goroutines it
// is the speed per core.
//
//	go test -run '^$' -bench Mul -cpu 1,2 ./matrix/
func BenchmarkMul(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	x := benchImages()
	xb := x.RowRange(5000, 5100)
	w1, w2 := randDense(rng, 50, 3072), randDense(rng, 10, 50)
	h, g := randDense(rng, 50, 100), randDense(rng, 10, 100)
	gAll := randDense(rng, 50, 10000)
	sq := randDense(rng, 1024, 1024)
	cases := []struct {
		name    string
		m, k, n int
		f       func(c *Dense)
	}{
		// training step, batch of 100
		{"W1XbT/50x3072x100", 50, 3072, 100, func(c *Dense) { MulABt(c, w1, xb) }},
		{"G1Xb/50x100x3072", 50, 100, 3072, func(c *Dense) { Mul(c, h, xb) }},
		{"W2H/10x50x100", 10, 50, 100, func(c *Dense) { Mul(c, w2, h) }},
		{"GHT/10x100x50", 10, 100, 50, func(c *Dense) { MulABt(c, g, h) }},
		{"W2TG/50x10x100", 50, 10, 100, func(c *Dense) { MulAtB(c, w2, g) }},
		// evaluation and full-batch products over 10,000 images
		{"W1XT/50x3072x10000", 50, 3072, 10000, func(c *Dense) { MulABt(c, w1, x) }},
		{"GX/50x10000x3072", 50, 10000, 3072, func(c *Dense) { Mul(c, gAll, x) }},
		{"XTGT/3072x10000x50", 3072, 10000, 50, func(c *Dense) { Gemm(Trans, Trans, 1, x, gAll, 0, c) }},
		{"square/1024x1024x1024", 1024, 1024, 1024, func(c *Dense) { Mul(c, sq, sq) }},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			c := New(bc.m, bc.n)
			// A b.N loop, not b.Loop: with -cpu 1,2 the testing package runs
			// the first call of the first benchmark (which b.Loop would
			// measure) at the wrong GOMAXPROCS (go.dev/issue/49980).
			bc.f(c) // warm up: workers and buffers
			b.ResetTimer()
			cpu0 := cpuTime()
			for range b.N {
				bc.f(c)
			}
			cpu := cpuTime() - cpu0
			flops := 2 * float64(bc.m) * float64(bc.k) * float64(bc.n) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			if cpu > 0 {
				b.ReportMetric(flops/cpu.Seconds()/1e9, "GFLOP/cpu-s")
			}
		})
	}
}

// BenchmarkRowStride measures what New's padded rows (rowStride) bring to
// the network's products on 3,072-wide rows, against the same values with
// rows exactly 3,072 apart ("contiguous", as numpy stores them): W1·Xᵀ on
// 10,000 images, W1·Xbᵀ on successive batches of 100 (each new to the
// caches, as in training), and the training step's fused product
// W1 ← β·W1 − α·G·Xb on those batches.
//
//	go test -run '^$' -bench RowStride -cpu 1,2 ./matrix/
func BenchmarkRowStride(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 5))
	padded := map[string]*Dense{"X": benchImages(), "W1": randDense(rng, 50, 3072)}
	g := randDense(rng, 50, 100)
	for _, layout := range []string{"contiguous", "padded"} {
		x, w1 := padded["X"], padded["W1"]
		if layout == "contiguous" {
			x, w1 = contiguousCopy(x), contiguousCopy(w1)
		}
		cases := []struct {
			name string
			n    int // images per product
			f    func(c *Dense, i int)
		}{
			{"W1XT/50x3072x10000", 10000, func(c *Dense, i int) { MulABt(c, w1, x) }},
			{"W1XbT/50x3072x100", 100, func(c *Dense, i int) { MulABt(c, w1, x.RowRange(i*100, i*100+100)) }},
			{"step/50x100x3072", 100, func(_ *Dense, i int) {
				Gemm(NoTrans, NoTrans, -1e-3, g, x.RowRange(i*100, i*100+100), 1-1e-6, w1)
			}},
		}
		for _, bc := range cases {
			b.Run(bc.name+"/"+layout, func(b *testing.B) {
				c := New(50, bc.n)
				bc.f(c, 0)
				b.ResetTimer()
				for i := range b.N {
					bc.f(c, i%(x.Rows()/100))
				}
				b.ReportMetric(2*50*3072*float64(bc.n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// contiguousCopy returns a copy of m with its rows exactly Cols() apart,
// whatever New would choose.
func contiguousCopy(m *Dense) *Dense {
	c := &Dense{rows: m.rows, cols: m.cols, stride: m.cols, data: make([]float64, m.rows*m.cols)}
	c.Copy(m)
	return c
}
