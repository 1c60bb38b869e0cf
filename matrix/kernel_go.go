package matrix

// goKernel is the portable micro-kernel (see microKernel). It is the
// reference every other kernel is tested against.
var goKernel = microKernel{name: "go 4×4", mr: 4, nr: 4, fn: kernelGo4x4}

// kernelGo4x4 computes C[i][j] += Σ_p a[p*4+i]·b[p*4+j] for a 4×4 tile,
// keeping the 16 sums in local variables (registers, as far as Go allows).
func kernelGo4x4(kc int, a, b, c []float64, ldc int) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float64
	var c20, c21, c22, c23, c30, c31, c32, c33 float64
	a, b = a[:4*kc], b[:4*kc]
	for p := 0; p < kc; p++ {
		ap, bp := a[4*p:4*p+4:4*p+4], b[4*p:4*p+4:4*p+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	r := c[0*ldc : 0*ldc+4]
	r[0] += c00
	r[1] += c01
	r[2] += c02
	r[3] += c03
	r = c[1*ldc : 1*ldc+4]
	r[0] += c10
	r[1] += c11
	r[2] += c12
	r[3] += c13
	r = c[2*ldc : 2*ldc+4]
	r[0] += c20
	r[1] += c21
	r[2] += c22
	r[3] += c23
	r = c[3*ldc : 3*ldc+4]
	r[0] += c30
	r[1] += c31
	r[2] += c32
	r[3] += c33
}

// goKernels lists the portable kernels, all tested against the naive product.
var goKernels = []microKernel{goKernel}
