package dgemm

import (
	"fmt"
	"math/rand/v2"
)

// realKernels returns the kernels the program may select: the portable one
// and those of the architecture that this CPU can run.
func realKernels() []microKernel {
	return append([]microKernel{goKernel}, archKernels()...)
}

// testKernels returns the kernels the product is tested with: the real
// ones and loop kernels of odd shapes, with and without edges, so that the
// driver is known to work for any mr and nr.
func testKernels() []microKernel {
	ks := realKernels()
	for _, sz := range [][2]int{{1, 1}, {5, 7}, {8, 6}, {12, 4}, {4, 12}} {
		ks = append(ks, loopKernel(sz[0], sz[1], false))
	}
	for _, sz := range [][2]int{{3, 5}, {10, 16}} {
		ks = append(ks, loopKernel(sz[0], sz[1], true))
	}
	return ks
}

// loopKernel returns a plain-loop micro-kernel for mr×nr tiles, with edges
// (computing only the first cols columns, B read with any stride) or
// without (then it checks that it is called on a whole tile of packed B).
func loopKernel(mr, nr int, edges bool) microKernel {
	fn := func(kc int, a, b []float64, ldb int, c []float64, ldc int, cols int, beta float64) {
		if !edges && (cols != nr || ldb != nr) {
			panic(fmt.Sprintf("loop %d×%d without edges called with cols = %d, ldb = %d", mr, nr, cols, ldb))
		}
		for i := 0; i < mr; i++ {
			for j := 0; j < cols; j++ {
				s := 0.0
				for p := 0; p < kc; p++ {
					s += a[p*mr+i] * b[p*ldb+j]
				}
				if beta != 0 {
					c[i*ldc+j] = float64(beta*c[i*ldc+j]) + s
				} else {
					c[i*ldc+j] = s
				}
			}
		}
	}
	name := fmt.Sprintf("loop %d×%d", mr, nr)
	if edges {
		name += " edges"
	}
	return microKernel{name: name, mr: mr, nr: nr, fn: fn, edges: edges, kc: 64}
}

// forEachPath runs f once for each way kernel mk may compute a product,
// path naming it: for a kernel with edges with op(B) = B always packed and
// always read unpacked (see useDirectB), for a kernel with a dotFn with the
// dot path always and never taken (see useDot); else once.
func forEachPath(mk microKernel, f func(path string)) {
	defer func(u func(mr, m, n, k int) bool, d func(m, n, k int) bool) { useDirectB, useDot = u, d }(useDirectB, useDot)
	for _, direct := range []bool{false, true} {
		if direct && !mk.edges {
			continue
		}
		useDirectB = func(mr, m, n, k int) bool { return direct }
		for _, dot := range []bool{false, true} {
			if dot && mk.dot == nil {
				continue
			}
			useDot = func(m, n, k int) bool { return dot }
			f(fmt.Sprintf("directB=%v/dot=%v", direct, dot))
		}
	}
}

// randSlice returns n values uniform in [-1, 1).
func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = 2*rng.Float64() - 1
	}
	return s
}
