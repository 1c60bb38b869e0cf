package dgemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The worker pool that products, scaleC and ParallelFor share their tasks
// with: goroutines started on first need, each with its own packing
// buffers, taking jobs from pool.work. The free lists recycle jobs and the
// callers' buffers, so that steady-state calls allocate nothing.
//
// Handing a job over must cost little next to a task: a training step of
// the network (about a millisecond on two cores) runs two large products
// and a dozen small passes, and a hand-off that waits for a sleeping thread
// to wake costs tens of microseconds or more. So a worker that has finished
// a job keeps looking for the next one for workerSpin, pausing between
// looks, before it blocks; a job handed over in that time starts within a
// microsecond.
var pool struct {
	mu        sync.Mutex
	started   int
	work      chan *job
	freeJobs  freeList[job]
	freeBufs  freeList[packBuf]
	freeTemps freeList[[]float64] // the intermediate products of gemmTT
	spinning  atomic.Int32        // workers looking for a job (see nextJob)
}

// workerSpin is how long a worker looks for a new job after its last one
// before it blocks: longer than the serial stretches between the products
// of a training step, and short enough that an idle process stops spinning
// at once, for people (measured: see docs/performance.md).
const workerSpin = 200 * time.Microsecond

func init() { pool.work = make(chan *job, 256) }

// A job is one call of Gemm, scaleC or ParallelFor being worked on: what to
// compute, cut into tasks 0..tasks−1, and a counter from which the
// goroutines working on it take task numbers. Jobs are recycled (see
// pool.freeJobs).
type job struct {
	kind jobKind

	// A product (kernelTasks, dotTasks): C = alpha·op(A)·op(B) + beta·C,
	// the operands as Gemm takes them; task t is tile t of the plan's grid.
	plan          gemmPlan
	tA, tB        bool
	alpha, beta   float64
	a, b, c       []float64
	lda, ldb, ldc int
	rows          RowReader // B, when it is read row by row (GemmRows); b is then nil

	// scaleC (scaleRows, with c, ldc and beta above) and ParallelFor
	// (loop): task t covers rows or indices t·chunk..min((t+1)·chunk, n)
	// of n; cols is C's width for scaleC; arg and body are ParallelFor's.
	n, chunk, cols int
	arg            any
	body           chunkBody

	tasks  int          // the number of tasks
	next   atomic.Int64 // the next task to take
	inside atomic.Int32 // workers working on the job now; −1: closed (see run)
}

// jobKind says what the tasks of a job compute.
type jobKind int

const (
	kernelTasks jobKind = iota // tiles of a product on the kernel path (task)
	dotTasks                   // tiles of a product on the dot path (dotTask)
	scaleRows                  // chunks of rows of scaleC's pass
	loop                       // chunks of a ParallelFor
)

// freeList is a stack of *T kept for reuse, so that steady-state products
// allocate nothing (unlike sync.Pool, it is never emptied by the GC).
type freeList[T any] struct {
	mu    sync.Mutex
	items []*T
}

// get pops an item, or returns newT() when the list is empty.
func (l *freeList[T]) get(newT func() *T) *T {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.items); n > 0 {
		x := l.items[n-1]
		l.items = l.items[:n-1]
		return x
	}
	return newT()
}

// put pushes x for a later get.
func (l *freeList[T]) put(x *T) {
	l.mu.Lock()
	l.items = append(l.items, x)
	l.mu.Unlock()
}

// newJob returns a closed job from the free list, or a new one.
func newJob() *job {
	return pool.freeJobs.get(func() *job {
		j := new(job)
		j.inside.Store(-1)
		return j
	})
}

// run does the tasks of j on the calling goroutine, with up to procs−1
// workers of the pool helping, returns when all are done and no worker is
// working on j any more, and puts j back on the free list.
//
// The protocol: j is opened (inside = 0) and offered to procs−1 workers;
// a worker that receives it joins it (inside + 1) only while it is open,
// takes tasks until none is left, and leaves (inside − 1). Once the caller
// has no task left to take, it waits for the workers inside to finish their
// last task and closes j (inside = −1). So a worker that is busy elsewhere
// and gets to j late does not hold the caller up: it finds j closed, or (if
// j has been recycled and opened again for another call) joins that call,
// which is as good. The offers are dropped rather than waited for when the
// pool's queue is full.
func (j *job) run(procs, tasks int) {
	j.tasks = tasks
	j.next.Store(0)
	var buf *packBuf
	if j.kind == kernelTasks || j.kind == dotTasks {
		buf = pool.freeBufs.get(newPackBuf)
	}
	helpers := min(procs-1, tasks-1)
	if helpers > 0 {
		// Workers for every core, not only this job's helpers: other
		// goroutines may run products side by side (see SetParallelism).
		startWorkers(runtime.GOMAXPROCS(0) - 1)
		j.inside.Store(0) // open, after every field of j is set
		for range helpers {
			select {
			case pool.work <- j:
			default:
			}
		}
	}
	j.work(buf)
	if helpers > 0 {
		// Close j once no worker is inside. The wait is short (at most one
		// task): spin, pausing, then yield in case a worker inside is not
		// running (more goroutines than cores).
		for i := 0; !j.inside.CompareAndSwap(0, -1); i++ {
			if i < 1000 {
				spinPause()
			} else {
				runtime.Gosched()
			}
		}
	}
	if buf != nil {
		pool.freeBufs.put(buf)
	}
	// Do not keep the caller's memory alive.
	j.a, j.b, j.c, j.rows, j.arg, j.body = nil, nil, nil, nil, nil, nil
	pool.freeJobs.put(j)
}

// work takes task numbers from j until none are left and does them,
// packing into buf (a product's tasks; nil for the others).
func (j *job) work(buf *packBuf) {
	for {
		t := int(j.next.Add(1) - 1)
		if t >= j.tasks {
			return
		}
		switch j.kind {
		case kernelTasks:
			j.task(t, buf)
		case dotTasks:
			j.dotTask(t, buf)
		case scaleRows:
			lo := t * j.chunk
			scaleTile(j.c, j.ldc, j.beta, lo, min(lo+j.chunk, j.n), 0, j.cols)
		case loop:
			lo := t * j.chunk
			j.body.call(j.arg, lo, min(lo+j.chunk, j.n))
		}
	}
}

// join enters j as a helper if j is open and reports whether it did.
func (j *job) join() bool {
	for {
		n := j.inside.Load()
		if n < 0 {
			return false
		}
		if j.inside.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// startWorkers makes sure that at least n workers exist.
func startWorkers(n int) {
	if int(poolStarted.Load()) >= n {
		return
	}
	pool.mu.Lock()
	for ; pool.started < n; pool.started++ {
		go worker(newPackBuf()) // allocated here, not whenever the worker first runs
	}
	poolStarted.Store(int32(pool.started))
	pool.mu.Unlock()
}

// poolStarted is pool.started, read without the lock.
var poolStarted atomic.Int32

// worker helps with the jobs it receives, forever, packing into buf.
func worker(buf *packBuf) {
	for {
		j := nextJob()
		if j.join() {
			j.work(buf)
			j.inside.Add(-1)
		}
	}
}

// nextJob returns the next job offered to the pool: it looks for one for
// workerSpin, pausing between looks, then blocks until one comes. At most
// as many workers look at a time as one product may have helpers
// (maxProcs() − 1): when products run side by side on their shares of the
// cores (SetParallelism), the other workers block at once rather than take
// a core from a goroutine that computes.
func nextJob() *job {
	if int(pool.spinning.Add(1)) <= maxProcs()-1 {
		j := lookForJob()
		pool.spinning.Add(-1)
		if j != nil {
			return j
		}
	} else {
		pool.spinning.Add(-1)
	}
	return <-pool.work
}

// lookForJob returns a job offered to the pool within workerSpin, or nil.
func lookForJob() *job {
	deadline := time.Now().Add(workerSpin)
	for i := 1; ; i++ {
		select {
		case j := <-pool.work:
			return j
		default:
		}
		if i%64 == 0 && time.Now().After(deadline) {
			return nil
		}
		spinPause()
	}
}
