//go:build amd64 && !purego

package cifar

import "twolayer/internal/cpu"

// The amd64 kernels (normalize_amd64.s). The statistics kernels, in AVX2,
// replace the Go ones when the CPU has AVX2 and FMA. Of the normalisation
// kernels, init installs
//
//   - normalizeDivAVX512, the division in VDIVPD, eight values per
//     instruction, when the CPU has AVX-512F (and AVX2 and FMA), the OS saves
//     the ZMM and opmask state, and the CPU is an AMD Zen 5 or later (family
//     0x1A on): there a VDIVPD of eight values takes about 1 ns, and the
//     kernel reads two arrays of statistics, not three, which makes it the
//     fastest once an image's statistics no longer fit L1, as they never do
//     (docs/performance.md);
//   - else normalizeAVX512, pixels.go's fastValue with multiplications and
//     FMAs, eight values per instruction, whose speed does not depend on the
//     divider, on the other CPUs with AVX-512F;
//   - else normalizeAVX2, fastValue four values per instruction, when the
//     CPU has AVX2 and FMA and the OS saves the YMM state;
//   - else the portable normalizeGo stays.
//
// All give the same bits; the tests run every kernel the CPU can.

// normalizeAVX512 and normalizeAVX2 write fastValue(pix[j], mean[j], std[j],
// recip[j]) into x[j] for j < n, with hi = invHi and lo = invLo. Every
// pointer must address n elements.
//
//go:noescape
func normalizeAVX512(x *float64, pix *byte, n int, mean, std, recip *float64, hi, lo float64)

// normalizeDivAVX512 writes pixelNorm(pix[j], mean[j], std[j]) into x[j]
// for j < n, with hi = invHi and lo = invLo (recip is not read).
//
//go:noescape
func normalizeDivAVX512(x *float64, pix *byte, n int, mean, std, recip *float64, hi, lo float64)

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
	hasAVX2   = cpu.UseAVX2FMA()
	hasAVX512 = hasAVX2 && cpu.UseAVX512F()
	// fastDivider: an AMD Zen 5 or later, whose VDIVPD is fast enough
	// for normalizeDivAVX512 to be the fastest kernel.
	fastDivider = cpu.AMDFamily() >= 0x1a
)

// The kernels of this CPU (see normalizeGo for their contract).
var (
	goKernel            = kernel{"go", normalizeGo, true}
	avx2NormKernel      = kernel{"avx2", avx2Kernel, false}
	avx512NormKernel    = kernel{"avx512", avx512Kernel, false}
	avx512DivNormKernel = kernel{"avx512-div", avx512DivKernel, true}
)

// normalizeKernel is the kernel Image uses.
var normalizeKernel = goKernel

func init() {
	if hasAVX2 {
		sumPixels, sumSquares = sumPixelsAVX2Kernel, sumSquaresAVX2Kernel
	}
	switch {
	case hasAVX512 && fastDivider:
		normalizeKernel = avx512DivNormKernel
	case hasAVX512:
		normalizeKernel = avx512NormKernel
	case hasAVX2:
		normalizeKernel = avx2NormKernel
	}
}

// avx512Kernel, avx512DivKernel and avx2Kernel wrap the assembly in
// normalizeGo's signature.
func avx512Kernel(x []float64, pix []byte, mean, std, recip []float64) {
	if n := len(pix); n > 0 {
		_, _, _, _ = x[n-1], mean[n-1], std[n-1], recip[n-1]
		normalizeAVX512(&x[0], &pix[0], n, &mean[0], &std[0], &recip[0], invHi, invLo)
	}
}

func avx512DivKernel(x []float64, pix []byte, mean, std, recip []float64) {
	if n := len(pix); n > 0 {
		_, _, _ = x[n-1], mean[n-1], std[n-1]
		normalizeDivAVX512(&x[0], &pix[0], n, &mean[0], &std[0], nil, invHi, invLo)
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
	ks := []kernel{goKernel}
	if hasAVX2 {
		ks = append(ks, avx2NormKernel)
	}
	if hasAVX512 {
		ks = append(ks, avx512NormKernel, avx512DivNormKernel)
	}
	return ks
}
