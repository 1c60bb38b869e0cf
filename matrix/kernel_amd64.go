//go:build amd64 && !purego

package matrix

// The amd64 micro-kernels use AVX2 and FMA: 256-bit YMM registers holding
// four float64 each, and the fused multiply-add VFMADD231PD, which rounds
// a·b+c once. Each keeps its whole mr×nr tile of C in twelve of the sixteen
// YMM registers while it runs over p, so the tile costs one pass over C.
//
// They are installed as kern by init when the CPU and the OS support AVX2
// and FMA (see hasAVX2FMA); otherwise the portable goKernel stays. Machines
// with AVX-512 run the AVX2 kernel too: an AVX-512 kernel has not been
// written, because no AVX-512 machine was at hand to test it.
//
// Because of the fused multiply-add, their sums differ from goKernel's in the
// last bits: each product is not rounded before it is added. They are still
// deterministic: a tile's result depends only on the panels and on C.

var (
	// avx2Kernel4x12 computes a 4×12 tile: per p, three loads of B, four
	// broadcasts of A and twelve FMAs. It is kern (see init): on the
	// network's products it pads less than 6×8 (m = 50 rows become 52, not
	// 54), its mr and nr are multiples of 4 for packRows4, and it measured
	// 3–10% faster than 6×8 through Gemm on this machine (AMD EPYC, Zen 3).
	avx2Kernel4x12 = microKernel{name: "avx2 4×12", mr: 4, nr: 12, fn: kernelAVX2x4x12,
		packRows4: packRows4, packPanelAcross: packPanelAcross}
	// avx2Kernel6x8 computes a 6×8 tile: per p, two loads of B, six
	// broadcasts of A and twelve FMAs. Kept as a tested alternative: it
	// pads less when n is 50 (56 columns instead of 60).
	avx2Kernel6x8 = microKernel{name: "avx2 6×8", mr: 6, nr: 8, fn: kernelAVX2x6x8,
		packRows4: packRows4, packPanelAcross: packPanelAcross}
)

// hasAVX2 records the CPU check, so that tests can skip with a message.
var hasAVX2 = hasAVX2FMA()

func init() {
	if hasAVX2 {
		kern = avx2Kernel4x12
	}
}

// archKernels returns the kernels of this architecture that the CPU can
// run, for the tests to check against the portable one.
func archKernels() []microKernel {
	if !hasAVX2 {
		return nil
	}
	return []microKernel{avx2Kernel4x12, avx2Kernel6x8}
}

// kernelAVX2x4x12 is the microKernel function of avx2Kernel4x12. It checks
// that the panels and the C tile lie inside their slices (the assembly does
// not), and panics if they do not.
func kernelAVX2x4x12(kc int, a, b, c []float64, ldc int) {
	if kc <= 0 {
		return
	}
	_, _, _ = a[4*kc-1], b[12*kc-1], c[3*ldc+11]
	kernel4x12AVX2(kc, &a[0], &b[0], &c[0], ldc)
}

// kernelAVX2x6x8 is the microKernel function of avx2Kernel6x8, checked as
// kernelAVX2x4x12 is.
func kernelAVX2x6x8(kc int, a, b, c []float64, ldc int) {
	if kc <= 0 {
		return
	}
	_, _, _ = a[6*kc-1], b[8*kc-1], c[5*ldc+7]
	kernel6x8AVX2(kc, &a[0], &b[0], &c[0], ldc)
}

// kernel4x12AVX2 computes C[i][j] += Σ_{p<kc} a[p*4+i]·b[p*12+j] for
// 0 ≤ i < 4, 0 ≤ j < 12, C[i][j] at c[i*ldc+j]; kc ≥ 1. Assembly, in
// kernel_amd64.s; it does no bounds checks.
//
//go:noescape
func kernel4x12AVX2(kc int, a, b, c *float64, ldc int)

// kernel6x8AVX2 computes C[i][j] += Σ_{p<kc} a[p*6+i]·b[p*8+j] for
// 0 ≤ i < 6, 0 ≤ j < 8, C[i][j] at c[i*ldc+j]; kc ≥ 1. Assembly, in
// kernel_amd64.s; it does no bounds checks.
//
//go:noescape
func kernel6x8AVX2(kc int, a, b, c *float64, ldc int)

// Packing helpers in AVX2 assembly, given to the packing code as the
// packRows4 and packPanelAcross fields of the AVX2 kernels (see
// microKernel): they pack whole groups of four lines, or whole slivers;
// partial groups and the zero padding of a partial sliver stay in Go.

// packRows4 sets dst[p*ldd+i] = alpha·src[i*lds+p] for p < kc and i < 4:
// four rows of src, each read along p, become kc groups of four values
// ldd apart. It packs four rows of A (not transposed) into an A sliver, or
// four columns of op(B) = Bᵀ into a B sliver. It panics if a slice is too
// short.
func packRows4(dst []float64, ldd int, src []float64, lds int, kc int, alpha float64) {
	if kc <= 0 {
		return
	}
	_, _ = dst[(kc-1)*ldd+3], src[3*lds+kc-1]
	packRows4AVX2(kc, &dst[0], ldd, &src[0], lds, alpha)
}

//go:noescape
func packRows4AVX2(kc int, dst *float64, ldd int, src *float64, lds int, alpha float64)

// packPanelAcross sets dst[s*kc*w + p*w + j] = alpha·src[p*lds + s*w + j] for
// p < kc, s < ns and j < w, where w is a multiple of 4: it packs ns whole
// slivers w wide whose lines for one p are contiguous in src (a row-major
// B, or Aᵀ), reading src row after row. It panics if w is not a positive
// multiple of 4 or a slice is too short.
func packPanelAcross(dst, src []float64, lds, kc, w, ns int, alpha float64) {
	if w <= 0 || w%4 != 0 {
		panic("matrix: packPanelAcross: sliver width is not a positive multiple of 4")
	}
	if kc <= 0 || ns <= 0 {
		return
	}
	_, _ = dst[ns*kc*w-1], src[(kc-1)*lds+ns*w-1]
	packAcrossAVX2(kc, &dst[0], &src[0], lds, w/4, ns, alpha)
}

//go:noescape
func packAcrossAVX2(kc int, dst *float64, src *float64, lds int, w4 int, ns int, alpha float64)
