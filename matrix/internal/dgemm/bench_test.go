package dgemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// BenchmarkSerialThreshold times small products both on the calling
// goroutine alone and split into tasks for the workers, to choose
// serialFlops (run it with -cpu 2 on an otherwise idle machine, with and
// without -tags purego): C = A·Xᵀ (50×k×100, the first layer's shape with a
// shorter k; the dot path where the kernel has one) and C = G·X (50×k×k·30,
// the shape of ∂J/∂W1 with a smaller batch).
//
//	go test -run '^$' -bench SerialThreshold -cpu 2 ./matrix/internal/dgemm/
func BenchmarkSerialThreshold(b *testing.B) {
	defer func(v int) { serialFlops = v }(serialFlops)
	rng := rand.New(rand.NewPCG(3, 3))
	for _, k := range []int{25, 50, 100, 200, 400, 800} {
		const m, n = 50, 100
		a, x, c := randSlice(rng, m*k), randSlice(rng, n*k), make([]float64, m*n)
		g, xx, c2 := randSlice(rng, m*(k/5)), randSlice(rng, (k/5)*3072), make([]float64, m*3072)
		abt := func() { Gemm(false, true, m, n, k, 1, a, k, x, k, 0, c, n) }
		ab := func() { Gemm(false, false, m, 3072, k/5, 1, g, k/5, xx, 3072, 0, c2, 3072) }
		for _, mode := range []string{"serial", "split"} {
			set := func() {
				serialFlops = 0 // split whenever GOMAXPROCS > 1
				if mode == "serial" {
					serialFlops = math.MaxInt
				}
			}
			b.Run(fmt.Sprintf("ABt/%s/%dx%dx%d", mode, m, k, n), func(b *testing.B) {
				set()
				abt()
				b.ResetTimer()
				for range b.N {
					abt()
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
			b.Run(fmt.Sprintf("AB/%s/%dx%dx%d", mode, m, k/5, 3072), func(b *testing.B) {
				set()
				ab()
				b.ResetTimer()
				for range b.N {
					ab()
				}
				b.ReportMetric(2*float64(m*3072*(k/5))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
