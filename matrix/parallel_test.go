package matrix

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestParallelForCoversEachIndexOnce: every index 0..n−1 is handed to body
// exactly once, in the chunks the documentation gives, whatever GOMAXPROCS.
func TestParallelForCoversEachIndexOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 7, 100, 153600} {
			for _, chunk := range []int{1, 3, 100, 4096, 1 << 20} {
				if n/chunk > 20000 {
					continue
				}
				where := fmt.Sprintf("GOMAXPROCS=%d n=%d chunk=%d", procs, n, chunk)
				seen := make([]atomic.Int32, n)
				var mu sync.Mutex
				var ranges [][2]int
				parallelForFunc(n, chunk, func(lo, hi int) {
					for i := lo; i < hi; i++ {
						seen[i].Add(1)
					}
					mu.Lock()
					ranges = append(ranges, [2]int{lo, hi})
					mu.Unlock()
				})
				for i := range seen {
					if c := seen[i].Load(); c != 1 {
						t.Fatalf("%s: index %d handed to body %d times", where, i, c)
					}
				}
				slices.SortFunc(ranges, func(a, b [2]int) int { return a[0] - b[0] })
				for c, r := range ranges {
					if want := [2]int{c * chunk, min((c+1)*chunk, n)}; r != want {
						t.Fatalf("%s: chunk %d is [%d,%d), want [%d,%d)", where, c, r[0], r[1], want[0], want[1])
					}
				}
				if want := (n + chunk - 1) / chunk; len(ranges) != want {
					t.Fatalf("%s: %d chunks, want %d", where, len(ranges), want)
				}
			}
		}
	}
}

// TestParallelForRunsConcurrently: with GOMAXPROCS = 2, two chunks run at
// the same time (the first waits for the second to start).
func TestParallelForRunsConcurrently(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	started := make(chan struct{})
	together := false
	parallelForFunc(2, 1, func(lo, hi int) {
		if lo == 1 {
			close(started)
			return
		}
		select {
		case <-started:
			together = true
		case <-time.After(10 * time.Second):
		}
	})
	if !together {
		t.Error("chunk 0 waited 10 s for chunk 1 to start: the chunks ran one after the other")
	}
}

// TestParallelForSerialInOrder: with GOMAXPROCS = 1 the chunks run on the
// caller, in order.
func TestParallelForSerialInOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var los []int
	parallelForFunc(10, 3, func(lo, hi int) { los = append(los, lo) })
	if !slices.Equal(los, []int{0, 3, 6, 9}) {
		t.Errorf("chunks started at %v, want [0 3 6 9] in order", los)
	}
}

// parallelForFunc is ParallelFor with a func value as the body, for the
// tests where allocating does not matter: arg is the func.
func parallelForFunc(n, chunk int, body func(lo, hi int)) {
	ParallelFor(n, chunk, &body, func(f *func(lo, hi int), lo, hi int) { (*f)(lo, hi) })
}

// axpyChunks is an element-wise pass as the network runs it: y ← y − eta·x
// over chunks, a method of the struct that holds its operands.
type axpyChunks struct {
	x, y []float64
	eta  float64
}

func (a *axpyChunks) run(lo, hi int) {
	x, y := a.x[lo:hi], a.y[lo:hi]
	for i := range y {
		y[i] -= a.eta * x[i]
	}
}

// axpyHalf is the same pass with half the step, as a plain function.
func axpyHalf(a *axpyChunks, lo, hi int) {
	x, y := a.x[lo:hi], a.y[lo:hi]
	for i := range y {
		y[i] -= 0.5 * a.eta * x[i]
	}
}

// TestParallelForAllocatesNothing: with a method expression or a plain
// function as the body, ParallelFor allocates nothing, on the caller alone
// or shared out at GOMAXPROCS = 2, and computes the same bits either way.
// testing.AllocsPerRun counts at GOMAXPROCS = 1, which the counted function
// changes to 2 on its first (uncounted) run; AllocsPerRun reads the
// runtime's count of allocations, the workers' included.
func TestParallelForAllocatesNothing(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	const n, chunk = 153600, 16384
	x, y1, y2 := make([]float64, n), make([]float64, n), make([]float64, n)
	reset := func() {
		for i := range x {
			x[i], y1[i], y2[i] = float64(i%97)/7, float64(i%13), float64(i%13)
		}
	}
	reset()
	a1, a2 := &axpyChunks{x: x, y: y1, eta: 0.37}, &axpyChunks{x: x, y: y2, eta: 0.37}
	at := func(procs int, a *axpyChunks) func() {
		return func() {
			runtime.GOMAXPROCS(procs)
			ParallelFor(n, chunk, a, (*axpyChunks).run)
			ParallelFor(n, chunk, a, axpyHalf)
		}
	}
	if got := testing.AllocsPerRun(10, at(1, a1)); got != 0 {
		t.Errorf("GOMAXPROCS=1: %v allocations per two calls, want 0", got)
	}
	if got := testing.AllocsPerRun(10, at(2, a2)); got != 0 {
		t.Errorf("GOMAXPROCS=2: %v allocations per two calls, want 0", got)
	}
	// The same passes, once serial and once shared out, give the same bits.
	reset()
	at(1, a1)()
	at(2, a2)()
	if !slices.Equal(y1, y2) {
		t.Error("the shared-out passes give different values from the serial ones")
	}
}

// TestParallelForPanics: bad arguments panic with a message.
func TestParallelForPanics(t *testing.T) {
	for _, tc := range [][2]int{{-1, 1}, {10, 0}} {
		msg := panicMessage(func() { parallelForFunc(tc[0], tc[1], func(lo, hi int) {}) })
		if msg == "" || !strings.Contains(msg, "matrix.ParallelFor") {
			t.Errorf("ParallelFor(%d, %d): panic %q", tc[0], tc[1], msg)
		}
	}
}

// BenchmarkParallelForHandOff measures what sharing out costs: two chunks
// of almost no work, one of which a worker takes (run it with -cpu 2).
func BenchmarkParallelForHandOff(b *testing.B) {
	var sink [2]float64
	body := func(s *[2]float64, lo, hi int) { s[lo] += 1 }
	ParallelFor(2, 1, &sink, body)
	for b.Loop() {
		ParallelFor(2, 1, &sink, body)
	}
}

// BenchmarkParallelForUpdate times an update pass over W1's 153,600 entries
// (w ← w − η·g) in chunks of 16,384, shared out as ParallelFor does (run it
// with -cpu 1,2).
func BenchmarkParallelForUpdate(b *testing.B) {
	const n = 153600
	x, y := make([]float64, n), make([]float64, n)
	a := &axpyChunks{x: x, y: y, eta: 1e-9}
	ParallelFor(n, 16384, a, (*axpyChunks).run)
	for b.Loop() {
		ParallelFor(n, 16384, a, (*axpyChunks).run)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/entry")
}

// TestSetParallelism: ParallelFor runs at most SetParallelism's number of
// chunks at a time (bodies that sleep make the overlap visible), the
// setting is returned and restored, and a negative one panics.
func TestSetParallelism(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer SetParallelism(SetParallelism(0))
	var inFlight, most atomic.Int32
	body := func(lo, hi int) {
		n := inFlight.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		inFlight.Add(-1)
	}
	for _, limit := range []int{1, 2, 3} {
		if prev := SetParallelism(limit); limit > 1 && prev != limit-1 {
			t.Errorf("SetParallelism(%d) returned %d, want the previous setting %d", limit, prev, limit-1)
		}
		most.Store(0)
		parallelForFunc(12, 1, body)
		if got := int(most.Load()); got > limit {
			t.Errorf("SetParallelism(%d): %d chunks ran at once", limit, got)
		}
	}
	if msg := panicMessage(func() { SetParallelism(-1) }); !strings.Contains(msg, "matrix.SetParallelism") {
		t.Errorf("SetParallelism(-1): panic %q", msg)
	}
}
