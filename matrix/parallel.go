package matrix

import (
	"fmt"
	"runtime"
	"sync/atomic"
)

// ParallelFor calls body(lo, hi) once for each chunk of the indices 0..n−1,
//
//	[lo, hi) = [c·chunk, min((c+1)·chunk, n)),   c = 0, 1, …, ⌈n/chunk⌉−1,
//
// sharing the chunks out among up to GOMAXPROCS goroutines (the caller and
// the workers of the matrix product; fewer after SetParallelism), and
// returns when all are done. It is
// meant for element-wise passes over large matrices, such as the fused
// gradient, weight decay and update of W1, that should keep every core busy
// like the products do.
//
// The chunks depend only on n and chunk, never on GOMAXPROCS; which
// goroutine runs a chunk, and in which order, varies. So the result is
// bitwise the same at any GOMAXPROCS as long as body(lo, hi) only writes
// what belongs to indices lo..hi−1 (or to chunk lo/chunk) and reads nothing
// that another chunk writes. With one chunk, or GOMAXPROCS = 1, the chunks
// run in order on the caller.
//
// ParallelFor allocates nothing itself. A func literal that captures
// variables allocates when it is made, though, because body is handed to
// other goroutines: in a loop that must not allocate, make the func once
// (for instance a method value stored in a field) and pass that.
//
// It panics if n < 0 or chunk < 1. A panic in body on another goroutine
// cannot be recovered by the caller: it ends the program.
func ParallelFor[T any](n, chunk int, arg *T, body func(arg *T, lo, hi int)) {
	parallelFor(n, chunk, func(lo, hi int) { body(arg, lo, hi) })
}

// parallelFor is ParallelFor with a closure (interim, until the engine split).
func parallelFor(n, chunk int, body func(lo, hi int)) {
	if n < 0 || chunk < 1 {
		panic(fmt.Sprintf("matrix.ParallelFor: %d indices in chunks of %d: want n ≥ 0 and chunk ≥ 1", n, chunk))
	}
	chunks := ceilDiv(n, chunk)
	procs := 1
	if chunks > 1 {
		procs = min(maxProcs(), chunks)
	}
	if procs <= 1 {
		for lo := 0; lo < n; lo += chunk {
			body(lo, min(lo+chunk, n))
		}
		return
	}
	j := newJob()
	j.body, j.n, j.chunk, j.tasks = body, n, chunk, int64(chunks)
	j.share(procs, nil)
	j.body = nil // do not keep the caller's closure alive
	pool.freeJobs.put(j)
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
	return int(parallelism.Swap(int32(min(n, 1<<30))))
}

// parallelism is SetParallelism's setting: 0 means GOMAXPROCS.
var parallelism atomic.Int32

// maxProcs returns the goroutines a product or ParallelFor may use now:
// GOMAXPROCS, or less after SetParallelism.
func maxProcs() int {
	switch n := int(parallelism.Load()); n {
	case 0:
		return runtime.GOMAXPROCS(0)
	case 1:
		return 1 // GOMAXPROCS need not be asked
	default:
		return min(n, runtime.GOMAXPROCS(0))
	}
}
