package cifar

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkNormalizeImage normalises one image of 3,072 bytes with each
// kernel, over and over: its bytes, the statistics and the 24 KiB it writes
// stay in the caches, so this is the kernel's own speed. ns/value is the
// time per value written.
func BenchmarkNormalizeImage(b *testing.B) {
	z := newNormalizer(syntheticStats(ImageSize, 1))
	pix := randomPixels(1, 3)
	x := make([]float64, ImageSize)
	for _, k := range kernels() {
		b.Run(k.name, func(b *testing.B) {
			for b.Loop() {
				k.fn(x, pix, z.mean, z.std, z.recip)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*ImageSize), "ns/value")
		})
	}
}

// BenchmarkNormalizeBatch normalises a mini-batch of 100 images, drawn at
// random from 10,000 (30 MB of bytes, as a shuffled batch of a training
// run), into a 100×3072 buffer (2.4 MB, more than the L2 cache), one image
// after the other as the network's loader does on one core: the speed a
// training step sees, bound by memory. "float64-copy" is what it replaces:
// copying the rows of normalised float64 images (the removed Set.Image),
// from 10,000 of them (240 MB).
func BenchmarkNormalizeBatch(b *testing.B) {
	const n, batch = 10000, 100
	z := newNormalizer(syntheticStats(ImageSize, 1))
	pix := randomPixels(n, 3)
	x := make([]float64, batch*ImageSize)
	r := rand.New(rand.NewPCG(1, 2))
	b.Run("float64-copy", func(b *testing.B) {
		src := make([]float64, n*ImageSize)
		for i, v := range pix {
			src[i] = pixelValue[v]
		}
		for b.Loop() {
			for i := range batch {
				p := r.IntN(n) * ImageSize
				copy(x[i*ImageSize:(i+1)*ImageSize], src[p:p+ImageSize])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch*ImageSize), "ns/value")
	})
	for _, k := range kernels() {
		b.Run(k.name, func(b *testing.B) {
			for b.Loop() {
				for i := range batch {
					p := r.IntN(n) * ImageSize
					k.fn(x[i*ImageSize:(i+1)*ImageSize], pix[p:p+ImageSize], z.mean, z.std, z.recip)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch*ImageSize), "ns/value")
		})
	}
}

// randomPixels returns n images of random bytes.
func randomPixels(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 9))
	pix := make([]byte, n*ImageSize)
	for i := range pix {
		pix[i] = byte(r.Uint32())
	}
	return pix
}

// BenchmarkNewNormalizer reports the time to prepare a set of statistics
// for the kernels: the reciprocals and the exhaustive check of 256 bytes at
// 3,072 features.
func BenchmarkNewNormalizer(b *testing.B) {
	s := syntheticStats(ImageSize, 1)
	for b.Loop() {
		newNormalizer(s)
	}
}

// BenchmarkStatsKernels runs each statistics kernel over 10,000 images of
// random bytes (30 MB, read from memory), as ComputeStats does on one core:
// ns/value per image byte, for the sums and for the sums of squares.
func BenchmarkStatsKernels(b *testing.B) {
	const n = 10000
	pix := randomPixels(n, 1)
	acc := make([]float64, ImageSize)
	mean := make([]float64, ImageSize)
	for _, k := range statsKernels() {
		b.Run(k.name+"/sums", func(b *testing.B) {
			for b.Loop() {
				for i := range n {
					k.sumPixels(acc, pix[i*ImageSize:(i+1)*ImageSize])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n*ImageSize), "ns/value")
		})
		b.Run(k.name+"/squares", func(b *testing.B) {
			for b.Loop() {
				for i := range n {
					k.sumSquares(acc, pix[i*ImageSize:(i+1)*ImageSize], mean)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n*ImageSize), "ns/value")
		})
	}
}

// BenchmarkSliver times Images.Sliver on a sliver of 16 images and 237
// values (one k block of the product W1·Xᵀ, see matrix.MulABtRows), "hot":
// the same 16 images over and over, their bytes in the caches, which is
// the kernel's own speed; and "streamed": successive slivers of 10,000
// images, as a product reads them, each image's bytes new to the caches.
// ns/value is the time per value written.
func BenchmarkSliver(b *testing.B) {
	if sliverKernel == nil {
		b.Skip("no Sliver kernel in this build or on this CPU (it needs AVX-512)")
	}
	const n, w, kc = 10000, 16, 237
	m, err := NewImages(randomPixels(n, 4), make([]byte, n))
	if err != nil {
		b.Fatal(err)
	}
	m = m.WithStats(syntheticStats(ImageSize, 2))
	dst := make([]float64, w*kc)
	b.Run("hot", func(b *testing.B) {
		for b.Loop() {
			m.Sliver(dst, w, 0, 100, kc)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*w*kc), "ns/value")
	})
	b.Run("streamed", func(b *testing.B) {
		i, j := 0, 0
		for b.Loop() {
			m.Sliver(dst, w, i, j, kc)
			if i += w; i+w > n {
				i, j = 0, (j+kc)%(ImageSize-kc)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*w*kc), "ns/value")
	})
}
