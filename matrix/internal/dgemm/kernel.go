package dgemm

// kernel is the micro-kernel every product runs: the fastest this CPU
// runs, chosen once at start-up by chooseKernel (kernel_amd64.go on amd64,
// kernel_other.go elsewhere and in the purego build; the package comment
// has the table). Gemm reads it once per call.
var kernel = chooseKernel()

// A microKernel is the innermost piece of the matrix product: it computes one
// mr×nr tile of C (or its first cols columns) from a packed panel of A and a
// panel of B,
//
//	C[i][j] = beta·C[i][j] + Σ_{p<kc} A[i][p]·B[p][j],   0 ≤ i < mr, 0 ≤ j < cols ≤ nr,
//
// rounding beta·C[i][j] and then the sum (never fused, so that beta = 1
// adds the sum to C exactly as an addition would, and any beta gives what
// scaling C first and then adding gives), or, when beta is 0, C[i][j] =
// Σ_{p<kc} A[i][p]·B[p][j] (C's previous values, NaNs included, are not
// read: the driver need not clear C first),
// where the panels hold the operands in the order the kernel reads them:
//
//	a[p*mr+i] = A[i][p]    (kc groups of mr values: one column of the A panel after another)
//	b[p*ldb+j] = B[p][j]   (kc rows of the B panel, ldb apart; ldb = nr when packed)
//
// and C is row-major with row stride ldc: C[i][j] is c[i*ldc+j]. The sum over
// p runs in increasing order, so a kernel's result depends only on its inputs.
// Packed panels are zero-padded by the packing code to whole mr and nr; the
// kernel always computes all mr rows, and the caller gives it a scratch tile
// when C has fewer than mr rows left. A kernel without edges is always called
// with cols = nr on a packed B panel, and with a scratch tile at the right
// edge of C as well.
//
// What the driver guarantees the kernel, and the kernel the driver, so
// that products are bitwise reproducible: block sizes depend only on the
// kernel and the shape, never on GOMAXPROCS, and the kernel tiles are the
// same however C is split into tasks: tile (I, J) always covers rows
// I·mr..I·mr+mr and columns J·nr..J·nr+nr of C and always takes the same
// path, straight into C, or at the bottom edge (and at the right, for a
// kernel without edges) into an mr×nr scratch tile (ldc = nr, beta 0)
// whose part inside C is then added to beta·C (edgeTile). A kernel whose result
// depends only on kc, the panels and C then keeps the product reproducible.
// fn may run concurrently on several goroutines, on different tiles; c may
// extend beyond the tile (it is a tail of C's backing slice), and only the
// mr×cols tile may be written. The driver works for any mr, nr ≥ 1.
//
// The portable kernel, goKernel (2×3, in kernel_go.go), runs in the purego
// build and on other architectures; kernel_amd64.go has the assembly
// kernels and the CPUID checks that choose between them.
type microKernel struct {
	name   string
	mr, nr int

	// fn computes the tile: kernelGo2x3 (kernel_go.go), kernelAVX2x4x12 or
	// kernelAVX512x10x16 (kernel_amd64.go).
	fn func(kc int, a, b []float64, ldb int, c []float64, ldc int, cols int, beta float64)

	// kc is the depth of the k blocks the driver runs the kernel with, at
	// most (measured for each kernel: deep enough that loading and storing
	// the C tile is rare, shallow enough that the B sliver stays in L1).
	kc int

	// edges says that fn handles cols < nr itself, touching no column of B
	// or C at or beyond cols, and accepts any ldb ≥ cols: the driver may
	// then hand it B unpacked.
	edges bool

	// packRows4 and packPanelAcross, when not nil, are faster ways (SIMD,
	// on the architecture of the kernel) to pack slivers; the packing code
	// falls back to Go when they are nil, and for partial slivers:
	//
	//	packRows4:       dst[p*ldd+i] = alpha·src[i*lds+p]             p < kc, i < 4
	//	packPanelAcross: dst[s*kc*w+p*w+j] = alpha·src[p*lds+s*w+j]    p < kc, j < w, s < ns
	//
	// packRows4 packs four lines of a sliver that are read along p (rows of
	// A, or rows of B for op(B) = Bᵀ); packPanelAcross packs ns whole slivers
	// w wide (w = mr or nr of its kernel) whose values for one p are
	// contiguous (rows of B, or of A for op(A) = Aᵀ), reading the source row
	// after row. Both panic if a slice is too short.
	packRows4       func(dst []float64, ldd int, src []float64, lds, kc int, alpha float64)
	packPanelAcross func(dst, src []float64, lds, kc, w, ns int, alpha float64)

	// dot, when not nil, computes C = A·Bᵀ (op(A) = A, op(B) = Bᵀ) on the
	// dot path instead (dot.go), without packing: dot5x5AVX512
	// (kernel_dot_amd64.go).
	dot dotFn
}

// addTile sets C = beta·C + T for the rows×cols tile at c (row stride ldc)
// and T at t (row stride ldt), or C = T when beta = 0 (C is not read, so
// NaNs in it do not survive): the kernels' store, rounded as theirs, beta·C
// first and then the sum.
func addTile(c []float64, ldc int, t []float64, ldt, rows, cols int, beta float64) {
	for i := 0; i < rows; i++ {
		dst := c[i*ldc : i*ldc+cols]
		src := t[i*ldt : i*ldt+cols]
		if beta == 0 {
			copy(dst, src)
			continue
		}
		for j := range dst {
			dst[j] = float64(beta*dst[j]) + src[j]
		}
	}
}
