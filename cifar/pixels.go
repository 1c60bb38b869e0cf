package cifar

import (
	"fmt"
	"math"
	"slices"
	"sync"
)

// Normalising pixel bytes on the fly. Images.Image writes
//
//	x_j = (pixelValue[v_j] − μ_j) / σ_j
//
// for the 3,072 bytes v_j of an image, and must give, bit for bit, what
// normalising a float64 matrix of the values v/255 gives: the
// value v/255 rounded, minus μ_j rounded, divided by σ_j rounded. A scalar
// division per value is too slow on a training step's path (about 1 ns each
// in Go; a batch of 100 images is 307,200 values). A vector division
// (VDIVPD) is correctly rounded in each lane, so it gives the same bits, and
// where the divider is fast (AMD Zen 5) it is the kernel used
// (normalize_amd64.go). Elsewhere the kernels compute the same correctly
// rounded results with multiplications and fused multiply-adds:
//
//	p = RN(v·invHi + RN(v·invLo))   = RN(v/255)         for every byte v
//	d = RN(p − μ_j)
//	q = RN(d·r_j)                   r_j = RN(1/σ_j)
//	e = RN(d − q·σ_j)               one FMA: d − q·σ_j is exact
//	y = RN(q + e·r_j)               one FMA: = RN(d/σ_j)
//
// The first line, which every kernel uses, splits 1/255 into invHi =
// RN(1/255) and the remainder invLo: v·invHi alone is off by one ulp for 24
// of the 256 bytes. The last three are Markstein's correction of a quotient
// (q is within an ulp of d/σ and e its exact remainder, so adding e/σ ≈ e·r
// once rounds to the correctly rounded quotient) — a theorem with
// conditions (no underflow, no overflow) that a set of statistics need not
// meet. So nothing rests on it: there are only 256 values of v, so
// newNormalizer computes both formulas for all 256 at every feature (786,432
// pairs, about a millisecond) and lists the features where they ever differ;
// Image recomputes those with the division after the kernel. For real
// statistics the list is empty.

// Pixel values: pixelValue[v] = v/255 (batch.go) is RN(v/255); the kernels
// compute it as RN(v·invHi + RN(v·invLo)), which TestPixelValueSplit checks
// for all 256 bytes.
var (
	// invHi is RN(1/255).
	invHi = 1.0 / 255
	// invLo is RN(1/255 − invHi): the residual 1 − 255·invHi of a correctly
	// rounded reciprocal is exact in one FMA, and dividing it by 255 rounds
	// once.
	invLo = math.FMA(-255, invHi, 1) / 255
)

// normalizer holds a set of statistics prepared for normalising bytes: the
// statistics themselves (Image's formula is the division by them), the
// reciprocals the kernels multiply by, and the features where the kernels'
// formula is not exact, which the division recomputes.
type normalizer struct {
	mean, std []float64 // μ_j and σ_j, copies of the Stats given
	recip     []float64 // r_j = RN(1/σ_j)
	divide    []int     // the features j where fastValue differs from pixelNorm for some byte v
}

// rawNormalizer normalises nothing: μ = 0, σ = 1, so (p − 0)/1 = p exactly and
// Image writes pixelValue[v], the raw values of LoadBatch. It is made on
// first use, not at start-up, since making it takes about a millisecond.
var rawNormalizer = sync.OnceValue(func() *normalizer { return newNormalizer(constStats(ImageSize, 0, 1)) })

// constStats returns statistics of d features, each with mean m and std s.
func constStats(d int, m, s float64) Stats {
	st := Stats{Mean: make([]float64, d), Std: make([]float64, d)}
	for j := range d {
		st.Mean[j], st.Std[j] = m, s
	}
	return st
}

// newNormalizer prepares the statistics s (d features, copied) for the
// kernels: the reciprocals, and the exhaustive check of the kernels'
// formula against the division for every byte at every feature. It panics
// if s.Mean and s.Std differ in length.
func newNormalizer(s Stats) *normalizer {
	if len(s.Std) != len(s.Mean) {
		panic(fmt.Sprintf("cifar: statistics of %d means and %d standard deviations", len(s.Mean), len(s.Std)))
	}
	d := len(s.Mean)
	z := &normalizer{
		mean:  append([]float64(nil), s.Mean...),
		std:   append([]float64(nil), s.Std...),
		recip: make([]float64, d),
	}
	for j, sd := range z.std {
		z.recip[j] = 1 / sd
	}
	exact := make([]bool, d)
	parallelFor(d, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			exact[j] = fastIsExact(z.mean[j], z.std[j], z.recip[j])
		}
	})
	for j, ok := range exact {
		if !ok {
			z.divide = append(z.divide, j)
		}
	}
	return z
}

// fastIsExact reports whether fastValue gives, for every byte v, the bits
// of pixelNorm with mean m and standard deviation s (r = RN(1/s)). A NaN
// counts as inexact: its payload depends on which operand of an instruction
// carried it, which the kernels need not share with Go.
func fastIsExact(m, s, r float64) bool {
	for v := range 256 {
		f := fastValue(byte(v), m, s, r)
		if math.IsNaN(f) || math.Float64bits(f) != math.Float64bits(pixelNorm(byte(v), m, s)) {
			return false
		}
	}
	return true
}

// pixelNorm is the value Images.Image writes for byte v at a feature with
// mean m and standard deviation s: the report's normalisation of the value
// v/255, with IEEE division. It is the reference every kernel must match.
func pixelNorm(v byte, m, s float64) float64 { return (pixelValue[v] - m) / s }

// fastValue is the kernels' formula, lane by lane (see the top of this
// file): the same operations in the same order, each rounded once (the
// explicit conversions keep a compiler from fusing a product into an
// addition, which Go allows on some architectures).
func fastValue(v byte, m, s, r float64) float64 {
	x := float64(v)
	p := math.FMA(x, invHi, float64(x*invLo))
	d := p - m
	q := float64(d * r)
	e := math.FMA(-q, s, d)
	return math.FMA(e, r, q)
}

// apply writes the normalised values of the bytes pix, features j0,
// j0+1, …, into x[:len(pix)]: the kernel for all of them, then the division
// for the features where the kernel's formula is not exact. j0+len(pix)
// must not exceed the number of features, nor len(pix) len(x).
func (z *normalizer) apply(x []float64, pix []byte, j0 int) {
	n := len(pix)
	x = x[:n]
	j1 := j0 + n
	normalizeKernel.fn(x, pix, z.mean[j0:j1], z.std[j0:j1], z.recip[j0:j1])
	for _, j := range z.inexact(j0, j1) {
		x[j-j0] = pixelNorm(pix[j-j0], z.mean[j], z.std[j])
	}
}

// inexact returns the features j0 ≤ j < j1 where the kernels' formula is
// not exact (a part of z.divide, which is sorted), which the division
// recomputes.
func (z *normalizer) inexact(j0, j1 int) []int {
	lo, _ := slices.BinarySearch(z.divide, j0)
	hi, _ := slices.BinarySearch(z.divide, j1)
	return z.divide[lo:hi]
}

// normalizeGo is the portable kernel: x[j] = pixelNorm(pix[j], mean[j],
// std[j]), the division itself. All five slices have the same length.
func normalizeGo(x []float64, pix []byte, mean, std, recip []float64) {
	x = x[:len(pix)]
	mean, std = mean[:len(pix)], std[:len(pix)]
	for j, v := range pix {
		x[j] = (pixelValue[v] - mean[j]) / std[j]
	}
}

// stats returns a copy of the statistics z normalises with.
func (z *normalizer) stats() Stats {
	return Stats{Mean: append([]float64(nil), z.mean...), Std: append([]float64(nil), z.std...)}
}

// kernel is a normalisation kernel, named for tests and benchmarks.
type kernel struct {
	name    string
	fn      func(x []float64, pix []byte, mean, std, recip []float64)
	divides bool // it computes pixelNorm (the division), not fastValue
}

// The sums of ComputeStats over the images (images.go), one image's row of
// bytes at a time: sumPixels adds each value to its feature's sum,
// sumSquares each squared deviation. Each feature's sum runs over the
// images in order whatever the kernel, so all give the bits of
// ComputeStats on the matrix.
var (
	sumPixels  = sumPixelsGo
	sumSquares = sumSquaresGo
)

// sumPixelsGo adds pixelValue[pix[j]] to acc[j], for j < len(pix).
func sumPixelsGo(acc []float64, pix []byte) {
	acc = acc[:len(pix)]
	for j, v := range pix {
		acc[j] += pixelValue[v]
	}
}

// sumSquaresGo adds (pixelValue[pix[j]] − mean[j])² to acc[j], for j <
// len(pix). It is written as ComputeStats's loop is, so that a compiler
// that fuses the square into the addition (Go may, on some architectures)
// fuses both alike.
func sumSquaresGo(acc []float64, pix []byte, mean []float64) {
	acc, mean = acc[:len(pix)], mean[:len(pix)]
	for j, v := range pix {
		dv := pixelValue[v] - mean[j]
		acc[j] += dv * dv
	}
}

// statsKernel is a pair of statistics kernels, named for tests.
type statsKernel struct {
	name       string
	sumPixels  func(acc []float64, pix []byte)
	sumSquares func(acc []float64, pix []byte, mean []float64)
}
