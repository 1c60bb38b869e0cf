package cifar

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestPixelValueSplit checks the kernels' first step: v·invHi + v·invLo,
// rounded as the kernels round it, is pixelValue[v] = RN(v/255) for every
// byte, and invLo is 1/255 − invHi rounded (computed here in 200 bits). It
// also shows why the split is needed: v·invHi alone is wrong for some v.
func TestPixelValueSplit(t *testing.T) {
	exact := new(big.Float).SetPrec(200).Quo(big.NewFloat(1).SetPrec(200), big.NewFloat(255).SetPrec(200))
	lo, _ := exact.Sub(exact, new(big.Float).SetPrec(200).SetFloat64(invHi)).Float64()
	if lo != invLo {
		t.Errorf("invLo = %v, want 1/255 − invHi = %v", invLo, lo)
	}
	wrong := 0
	for v := range 256 {
		x := float64(v)
		if got := math.FMA(x, invHi, float64(x*invLo)); got != pixelValue[v] {
			t.Errorf("v = %d: %v, want %v", v, got, pixelValue[v])
		}
		if float64(x*invHi) != pixelValue[v] {
			wrong++
		}
	}
	if wrong == 0 {
		t.Log("v·invHi alone is exact for every byte: the split is not needed")
	}
}

// syntheticStats returns statistics of d features that exercise the
// kernels: features with σ = 1 and μ = 0 (a constant pixel), σ = 1 with
// other means, means that are pixel values (so that p − μ is 0 for one v),
// and random means in [0, 1] with standard deviations in [0.01, 0.6].
func syntheticStats(d int, seed uint64) Stats {
	r := rand.New(rand.NewPCG(seed, 1))
	s := Stats{Mean: make([]float64, d), Std: make([]float64, d)}
	for j := range d {
		s.Mean[j], s.Std[j] = r.Float64(), 0.01+0.59*r.Float64()
		switch j % 7 {
		case 0:
			s.Mean[j], s.Std[j] = 0, 1
		case 1:
			s.Std[j] = 1
		case 2:
			s.Mean[j] = pixelValue[r.IntN(256)]
		}
	}
	return s
}

// allBytes returns 256 rows of d bytes, row v holding v at every feature:
// normalising them produces every (v, j) pair.
func allBytes(d int) [][]byte {
	rows := make([][]byte, 256)
	for v := range rows {
		rows[v] = make([]byte, d)
		for j := range d {
			rows[v][j] = byte(v)
		}
	}
	return rows
}

// checkKernels checks, for every kernel of this CPU, that normalising
// every byte value at every feature of s gives the bits of its formula
// (fastValue lane by lane for the assembly, pixelNorm for the Go kernel), and that apply (the kernel, then the
// division where newNormalizer found the formula inexact) gives the bits of
// pixelNorm, the division.
func checkKernels(t *testing.T, s Stats) {
	t.Helper()
	z := newNormalizer(s)
	d := len(s.Mean)
	x := make([]float64, d)
	for _, k := range kernels() {
		for v, row := range allBytes(d) {
			k.fn(x, row, z.mean, z.std, z.recip)
			for j := range d {
				want := fastValue(byte(v), z.mean[j], z.std[j], z.recip[j])
				if k.divides {
					want = pixelNorm(byte(v), z.mean[j], z.std[j])
				}
				// (A NaN's payload depends on which operand of an
				// instruction carried it, so only its being NaN is
				// checked; apply divides where fastValue is NaN.)
				if math.Float64bits(x[j]) != math.Float64bits(want) && !(math.IsNaN(x[j]) && math.IsNaN(want)) {
					t.Fatalf("%s: v = %d, feature %d (μ %v, σ %v): %v, want its formula's %v", k.name, v, j, z.mean[j], z.std[j], x[j], want)
				}
			}
			old := normalizeKernel
			normalizeKernel = k
			z.apply(x, row, 0)
			normalizeKernel = old
			for j := range d {
				if want := pixelNorm(byte(v), z.mean[j], z.std[j]); math.Float64bits(x[j]) != math.Float64bits(want) {
					t.Fatalf("%s: v = %d, feature %d (μ %v, σ %v): apply gives %v, want (v/255 − μ)/σ = %v", k.name, v, j, z.mean[j], z.std[j], x[j], want)
				}
			}
			// the same in blocks of 7 features, as a product reads an
			// image a block at a time: feature j0+p of a block is x[p]
			normalizeKernel = k
			for j0 := 0; j0 < d; j0 += 7 {
				j1 := min(j0+7, d)
				clear(x[:j1-j0])
				z.apply(x[:j1-j0], row[j0:j1], j0)
				for p := range j1 - j0 {
					j := j0 + p
					if want := pixelNorm(byte(v), z.mean[j], z.std[j]); math.Float64bits(x[p]) != math.Float64bits(want) {
						normalizeKernel = old
						t.Fatalf("%s: v = %d, feature %d in the block from %d: apply gives %v, want (v/255 − μ)/σ = %v", k.name, v, j, j0, x[p], want)
					}
				}
			}
			normalizeKernel = old
		}
	}
}

func TestKernelsSynthetic(t *testing.T) {
	for seed := range uint64(3) {
		s := syntheticStats(ImageSize, seed)
		checkKernels(t, s)
		if z := newNormalizer(s); len(z.divide) != 0 {
			t.Errorf("seed %d: the fast formula is inexact at features %v", seed, z.divide)
		}
	}
}

// TestKernelsFallback checks statistics for which the kernels' formula is
// not exact, so that apply must divide: σ = 0 (x/0), a subnormal σ (1/σ
// overflows), a huge σ (1/σ is subnormal), an infinite or NaN mean.
func TestKernelsFallback(t *testing.T) {
	s := syntheticStats(40, 7)
	odd := []struct{ m, s float64 }{{0.5, 0}, {0.5, 1e-310}, {0.5, 1e308}, {math.Inf(1), 0.2}, {math.NaN(), 0.2}, {0.3, math.Inf(1)}}
	for k, o := range odd {
		s.Mean[3+5*k], s.Std[3+5*k] = o.m, o.s
	}
	z := newNormalizer(s)
	if len(z.divide) == 0 {
		t.Fatal("no feature needs the division: the fallback is not tested")
	}
	t.Logf("features divided: %v", z.divide)
	checkKernels(t, s)
}

// TestKernelsLengths runs every kernel on every length from 0 to 80 and on
// lengths near 3,072, at several offsets into the arrays (so that the
// vectors are not aligned and the tails are of every length), against
// pixelNorm (the statistics are ones where the kernels' formula is exact),
// and checks that nothing outside the range is written.
func TestKernelsLengths(t *testing.T) {
	const d = ImageSize + 16
	s := syntheticStats(d, 11)
	z := newNormalizer(s)
	r := rand.New(rand.NewPCG(5, 5))
	pix := make([]byte, d)
	for j := range pix {
		pix[j] = byte(r.IntN(256))
	}
	var lengths []int
	for n := range 81 {
		lengths = append(lengths, n)
	}
	for n := ImageSize - 9; n <= ImageSize+1; n++ {
		lengths = append(lengths, n)
	}
	x := make([]float64, d)
	for _, k := range kernels() {
		for _, n := range lengths {
			for _, off := range []int{0, 1, 3, 7, 8} {
				if off+n > d-4 {
					continue
				}
				for j := range x {
					x[j] = math.NaN()
				}
				k.fn(x[off:off+n], pix[off:off+n], z.mean[off:off+n], z.std[off:off+n], z.recip[off:off+n])
				for j := range x {
					in := j >= off && j < off+n
					if !in && !math.IsNaN(x[j]) {
						t.Fatalf("%s, n = %d at offset %d: wrote x[%d] = %v, outside its range", k.name, n, off, j, x[j])
					}
					if want := pixelNorm(pix[j], z.mean[j], z.std[j]); in && math.Float64bits(x[j]) != math.Float64bits(want) {
						t.Fatalf("%s, n = %d at offset %d: x[%d] = %v, want %v", k.name, n, off, j, x[j], want)
					}
				}
			}
		}
	}
}

func TestKernelNames(t *testing.T) {
	var names []string
	for _, k := range kernels() {
		names = append(names, k.name)
	}
	t.Log(fmt.Sprint("kernels of this CPU and build: ", names, "; Image uses ", normalizeKernel.name))
}

// TestStatsKernels checks every statistics kernel against the Go ones, bit
// for bit, on rows of random bytes of every length from 0 to 40 and near
// 1,536 and 3,072, at several offsets, added to sums already under way, and
// that nothing outside the row is written.
func TestStatsKernels(t *testing.T) {
	const d = ImageSize + 16
	r := rand.New(rand.NewPCG(2, 3))
	pix := randomPixels(1, 4)[:ImageSize]
	pix = append(pix, make([]byte, 16)...)
	mean := make([]float64, d)
	start := make([]float64, d)
	for j := range d {
		mean[j], start[j] = r.Float64(), 100*r.Float64()
	}
	var lengths []int
	for n := range 41 {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 1535, 1536, 1537, ImageSize-1, ImageSize, ImageSize+1)
	sums, want := make([]float64, d), make([]float64, d)
	for _, k := range statsKernels() {
		for _, n := range lengths {
			for _, off := range []int{0, 1, 5, 8} {
				if off+n > d-4 {
					continue
				}
				for _, squares := range []bool{false, true} {
					copy(sums, start)
					copy(want, start)
					if squares {
						k.sumSquares(sums[off:off+n], pix[off:off+n], mean[off:off+n])
						sumSquaresGo(want[off:off+n], pix[off:off+n], mean[off:off+n])
					} else {
						k.sumPixels(sums[off:off+n], pix[off:off+n])
						sumPixelsGo(want[off:off+n], pix[off:off+n])
					}
					if !sameFloats(sums, want) {
						t.Fatalf("%s (squares %v), n = %d at offset %d: sums differ from Go's", k.name, squares, n, off)
					}
				}
			}
		}
	}
}
