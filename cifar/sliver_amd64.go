//go:build amd64 && !purego

package cifar

// sliverAVX512 writes fastValue(pix[r·ImageSize+p], mean[p], std[p],
// recip[p]) into dst[p·w+r] for r < 8 and p < kc, with hi = invHi and lo =
// invLo: eight images' values j..j+kc−1 (pix points at image 0's value j,
// the statistics at feature j), transposed (sliver_amd64.s).
//
//go:noescape
func sliverAVX512(dst *float64, w int, pix *byte, kc int, mean, std, recip *float64, hi, lo float64)

// sliverKernel is the kernel of Images.Sliver: sliverAVX512 where the CPU
// has AVX-512F, else none (Sliver then declines).
var sliverKernel func(dst []float64, w int, pix []byte, j, kc int, mean, std, recip []float64)

func init() {
	if hasAVX512 {
		sliverKernel = sliverAVX512Kernel
	}
}

// sliverAVX512Kernel wraps the assembly, after checking that every value
// it reads and writes is inside its slice (kc ≥ 1): pix holds eight
// images from image 0's first byte, and dst (kc−1)·w+8 values.
func sliverAVX512Kernel(dst []float64, w int, pix []byte, j, kc int, mean, std, recip []float64) {
	_, _ = dst[(kc-1)*w+7], pix[7*ImageSize+j+kc-1]
	_, _, _ = mean[kc-1], std[kc-1], recip[kc-1]
	sliverAVX512(&dst[0], w, &pix[j], kc, &mean[0], &std[0], &recip[0], invHi, invLo)
}
