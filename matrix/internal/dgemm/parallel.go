package dgemm

import (
	"runtime"
	"sync/atomic"
)

// ParallelFor is matrix.ParallelFor, whose documentation says what it
// does; the caller has checked that n ≥ 0 and chunk ≥ 1. With one chunk,
// or one goroutine to run on, the chunks run in order on the caller;
// otherwise chunk t is task t of a job of the pool.
func ParallelFor[T any](n, chunk int, arg *T, body func(arg *T, lo, hi int)) {
	chunks := ceilDiv(n, chunk)
	procs := 1
	if chunks > 1 {
		procs = min(maxProcs(), chunks)
	}
	if procs <= 1 {
		for lo := 0; lo < n; lo += chunk {
			body(arg, lo, min(lo+chunk, n))
		}
		return
	}
	j := newJob()
	j.kind = loop
	j.arg, j.body = arg, bodyOf[T](body)
	j.n, j.chunk = n, chunk
	j.run(procs, chunks)
}

// A chunkBody is a ParallelFor's body as a job holds it: call runs the body
// on arg (a *T in an interface) for indices lo..hi−1.
type chunkBody interface {
	call(arg any, lo, hi int)
}

// bodyOf is the chunkBody of a body taking a *T. A func value and a pointer
// are stored in an interface without allocating, and the method of the
// type's instance restores arg's type, so a ParallelFor with a static body
// (a function or a method expression) allocates nothing.
type bodyOf[T any] func(arg *T, lo, hi int)

func (f bodyOf[T]) call(arg any, lo, hi int) { f(arg.(*T), lo, hi) }

// SetParallelism is matrix.SetParallelism (n ≥ 0, checked by the caller):
// it sets the most goroutines each product and ParallelFor runs on to n, or
// to GOMAXPROCS when n = 0, and returns the previous setting.
func SetParallelism(n int) (previous int) {
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
