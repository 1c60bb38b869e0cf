package matrix

import (
	"fmt"
	"unsafe"
)

// Transpose says whether an operand of Gemm is used as it is or transposed.
type Transpose bool

const (
	// NoTrans uses the operand as it is.
	NoTrans Transpose = false
	// Trans uses the transpose of the operand (without materialising it).
	Trans Transpose = true
)

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X or Xᵀ as
// tA and tB say. op(A) is m×k, op(B) is k×n and C is m×n. With beta = 0, C's
// previous contents are ignored (NaNs in it do not propagate); with alpha = 0
// or k = 0, A and B are not read and C becomes beta·C.
//
// It panics, naming the operation and the shapes, if the shapes do not fit,
// or if C shares memory with A or B: the destination must not overlap an
// input (disjoint blocks of one matrix are fine).
//
// The product is cache-blocked and packed as in GotoBLAS (see gemmPlan and
// the microKernel contract) and runs on up to GOMAXPROCS goroutines, each
// computing whole tiles of C. Each element of C is summed over k in one fixed
// order, so the result is bitwise the same whatever GOMAXPROCS is. Once warm,
// Gemm does not allocate.
func Gemm(tA, tB Transpose, alpha float64, a, b *Dense, beta float64, c *Dense) {
	gemm("Gemm", kern, tA, tB, alpha, a, b, beta, c)
}

// Mul computes C = A·B: A is m×k, B is k×n, C is m×n. It panics as Gemm does.
func Mul(c, a, b *Dense) { gemm("Mul", kern, NoTrans, NoTrans, 1, a, b, 0, c) }

// MulABt computes C = A·Bᵀ: A is m×k, B is n×k, C is m×n. With the images of
// a mini-batch stored one per row of B, this is W·Xᵀ. It panics as Gemm does.
func MulABt(c, a, b *Dense) { gemm("MulABt", kern, NoTrans, Trans, 1, a, b, 0, c) }

// MulAtB computes C = Aᵀ·B: A is k×m, B is k×n, C is m×n. It panics as Gemm does.
func MulAtB(c, a, b *Dense) { gemm("MulAtB", kern, Trans, NoTrans, 1, a, b, 0, c) }

// gemm is Gemm with the name of the calling operation (for panic messages)
// and the micro-kernel to use (so that tests can force one).
func gemm(op string, mk microKernel, tA, tB Transpose, alpha float64, a, b *Dense, beta float64, c *Dense) {
	m, k := a.rows, a.cols
	if tA {
		m, k = k, m
	}
	kb, n := b.rows, b.cols
	if tB {
		kb, n = n, kb
	}
	if k != kb || c.rows != m || c.cols != n {
		panic(fmt.Sprintf("matrix.%s: shape mismatch: %s, %s, C %s: want op(A) m×k, op(B) k×n, C m×n",
			op, operandShape("A", a, tA), operandShape("B", b, tB), c.shape()))
	}
	if sharesMemory(c, a) {
		panic(fmt.Sprintf("matrix.%s: destination C %s shares memory with A %s", op, c.shape(), a.shape()))
	}
	if sharesMemory(c, b) {
		panic(fmt.Sprintf("matrix.%s: destination C %s shares memory with B %s", op, c.shape(), b.shape()))
	}
	if m == 0 || n == 0 {
		return
	}
	if tA == Trans && tB == Trans && mk.edges && alpha != 0 && k != 0 {
		gemmTT(mk, alpha, a, b, beta, c)
		return
	}
	procs := procsFor(mk, m, n, k)
	if beta != 0 && beta != 1 && alpha != 0 && k != 0 {
		scaleC(c, beta, procs)
		beta = 1
	}
	p := plan(mk, tA, tB, m, n, k, procs)
	if alpha == 0 || k == 0 {
		// Only C = beta·C is left; one task is enough.
		p.gm, p.gn, p.tm, p.tn, p.procs, p.dot = 1, 1, m, n, 1, false
	}
	run(&p, tA, tB, alpha, a, b, beta, c)
}

// scaleC sets C = beta·C in a pass of its own, before a product adds to C:
// rows in chunks of about scaleChunk values, on up to procs goroutines,
// each row read and written in the order of memory, which the hardware
// prefetches. Scaling C inside the product instead, just before the kernel
// adds to each part of it, read C in short scattered pieces: with the
// network's fused update of W1, W1 ← (1 − 2ηλ)·W1 − (η/n)·G·X, a training
// step took 2–3% longer with m = 50 hidden units (W1 1.2 MB) and 10–15%
// longer with m = 1000 (25 MB) than with this pass (BenchmarkTrainStep,
// AMD EPYC Zen 4, 1 and 2 threads, alternating in one process). Each value
// of C is scaled once and rounded, as the product's tasks would.
func scaleC(c *Dense, beta float64, procs int) {
	chunk := max(1, scaleChunk/max(c.cols, 1))
	j := newJob()
	j.c, j.beta, j.scaleRows = *c, beta, true
	j.n, j.chunk, j.tasks = c.rows, chunk, int64(ceilDiv(c.rows, chunk))
	j.share(min(procs, int(j.tasks)), nil)
	j.c, j.scaleRows = Dense{}, false
	pool.freeJobs.put(j)
}

// scaleChunk is about how many values of C a task of scaleC scales.
const scaleChunk = 16384

// procsFor returns the goroutines an m×n×k product with kernel mk may use:
// 1 below the serial threshold (see grid), else maxProcs(), which is not
// asked for then (GOMAXPROCS takes the scheduler's lock: 0.2 µs was seen on
// a loaded machine, 7% of a 10×50×100 product).
func procsFor(mk microKernel, m, n, k int) int {
	if 2*float64(m)*float64(n)*float64(k) < float64(serialFlops)*float64(mk.mr*mk.nr) {
		return 1
	}
	return maxProcs()
}

// operandShape describes an operand of gemm for a panic message, e.g.
// "A 50×3072" or "Bᵀ 3072×100 (B 100×3072)".
func operandShape(name string, x *Dense, t Transpose) string {
	if t {
		return fmt.Sprintf("%sᵀ %d×%d (%s %s)", name, x.cols, x.rows, name, x.shape())
	}
	return name + " " + x.shape()
}

// sharesMemory reports whether x and y have an element in common. Views of
// one matrix (same stride) are compared as rectangles, so that, say, two
// column blocks of a matrix do not share memory; otherwise any overlap of
// the address ranges from first to last element counts.
func sharesMemory(x, y *Dense) bool {
	if len(x.data) == 0 || len(y.data) == 0 {
		return false
	}
	x0 := uintptr(unsafe.Pointer(unsafe.SliceData(x.data)))
	y0 := uintptr(unsafe.Pointer(unsafe.SliceData(y.data)))
	if x0 >= y0+uintptr(len(y.data))*8 || y0 >= x0+uintptr(len(x.data))*8 {
		return false // disjoint address ranges
	}
	if y0 < x0 {
		x, y, x0, y0 = y, x, y0, x0
	}
	s := x.stride
	if y.stride != s || (y0-x0)%8 != 0 {
		return true
	}
	// y's first element is at (r, c) in x's coordinates.
	d := int((y0 - x0) / 8)
	r, c := d/s, d%s
	if c+y.cols > s {
		return true // y does not lie in x's rows
	}
	return r < x.rows && c < x.cols
}

// gemmTT computes C = alpha·Aᵀ·Bᵀ + beta·C (A k×m, B n×k) as the transpose
// of T = alpha·B·A, a product with no transpose, where a kernel with edges
// reads its right operand unpacked (see useDirectB): then C[i][j] =
// T[j][i] + beta·C[i][j]. T lives in a buffer kept for the next call.
// Measured on Zen 4: Xᵀ·Gᵀ (3072×10000×50) 33 GFLOP per CPU-second packing
// both operands, 43 this way (the transposition costs about 1%).
func gemmTT(mk microKernel, alpha float64, a, b *Dense, beta float64, c *Dense) {
	m, n, k := a.cols, b.rows, a.rows
	tb := pool.freeTemps.get(func() *[]float64 { return new([]float64) })
	*tb = grow(*tb, n*m)
	t := Dense{rows: n, cols: m, stride: m, data: *tb}
	p := plan(mk, NoTrans, NoTrans, n, m, k, procsFor(mk, m, n, k))
	run(&p, NoTrans, NoTrans, alpha, b, a, 0, &t)
	transposeInto(c, &t, beta)
	pool.freeTemps.put(tb)
}

// transposeInto sets C = Tᵀ + beta·C (beta = 0: C = Tᵀ, NaNs in C do not
// survive), T n×m and C m×n, in blocks of 32×32 so that both are read and
// written a cache line at a time.
func transposeInto(c, t *Dense, beta float64) {
	const blk = 32
	m, n := c.rows, c.cols
	for i0 := 0; i0 < m; i0 += blk {
		for j0 := 0; j0 < n; j0 += blk {
			for i := i0; i < min(i0+blk, m); i++ {
				row := c.data[i*c.stride : i*c.stride+n]
				for j := j0; j < min(j0+blk, n); j++ {
					v := t.data[j*t.stride+i]
					if beta != 0 {
						v += beta * row[j]
					}
					row[j] = v
				}
			}
		}
	}
}
