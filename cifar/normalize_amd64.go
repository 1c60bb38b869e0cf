//go:build amd64 && !purego

package cifar

// The amd64 kernels (normalize_amd64.s). The statistics kernels, in AVX2,
// replace the Go ones when the CPU has AVX2 and FMA. The normalisation
// kernels compute pixels.go's fastValue for every byte, eight values per
// instruction with AVX-512 or four with AVX2:
//
//   - normalizeAVX512 when the CPU has AVX-512F (and AVX2 and FMA) and the OS
//     saves the ZMM and opmask state;
//   - else normalizeAVX2 when the CPU has AVX2 and FMA and the OS saves the
//     YMM state;
//   - else the portable normalizeGo stays.

// normalizeAVX512 and normalizeAVX2 write fastValue(pix[j], mean[j], std[j],
// recip[j]) into x[j] for j < n, with hi = invHi and lo = invLo. Every
// pointer must address n elements.
//
//go:noescape
func normalizeAVX512(x *float64, pix *byte, n int, mean, std, recip *float64, hi, lo float64)

//go:noescape
func normalizeAVX2(x *float64, pix *byte, n int, mean, std, recip *float64, hi, lo float64)

// sumPixelsAVX2 and sumSquaresAVX2 are sumPixelsGo and sumSquaresGo for n
// bytes, with hi = invHi and lo = invLo: pixelValue[v] is computed as the
// normalisation kernels compute it.
//
//go:noescape
func sumPixelsAVX2(acc *float64, pix *byte, n int, hi, lo float64)

//go:noescape
func sumSquaresAVX2(acc *float64, pix *byte, n int, mean *float64, hi, lo float64)

// The CPU checks, recorded so that tests can skip with a message.
var (
	hasAVX2   = hasAVX2FMA()
	hasAVX512 = hasAVX2 && hasAVX512F()
)

// normalizeKernel is the kernel Image uses (see normalizeGo for its
// contract).
var normalizeKernel = normalizeGo

func init() {
	if hasAVX2 {
		sumPixels, sumSquares = sumPixelsAVX2Kernel, sumSquaresAVX2Kernel
	}
	switch {
	case hasAVX512:
		normalizeKernel = avx512Kernel
	case hasAVX2:
		normalizeKernel = avx2Kernel
	}
}

// avx512Kernel and avx2Kernel wrap the assembly in normalizeGo's signature.
func avx512Kernel(x []float64, pix []byte, mean, std, recip []float64) {
	if n := len(pix); n > 0 {
		_, _, _, _ = x[n-1], mean[n-1], std[n-1], recip[n-1]
		normalizeAVX512(&x[0], &pix[0], n, &mean[0], &std[0], &recip[0], invHi, invLo)
	}
}

func avx2Kernel(x []float64, pix []byte, mean, std, recip []float64) {
	if n := len(pix); n > 0 {
		_, _, _, _ = x[n-1], mean[n-1], std[n-1], recip[n-1]
		normalizeAVX2(&x[0], &pix[0], n, &mean[0], &std[0], &recip[0], invHi, invLo)
	}
}

// sumPixelsAVX2Kernel and sumSquaresAVX2Kernel wrap the assembly in the
// Go kernels' signatures.
func sumPixelsAVX2Kernel(acc []float64, pix []byte) {
	if n := len(pix); n > 0 {
		_ = acc[n-1]
		sumPixelsAVX2(&acc[0], &pix[0], n, invHi, invLo)
	}
}

func sumSquaresAVX2Kernel(acc []float64, pix []byte, mean []float64) {
	if n := len(pix); n > 0 {
		_, _ = acc[n-1], mean[n-1]
		sumSquaresAVX2(&acc[0], &pix[0], n, &mean[0], invHi, invLo)
	}
}

// statsKernels returns the statistics kernels this CPU can run, the
// portable ones first.
func statsKernels() []statsKernel {
	ks := []statsKernel{{"go", sumPixelsGo, sumSquaresGo}}
	if hasAVX2 {
		ks = append(ks, statsKernel{"avx2", sumPixelsAVX2Kernel, sumSquaresAVX2Kernel})
	}
	return ks
}

// kernels returns the kernels this CPU can run, the portable one first.
func kernels() []kernel {
	ks := []kernel{{"go", normalizeGo, true}}
	if hasAVX2 {
		ks = append(ks, kernel{"avx2", avx2Kernel, false})
	}
	if hasAVX512 {
		ks = append(ks, kernel{"avx512", avx512Kernel, false})
	}
	return ks
}
