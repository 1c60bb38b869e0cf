package network

import "twolayer/matrix"

// The element-wise work between the products, shared out among the cores.
//
// The products of a step run on every core (matrix.Gemm); so does the
// element-wise work between them: the first layer's bias and ReLU (and
// dropout's mask), the ReLU's mask and the bias gradient on the way back,
// the softmax, and the gathering of a shuffled or augmented batch. Each
// is a pass over chunks of whole rows (or, for the softmax, columns), handed
// to matrix.ParallelFor. Every row's (column's) result is computed by one
// goroutine in a fixed order, so results are bitwise the same at any
// GOMAXPROCS and whatever the chunks.
//
// A pass is a method of the workspace (or of the Trainer) that reads its
// operands from its receiver. byRows and byColumns take the receiver and
// the method expression, as in byRows(r, c, w, (*workspace).firstLayerRows),
// which matrix.ParallelFor runs without allocating: a training step
// allocates nothing.

// passChunk is about how many entries a chunk of a pass holds; a pass of
// fewer runs on the calling goroutine alone (a hand-off costs about a
// microsecond, the work of a few thousand entries). The passes are small
// next to the products: measured at 2 threads on the 2-core AMD EPYC
// (Zen 4), alternating in one process, against running every pass on one
// goroutine, a training step with m = 50 (one chunk, so the same) took
// 0.79 ms either way, with m = 1000 15.5 ms instead of 15.7, and an
// evaluation of 10,000 images 40.1 ms instead of 41.0; 16,384 measured the
// same as 4,096.
const passChunk = 4096

// chunkOf returns the lines (rows or columns) per chunk for a pass over
// lines lines of width entries each: chunks of about passChunk entries, as
// nearly equal as whole lines allow.
func chunkOf(lines, width int) int {
	chunks := max(1, lines*width/passChunk)
	return (lines + chunks - 1) / chunks
}

// byRows runs pass(arg, lo, hi) over the rows of an r×c matrix, in chunks.
func byRows[T any](r, c int, arg *T, pass func(arg *T, lo, hi int)) {
	matrix.ParallelFor(r, chunkOf(r, c), arg, pass)
}

// byColumns runs pass(arg, lo, hi) over the columns of an r×c matrix, in chunks.
func byColumns[T any](r, c int, arg *T, pass func(arg *T, lo, hi int)) {
	matrix.ParallelFor(c, chunkOf(c, r), arg, pass)
}
