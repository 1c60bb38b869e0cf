package matrix

import (
	"fmt"

	"twolayer/matrix/internal/dgemm"
)

// ParallelFor runs body(arg, lo, hi) once for each chunk of the indices
// 0..n−1,
//
//	[lo, hi) = [c·chunk, min((c+1)·chunk, n)),   c = 0, 1, …, ⌈n/chunk⌉−1,
//
// sharing the chunks out among up to GOMAXPROCS goroutines (the caller and
// the workers of the matrix products; fewer after SetParallelism), and
// returns when all are done. It is meant for element-wise passes over large
// matrices, such as the fused gradient, weight decay and update of a layer,
// that should keep every core busy like the products do.
//
// The chunks depend only on n and chunk, never on GOMAXPROCS; which
// goroutine runs a chunk, and in which order, varies. So the result is
// bitwise the same at any GOMAXPROCS as long as body only writes what
// belongs to indices lo..hi−1 (or to chunk lo/chunk) and reads nothing that
// another chunk writes. With one chunk, or GOMAXPROCS = 1, the chunks run in
// order on the caller.
//
// The body takes its data through arg, so that it can be a plain function
// or a method expression: matrix.ParallelFor(rows, chunk, w,
// (*workspace).reluRows) calls w.reluRows(lo, hi) on each chunk. Such a
// call allocates nothing, where a closure or method value handed to other
// goroutines would be allocated each time it is made.
//
// It panics if n < 0 or chunk < 1. A panic in body on another goroutine
// cannot be recovered by the caller: it ends the program.
func ParallelFor[T any](n, chunk int, arg *T, body func(arg *T, lo, hi int)) {
	if n < 0 || chunk < 1 {
		panic(fmt.Sprintf("matrix.ParallelFor: %d indices in chunks of %d: want n ≥ 0 and chunk ≥ 1", n, chunk))
	}
	dgemm.ParallelFor(n, chunk, arg, body)
}

// SetParallelism sets the most goroutines that each product and each
// ParallelFor runs on to n (n ≥ 1), or back to GOMAXPROCS (n = 0), and
// returns the previous setting. A program that runs several computations
// side by side, each on its own goroutine, gives each a share of the cores
// this way: say 8 training runs on 16 cores, two goroutines per product,
// rather than 16 per product and 8 products competing for them. It does
// not change any result: the products and ParallelFor give the same bits
// at any parallelism. It is safe to call at any time, from any goroutine;
// a product already running keeps the parallelism it started with. It
// panics if n < 0.
func SetParallelism(n int) (previous int) {
	if n < 0 {
		panic(fmt.Sprintf("matrix.SetParallelism(%d): want n ≥ 1, or 0 for GOMAXPROCS", n))
	}
	return dgemm.SetParallelism(n)
}
