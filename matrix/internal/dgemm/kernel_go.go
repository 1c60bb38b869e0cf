package dgemm

import "unsafe"

// goKernel is the portable micro-kernel (see microKernel): the kernel of
// the purego build and of architectures without an assembly one.
var goKernel = microKernel{name: "go 2×3", mr: 2, nr: 3, fn: kernelGo2x3, kc: 384}

// kernelGo2x3 computes C[i][j] = beta·C[i][j] + Σ_p a[p*2+i]·b[p*ldb+j]
// for a 2×3 tile, or with beta = 0 sets C[i][j] to the sum (goKernel has no
// edges: the driver always calls it with cols = 3, on a packed B, ldb = 3).
//
// Why 2×3: Go keeps floats in the 15 usable XMM registers and does not
// vectorise, so the tile must fit in registers with its operands: six sums,
// two values of A and the three of B (loaded once, used twice) leave room for
// the products, and nothing spills to the stack. Larger tiles (4×4, 2×4,
// 3×3) spill, and are much slower (see docs/performance.md); 2×3 also
// wastes nothing on this network's shapes (m = 50 and K = 10 rows, n = 100
// and 3072 columns divide by 2 and nearly by 3). The p loop is unrolled
// four times.
//
// The inner loop reads the panels through unsafe pointers, after checking
// their lengths up front, so that it has no bounds checks.
func kernelGo2x3(kc int, a, b []float64, ldb int, c []float64, ldc int, cols int, beta float64) {
	if ldb != 3 || cols != 3 {
		panic("dgemm: kernelGo2x3: B must be a packed 3-wide panel and the tile whole")
	}
	a, b = a[:2*kc], b[:3*kc] // bounds for all the unchecked reads below
	pa, pb := unsafe.Pointer(unsafe.SliceData(a)), unsafe.Pointer(unsafe.SliceData(b))
	var c00, c01, c02, c10, c11, c12 float64
	p := 0
	for ; p+4 <= kc; p += 4 {
		ap := (*[8]float64)(unsafe.Add(pa, 2*8*p))  // a[2p : 2p+8]
		bp := (*[12]float64)(unsafe.Add(pb, 3*8*p)) // b[3p : 3p+12]
		a0 := ap[0]
		c00 += a0 * bp[0]
		c01 += a0 * bp[1]
		c02 += a0 * bp[2]
		a1 := ap[1]
		c10 += a1 * bp[0]
		c11 += a1 * bp[1]
		c12 += a1 * bp[2]
		a0 = ap[2]
		c00 += a0 * bp[3]
		c01 += a0 * bp[4]
		c02 += a0 * bp[5]
		a1 = ap[3]
		c10 += a1 * bp[3]
		c11 += a1 * bp[4]
		c12 += a1 * bp[5]
		a0 = ap[4]
		c00 += a0 * bp[6]
		c01 += a0 * bp[7]
		c02 += a0 * bp[8]
		a1 = ap[5]
		c10 += a1 * bp[6]
		c11 += a1 * bp[7]
		c12 += a1 * bp[8]
		a0 = ap[6]
		c00 += a0 * bp[9]
		c01 += a0 * bp[10]
		c02 += a0 * bp[11]
		a1 = ap[7]
		c10 += a1 * bp[9]
		c11 += a1 * bp[10]
		c12 += a1 * bp[11]
	}
	for ; p < kc; p++ {
		ap := (*[2]float64)(unsafe.Add(pa, 2*8*p))
		bp := (*[3]float64)(unsafe.Add(pb, 3*8*p))
		a0 := ap[0]
		c00 += a0 * bp[0]
		c01 += a0 * bp[1]
		c02 += a0 * bp[2]
		a1 := ap[1]
		c10 += a1 * bp[0]
		c11 += a1 * bp[1]
		c12 += a1 * bp[2]
	}
	sums := [6]float64{c00, c01, c02, c10, c11, c12}
	addTile(c, ldc, sums[:], 3, 2, 3, beta)
}
