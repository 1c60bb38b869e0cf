//go:build amd64 && !purego

package dgemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"twolayer/internal/cpu"
)

// archKernels returns the kernels of this architecture that the CPU can
// run, for the tests to check against the portable one (and against
// matrix.GemmReference, through the product).
func archKernels() []microKernel {
	var ks []microKernel
	if hasAVX2 {
		ks = append(ks, avx2Kernel4x12)
	}
	if hasAVX512 {
		ks = append(ks, avx512Kernel10x16)
	}
	return ks
}

// requireAVX2 skips the test on a CPU (or OS) without AVX2 and FMA.
func requireAVX2(t testing.TB) {
	t.Helper()
	if !hasAVX2 {
		t.Skip("this CPU or OS lacks AVX2+FMA: the assembly kernels are not installed and cannot run here")
	}
}

// requireAVX512 skips the test on a CPU (or OS) without AVX-512F.
func requireAVX512(t testing.TB) {
	t.Helper()
	if !hasAVX512 {
		t.Skip("this CPU or OS lacks AVX-512F (or the OS does not save the ZMM and opmask state): the AVX-512 kernel is not installed and cannot run here")
	}
}

// fmaTile is a Go model of the assembly kernels: for each C[i][j], j < cols,
// one accumulator starts at zero and takes a fused multiply-add per p, in
// increasing p; then it is added to C (or, without add, stored). The kernels
// must match it bit for bit.
func fmaTile(k microKernel, kc int, a, b []float64, ldb int, c []float64, ldc, cols int, beta float64) {
	for i := 0; i < k.mr; i++ {
		for j := 0; j < cols; j++ {
			acc := 0.0
			for p := 0; p < kc; p++ {
				acc = math.FMA(a[p*k.mr+i], b[p*ldb+j], acc)
			}
			if beta != 0 {
				c[i*ldc+j] = float64(beta*c[i*ldc+j]) + acc
			} else {
				c[i*ldc+j] = acc
			}
		}
	}
}

// TestCPUChecksMatchProcCPUInfo compares the CPUID checks, under the limit
// $TWOLAYER_CPU may set, with the flags Linux reports, and checks that the
// kernel they select is installed.
func TestCPUChecksMatchProcCPUInfo(t *testing.T) {
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo to compare the CPUID check with:", err)
	}
	var flags []string
	for _, line := range strings.Split(string(info), "\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "flags" {
			flags = strings.Fields(value)
			break
		}
	}
	if flags == nil {
		t.Skip("/proc/cpuinfo has no flags line")
	}
	has := func(f string) bool {
		for _, x := range flags {
			if x == f {
				return true
			}
		}
		return false
	}
	limit, _ := cpu.Limit()
	want := has("avx") && has("avx2") && has("fma") && has("xsave") && limit != "none"
	if hasAVX2 != want {
		t.Errorf("hasAVX2 = %v, but /proc/cpuinfo flags say avx, avx2, fma, xsave all present, and $TWOLAYER_CPU is %q: want %v", hasAVX2, limit, want)
	}
	if want && kernel.name == goKernel.name {
		t.Errorf("AVX2+FMA present but kernel is still %q", kernel.name)
	}
	want512 := want && has("avx512f") && limit == ""
	if hasAVX512 != want512 {
		t.Errorf("hasAVX512 = %v, but /proc/cpuinfo flags say avx2, fma, xsave and avx512f all present, and $TWOLAYER_CPU is %q: want %v", hasAVX512, limit, want512)
	}
	if want512 && kernel.name != avx512Kernel10x16.name {
		t.Errorf("AVX-512F present but kernel is %q", kernel.name)
	}
	if want && !want512 && kernel.name != avx2Kernel4x12.name {
		t.Errorf("AVX2+FMA present and AVX-512 absent or not to be used, but kernel is %q", kernel.name)
	}
	if !want && kernel.name != goKernel.name {
		t.Errorf("no SIMD present or to be used, but kernel is %q", kernel.name)
	}
}

// TestCPULimit runs TestCPUChecksMatchProcCPUInfo again in a process of its
// own under each limit $TWOLAYER_CPU takes, so that the kernel chosen at
// start-up is checked to be that of a CPU without AVX-512 (avx2) and of one
// without SIMD (none).
func TestCPULimit(t *testing.T) {
	if limit, _ := cpu.Limit(); limit != "" {
		t.Skipf("$%s is already %q", cpu.LimitVar, limit)
	}
	for _, limit := range []string{"avx2", "none"} {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestCPUChecksMatchProcCPUInfo$", "-test.v")
		cmd.Env = append(os.Environ(), cpu.LimitVar+"="+limit)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestCPUChecksMatchProcCPUInfo") &&
			!strings.Contains(string(out), "--- SKIP: TestCPUChecksMatchProcCPUInfo") {
			t.Errorf("%s=%s: %v\n%s", cpu.LimitVar, limit, err, out)
		}
	}
}

// kernelCalls lists the (cols, ldb) a kernel is tested with: the whole tile
// on a packed panel, and for a kernel with edges every cols with B packed
// (ldb = nr) or unpacked (ldb = cols, and wider).
func kernelCalls(k microKernel) [][2]int {
	calls := [][2]int{{k.nr, k.nr}}
	if k.edges {
		for cols := 1; cols <= k.nr; cols++ {
			calls = append(calls, [2]int{cols, k.nr}, [2]int{cols, cols}, [2]int{cols, k.nr + 3})
		}
	}
	return calls
}

// TestArchKernels checks every assembly kernel against the FMA model (bit
// for bit) and against the plain sum of products (to rounding), over many
// depths kc, with strides larger than the tile and guard values around it,
// and for a kernel with edges over every number of columns and B strides:
// no element of C outside the rows and columns computed may change.
func TestArchKernels(t *testing.T) {
	requireAVX2(t)
	kcs := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 31, 64, 100, 255, 256, 257, 3072}
	for _, k := range archKernels() {
		for _, call := range kernelCalls(k) {
			cols, ldb := call[0], call[1]
			for _, kc := range kcs {
				if call != [2]int{k.nr, k.nr} && kc > 257 {
					continue // partial tiles: the depths up to 257 are enough
				}
				for _, extra := range []int{0, 1, 5, 37} {
					ldc := k.nr + extra
					for _, beta := range []float64{1, 0, math.Copysign(0, -1), -0.75} {
						name := fmt.Sprintf("%s/cols=%d/ldb=%d/kc=%d/ldc=%d/beta=%v", k.name, cols, ldb, kc, ldc, beta)
						checkKernelCall(t, name, k, kc, cols, ldb, ldc, beta)
					}
				}
			}
		}
	}
}

// checkKernelCall runs kernel k once on random panels and checks C as
// TestArchKernels describes. With beta = 0, C starts with a NaN in the tile,
// which must not survive.
func checkKernelCall(t *testing.T, name string, k microKernel, kc, cols, ldb, ldc int, beta float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(kc*1000+cols), uint64(ldc*100+ldb)))
	a := randSlice(rng, k.mr*kc)
	b := randSlice(rng, max(0, (kc-1)*ldb+cols))
	// C has a guard row above and below the tile and guard columns to the
	// right, inside the stride.
	c0 := randSlice(rng, (k.mr+2)*ldc)
	if beta == 0 {
		c0[ldc+rng.IntN(k.mr)*ldc+rng.IntN(cols)] = math.NaN()
	}
	got := append([]float64(nil), c0...)
	want := append([]float64(nil), c0...)
	k.fn(kc, a, b, ldb, got[ldc:], ldc, cols, beta)
	fmaTile(k, kc, a, b, ldb, want[ldc:], ldc, cols, beta)
	for x := range got {
		if math.Float64bits(got[x]) != math.Float64bits(want[x]) {
			i, j := x/ldc-1, x%ldc
			t.Fatalf("%s: C[%d][%d] = %v, FMA model gives %v (was %v)", name, i, j, got[x], want[x], c0[x])
		}
	}
	// The plain sum, as goKernel computes it, agrees to rounding.
	for i := 0; i < k.mr; i++ {
		for j := 0; j < cols; j++ {
			s, abs := 0.0, 0.0
			for p := 0; p < kc; p++ {
				s += a[p*k.mr+i] * b[p*ldb+j]
				abs += math.Abs(a[p*k.mr+i] * b[p*ldb+j])
			}
			x := (i+1)*ldc + j
			before := 0.0
			if beta != 0 {
				before = beta * c0[x]
			}
			tol := 2*float64(kc+1)*0x1p-52*(abs+math.Abs(before)) + 1e-300
			if d := math.Abs(got[x] - (before + s)); !(d <= tol) {
				t.Fatalf("%s: C[%d][%d] = %v, plain sum gives %v: off by %g > %g", name, i, j, got[x], before+s, d, tol)
			}
		}
	}
	// A second call on the same inputs gives the same bits.
	again := append([]float64(nil), c0...)
	k.fn(kc, a, b, ldb, again[ldc:], ldc, cols, beta)
	for x := range got {
		if math.Float64bits(got[x]) != math.Float64bits(again[x]) {
			t.Fatalf("%s: second call differs at %d: %v then %v", name, x, got[x], again[x])
		}
	}
}

// TestArchKernelsAgreeWithGoKernel runs an assembly kernel and goKernel over
// the same 20×48 block of C (tiles of each kernel's shape) and compares the
// results to rounding: the two are interchangeable in the product.
func TestArchKernelsAgreeWithGoKernel(t *testing.T) {
	requireAVX2(t)
	const m, n, kc = 20, 48, 77
	rng := rand.New(rand.NewPCG(7, 7))
	A := randSlice(rng, m*kc) // row-major m×kc
	B := randSlice(rng, kc*n) // row-major kc×n
	product := func(k microKernel) []float64 {
		c := make([]float64, m*n)
		a := make([]float64, k.mr*kc)
		b := make([]float64, k.nr*kc)
		for i0 := 0; i0 < m; i0 += k.mr {
			for j0 := 0; j0 < n; j0 += k.nr {
				for p := 0; p < kc; p++ {
					for i := 0; i < k.mr; i++ {
						a[p*k.mr+i] = A[(i0+i)*kc+p]
					}
					for j := 0; j < k.nr; j++ {
						b[p*k.nr+j] = B[p*n+j0+j]
					}
				}
				k.fn(kc, a, b, k.nr, c[i0*n+j0:], n, k.nr, 1)
			}
		}
		return c
	}
	want := product(goKernel)
	for _, k := range archKernels() {
		if m%k.mr != 0 || n%k.nr != 0 {
			t.Fatalf("%s: test block %d×%d is not a whole number of %d×%d tiles", k.name, m, n, k.mr, k.nr)
		}
		got := product(k)
		for x := range got {
			if d := math.Abs(got[x] - want[x]); !(d <= 1e-12) {
				t.Errorf("%s: C[%d][%d] = %v, goKernel gives %v", k.name, x/n, x%n, got[x], want[x])
			}
		}
	}
}

// TestArchKernelsCheckBounds: panels or a C tile shorter than the kernel
// needs panic with an index error instead of reading or writing past them,
// and so do calls a kernel does not support.
func TestArchKernelsCheckBounds(t *testing.T) {
	requireAVX2(t)
	type call struct {
		name      string
		a, b, c   []float64
		ldb, cols int
	}
	for _, k := range archKernels() {
		const kc = 5
		ldc := k.nr + 1
		a, b, c := make([]float64, k.mr*kc), make([]float64, k.nr*kc), make([]float64, (k.mr-1)*ldc+k.nr)
		cases := []call{
			{"short a", a[:len(a)-1], b, c, k.nr, k.nr},
			{"short b", a, b[:len(b)-1], c, k.nr, k.nr},
			{"short c", a, b, c[:len(c)-1], k.nr, k.nr},
			{"cols 0", a, b, c, k.nr, 0},
			{"cols > nr", a, b, c, k.nr, k.nr + 1},
		}
		if k.edges {
			ldb := k.nr + 2
			cases = append(cases,
				call{"unpacked b short", a, make([]float64, (kc-1)*ldb+k.nr-2), c, ldb, k.nr - 1},
				call{"short c, partial tile", a, b, c[:len(c)-2], k.nr, k.nr - 1},
				call{"ldb < cols", a, b, c, 2, 3})
		} else {
			cases = append(cases,
				call{"partial tile", a, b, c, k.nr, k.nr - 1},
				call{"unpacked b", a, b, c, k.nr + 1, k.nr})
		}
		for _, tc := range cases {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s with %s: no panic", k.name, tc.name)
					}
				}()
				k.fn(kc, tc.a, tc.b, tc.ldb, tc.c, ldc, tc.cols, 1)
			}()
		}
		k.fn(kc, a, b, k.nr, c, ldc, k.nr, 1) // exact lengths are fine
		if k.edges {
			k.fn(kc, a, b[:(kc-1)*k.nr+3], k.nr, c[:(k.mr-1)*ldc+3], ldc, 3, 0)
		}
	}
}

// BenchmarkKernel measures the kernels alone on panels that stay in L1:
// GFLOP/s at kc = 256 (a typical block depth) and kc = 10 and 50 (where the
// call overhead shows), on a whole tile.
func BenchmarkKernel(b *testing.B) {
	for _, k := range realKernels() {
		for _, kc := range []int{10, 50, 256} {
			b.Run(fmt.Sprintf("%s/kc=%d", k.name, kc), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				pa, pb := randSlice(rng, k.mr*kc), randSlice(rng, k.nr*kc)
				c := make([]float64, k.mr*k.nr)
				for b.Loop() {
					k.fn(kc, pa, pb, k.nr, c, k.nr, k.nr, 1)
				}
				b.ReportMetric(2*float64(k.mr*k.nr*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestPackRows4 checks packRows4 against its definition for many kc,
// destination strides ldd ≥ 4 and both alpha = 1 and a scaling alpha, with
// guard values around the destination that must stay untouched.
func TestPackRows4(t *testing.T) {
	requireAVX2(t)
	for _, kc := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 192, 255} {
		for _, alpha := range []float64{1, -0.75} {
			for _, ldd := range []int{4, 7, 12} {
				lds := kc + ldd + 5
				name := fmt.Sprintf("kc=%d/alpha=%v/ldd=%d", kc, alpha, ldd)
				rng := rand.New(rand.NewPCG(uint64(kc), uint64(ldd)))
				src := randSlice(rng, (max(kc, 4)+1)*lds)
				guard := randSlice(rng, (kc+1)*ldd)

				got := append([]float64(nil), guard...)
				want := append([]float64(nil), guard...)
				packRows4(got, ldd, src, lds, kc, alpha)
				for p := 0; p < kc; p++ {
					for i := 0; i < 4; i++ {
						want[p*ldd+i] = alpha * src[i*lds+p]
					}
				}
				for x := range got {
					if math.Float64bits(got[x]) != math.Float64bits(want[x]) {
						t.Fatalf("packRows4 %s: dst[%d] = %v, want %v", name, x, got[x], want[x])
					}
				}
			}
		}
	}
}

// TestPackPanelAcross checks packPanelAcross against its definition for
// sliver widths 4, 8 and 12, several kc and numbers of slivers, a source
// stride wider than the panel, and both alpha = 1 and a scaling alpha; and
// packPanelAcrossMasked likewise for every width 1..17.
func TestPackPanelAcross(t *testing.T) {
	requireAVX2(t)
	checkPackAcross(t, "packPanelAcross", packPanelAcross, []int{4, 8, 12})
	if hasAVX512 {
		var ws []int
		for w := 1; w <= 17; w++ {
			ws = append(ws, w)
		}
		checkPackAcross(t, "packPanelAcrossMasked", packPanelAcrossMasked, ws)
	}
}

func checkPackAcross(t *testing.T, name string, pack func(dst, src []float64, lds, kc, w, ns int, alpha float64), ws []int) {
	t.Helper()
	for _, w := range ws {
		for _, kc := range []int{0, 1, 2, 3, 5, 16, 189} {
			for _, ns := range []int{0, 1, 2, 7} {
				for _, alpha := range []float64{1, 0.5} {
					lds := ns*w + 9
					rng := rand.New(rand.NewPCG(uint64(w*1000+kc), uint64(ns)))
					src := randSlice(rng, max(kc, 1)*lds)
					n := ns * kc * w
					guard := randSlice(rng, n+5)
					got := append([]float64(nil), guard...)
					want := append([]float64(nil), guard...)
					pack(got, src, lds, kc, w, ns, alpha)
					for s := 0; s < ns; s++ {
						for p := 0; p < kc; p++ {
							for j := 0; j < w; j++ {
								want[s*kc*w+p*w+j] = alpha * src[p*lds+s*w+j]
							}
						}
					}
					for x := range got {
						if math.Float64bits(got[x]) != math.Float64bits(want[x]) {
							t.Fatalf("%s w=%d kc=%d ns=%d alpha=%v: dst[%d] = %v, want %v", name, w, kc, ns, alpha, x, got[x], want[x])
						}
					}
				}
			}
		}
	}
}

// TestPackHelpersCheckBounds: a destination or source one element too short
// panics instead of being overrun.
func TestPackHelpersCheckBounds(t *testing.T) {
	requireAVX2(t)
	const kc, ldd, lds = 6, 12, 10
	dst, src := make([]float64, (kc-1)*ldd+12), make([]float64, (kc-1)*lds+12)
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	mustPanic("packRows4 short dst", func() { packRows4(make([]float64, (kc-1)*ldd+3), ldd, src, lds, kc, 1) })
	mustPanic("packRows4 short src", func() { packRows4(dst, ldd, make([]float64, 3*lds+kc-1), lds, kc, 1) })
	mustPanic("packPanelAcross short dst", func() { packPanelAcross(make([]float64, 2*kc*4-1), src, lds, kc, 4, 2, 1) })
	mustPanic("packPanelAcross short src", func() { packPanelAcross(dst, make([]float64, (kc-1)*lds+7), lds, kc, 4, 2, 1) })
	mustPanic("packPanelAcross width 6", func() { packPanelAcross(dst, src, lds, kc, 6, 1, 1) })
	if hasAVX512 {
		mustPanic("packPanelAcrossMasked short dst", func() { packPanelAcrossMasked(make([]float64, 2*kc*5-1), src, lds, kc, 5, 2, 1) })
		mustPanic("packPanelAcrossMasked short src", func() { packPanelAcrossMasked(dst, make([]float64, (kc-1)*lds+9), lds, kc, 5, 2, 1) })
		mustPanic("packPanelAcrossMasked width 0", func() { packPanelAcrossMasked(dst, src, lds, kc, 0, 1, 1) })
	}
	packPanelAcross(make([]float64, 2*kc*4), make([]float64, (kc-1)*lds+8), lds, kc, 4, 2, 1) // exact fits
	packRows4(make([]float64, (kc-1)*ldd+4), ldd, make([]float64, 3*lds+kc), lds, kc, 1)
}

// BenchmarkPackHelpers measures the packing helpers on the packing of a
// training step, in ns per packed element: a 100×3072 mini-batch view
// (stride 3072) packed as op(B) = Xbᵀ into 12-wide slivers (packRows4, three
// groups of four per sliver), and the same block packed as a row-major B
// (packPanelAcross, k = 100 as in G1·Xb).
func BenchmarkPackHelpers(b *testing.B) {
	requireAVX2(b)
	rng := rand.New(rand.NewPCG(3, 3))
	x := randSlice(rng, 300*3072)
	xb := x[100*3072 : 200*3072]
	const kc, nr, n, k = 192, 12, 96, 3072 // 96 = 8 whole slivers of 12
	dst := make([]float64, n*kc)
	b.Run("rows4/Bt-12", func(b *testing.B) {
		for b.Loop() {
			for pc := 0; pc < k; pc += kc {
				for s := 0; s < n/nr; s++ {
					for g := 0; g < nr; g += 4 {
						packRows4(dst[s*kc*nr+g:], nr, xb[(s*nr+g)*3072+pc:], 3072, kc, 1)
					}
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n*k), "ns/elem")
	})
	b.Run("panel/B-12", func(b *testing.B) {
		// xb read as a 100×3072 row-major B: k = 100 rows, 256 slivers.
		panel := make([]float64, 100*3072)
		for b.Loop() {
			packPanelAcross(panel, xb, 3072, 100, nr, 3072/nr, 1)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(100*3072), "ns/elem")
	})
}
