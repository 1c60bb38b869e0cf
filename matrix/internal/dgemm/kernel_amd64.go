//go:build amd64 && !purego

package dgemm

import "twolayer/internal/cpu"

// The amd64 micro-kernels. Both use the fused multiply-add VFMADD231PD,
// which rounds a·b+c once, so their sums differ from goKernel's in the last
// bits: each product is not rounded before it is added. They are still
// deterministic: a tile's result depends only on the panels and on C.

// chooseKernel returns the kernel the products use (see kernel):
//
//   - avx512Kernel10x16 when the CPU has AVX-512F (and AVX2 and FMA, which
//     the packing helpers use) and the OS saves the ZMM and opmask state
//     (cpu.HasAVX512F);
//   - else avx2Kernel4x12 when the CPU has AVX2 and FMA and the OS saves the
//     YMM state (cpu.HasAVX2FMA);
//   - else the portable goKernel.
func chooseKernel() microKernel {
	switch {
	case hasAVX512:
		return avx512Kernel10x16
	case hasAVX2:
		return avx2Kernel4x12
	}
	return goKernel
}

// The CPU checks, recorded so that tests can skip with a message.
var (
	hasAVX2   = cpu.UseAVX2FMA()
	hasAVX512 = hasAVX2 && cpu.UseAVX512F()
)

var (
	// avx2Kernel4x12 computes a 4×12 tile in twelve of the sixteen YMM
	// registers (four float64 each): per p, three loads of B, four
	// broadcasts of A and twelve FMAs. On the network's products it pads
	// less than 6×8 (m = 50 rows become 52, not 54), and its mr and nr are
	// multiples of 4 for packRows4. It has no edges: the driver packs B and
	// uses a scratch tile at the right edge of C. kc = 192: a 24 KiB budget
	// for both slivers. (Measured: see docs/performance.md.)
	avx2Kernel4x12 = microKernel{name: "avx2 4×12", mr: 4, nr: 12, fn: kernelAVX2x4x12, kc: 192,
		packRows4: packRows4, packPanelAcross: packPanelAcross}

	// avx512Kernel10x16 computes a 10×16 tile in twenty of the thirty-two
	// ZMM registers (eight float64 each): per p, two loads of B, ten
	// broadcasts of A and twenty FMAs. At the right edge of C it computes
	// the columns left under a mask (edges), so B may also be read
	// unpacked; its dotFn, dot5x5AVX512, serves C = A·Bᵀ (dot.go).
	//
	// Why 10×16: the shapes tried all reach the core's peak in L1, so the
	// shape is chosen for what it wastes on the network's products. m = 50
	// (hidden units) and K = 10 (classes) are multiples of 10, where 12 or
	// 14 rows would pad 50 to 60 or 56 and 10 to 12 or 14, and 8×24 would
	// pad 50 to 56; n = 100 images are six tiles and four columns under a
	// mask in the one-vector kernel. A is broadcast into registers
	// (VBROADCASTSD), not embedded in the FMAs: ten broadcasts and two loads
	// of B per twenty FMAs fit the two load ports of Intel cores,
	// twenty-two embedded broadcasts would not. kc = 240: a B sliver of
	// 30 KiB. (Measured: see docs/performance.md.)
	avx512Kernel10x16 = microKernel{name: "avx512 10×16", mr: 10, nr: 16, fn: kernelAVX512x10x16, kc: 240,
		edges: true, packRows4: packRows4, packPanelAcross: packPanelAcrossMasked, dot: dot5x5AVX512}
)

// kernelAVX2x4x12 is the microKernel function of avx2Kernel4x12. It checks
// that B is a packed panel, the tile whole, and that the panels and the C
// tile lie inside their slices (the assembly does not), and panics if not.
func kernelAVX2x4x12(kc int, a, b []float64, ldb int, c []float64, ldc int, cols int, beta float64) {
	if ldb != 12 || cols != 12 {
		panic("dgemm: kernelAVX2x4x12: B must be a packed 12-wide panel and the tile whole")
	}
	if kc <= 0 {
		scaleTile(c, ldc, beta, 0, 4, 0, 12) // what the kernel would do for kc = 0
		return
	}
	_, _, _ = a[4*kc-1], b[12*kc-1], c[3*ldc+11]
	kernel4x12AVX2(kc, &a[0], &b[0], &c[0], ldc, beta)
}

// kernelAVX512x10x16 is the microKernel function of avx512Kernel10x16: the
// first cols columns (1 ≤ cols ≤ 16) of a 10×16 tile, B read with row
// stride ldb ≥ cols. It checks that the panels and the C tile lie inside
// their slices (the assembly does not), and panics if they do not. It picks
// the assembly by cols: the whole tile, sixteen columns of which the second
// eight are masked, or eight masked ones.
func kernelAVX512x10x16(kc int, a, b []float64, ldb int, c []float64, ldc int, cols int, beta float64) {
	if cols < 1 || cols > 16 || ldb < cols {
		panic("dgemm: kernelAVX512x10x16: cols outside 1..16 or ldb < cols")
	}
	if kc <= 0 {
		scaleTile(c, ldc, beta, 0, 10, 0, cols)
		return
	}
	_, _, _ = a[10*kc-1], b[(kc-1)*ldb+cols-1], c[9*ldc+cols-1]
	switch {
	case cols == 16:
		kernel10x16AVX512(kc, &a[0], &b[0], ldb, &c[0], ldc, beta)
	case cols > 8:
		kernel10x16MaskAVX512(kc, &a[0], &b[0], ldb, &c[0], ldc, beta, 1<<(cols-8)-1)
	default:
		kernel10x8MaskAVX512(kc, &a[0], &b[0], ldb, &c[0], ldc, beta, 1<<cols-1)
	}
}

// kernel10x16AVX512 computes C[i][j] = beta·C[i][j] + Σ_{p<kc}
// a[p*10+i]·b[p*ldb+j] for 0 ≤ i < 10, 0 ≤ j < 16, C[i][j] at c[i*ldc+j];
// kc ≥ 1. With beta = 0 it sets C[i][j] to the sum instead, not reading C.
// Assembly, in kernel_avx512_amd64.s; it does no bounds checks.
//
//go:noescape
func kernel10x16AVX512(kc int, a, b *float64, ldb int, c *float64, ldc int, beta float64)

// kernel10x16MaskAVX512 is kernel10x16AVX512 for columns 0..7 and the
// columns 8+j of 8..15 whose bit j is set in mask; it reads and writes no
// other column.
//
//go:noescape
func kernel10x16MaskAVX512(kc int, a, b *float64, ldb int, c *float64, ldc int, beta float64, mask uint64)

// kernel10x8MaskAVX512 is kernel10x16AVX512 for the columns j of 0..7
// whose bit j is set in mask; it reads and writes no other column.
//
//go:noescape
func kernel10x8MaskAVX512(kc int, a, b *float64, ldb int, c *float64, ldc int, beta float64, mask uint64)

// kernel4x12AVX2 computes C[i][j] = beta·C[i][j] + Σ_{p<kc}
// a[p*4+i]·b[p*12+j] for 0 ≤ i < 4, 0 ≤ j < 12, C[i][j] at c[i*ldc+j];
// kc ≥ 1. With beta = 0 it sets C[i][j] to the sum instead, not reading C.
// Assembly, in kernel_amd64.s; it does no bounds checks.
//
//go:noescape
func kernel4x12AVX2(kc int, a, b, c *float64, ldc int, beta float64)

// Packing helpers in AVX2 assembly, given to the packing code as the
// packRows4 and packPanelAcross fields of the amd64 kernels (see
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
		panic("dgemm: packPanelAcross: sliver width is not a positive multiple of 4")
	}
	if kc <= 0 || ns <= 0 {
		return
	}
	_, _ = dst[ns*kc*w-1], src[(kc-1)*lds+ns*w-1]
	packAcrossAVX2(kc, &dst[0], &src[0], lds, w/4, ns, alpha)
}

//go:noescape
func packAcrossAVX2(kc int, dst *float64, src *float64, lds int, w4 int, ns int, alpha float64)

// packPanelAcrossMasked is packPanelAcross for any sliver width w ≥ 1 (the
// AVX-512 kernel's mr = 10 is no multiple of 4), moving the last vector of
// each line under a mask. It panics if w < 1 or a slice is too short.
func packPanelAcrossMasked(dst, src []float64, lds, kc, w, ns int, alpha float64) {
	if w < 1 {
		panic("dgemm: packPanelAcrossMasked: sliver width < 1")
	}
	if kc <= 0 || ns <= 0 {
		return
	}
	_, _ = dst[ns*kc*w-1], src[(kc-1)*lds+ns*w-1]
	last := w - (w-1)/8*8 // lanes of the last vector, 1..8
	packAcrossAVX512(kc, &dst[0], &src[0], lds, w, ns, alpha, 1<<last-1)
}

//go:noescape
func packAcrossAVX512(kc int, dst, src *float64, lds, w, ns int, alpha float64, mask uint64)
