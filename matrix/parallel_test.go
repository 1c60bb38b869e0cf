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
				parallelFor(n, chunk, func(lo, hi int) {
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
				if want := ceilDiv(n, chunk); len(ranges) != want {
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
	parallelFor(2, 1, func(lo, hi int) {
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
	parallelFor(10, 3, func(lo, hi int) { los = append(los, lo) })
	if !slices.Equal(los, []int{0, 3, 6, 9}) {
		t.Errorf("chunks started at %v, want [0 3 6 9] in order", los)
	}
}

// axpyChunks is an element-wise pass as the network runs it: y ← y − eta·x
// over chunks, with the func made once.
type axpyChunks struct {
	x, y []float64
	eta  float64
	fn   func(lo, hi int)
}

func newAxpyChunks(x, y []float64) *axpyChunks {
	a := &axpyChunks{x: x, y: y}
	a.fn = a.run
	return a
}

func (a *axpyChunks) run(lo, hi int) {
	x, y := a.x[lo:hi], a.y[lo:hi]
	for i := range y {
		y[i] -= a.eta * x[i]
	}
}

// TestParallelForNoAllocs: with the body made once, ParallelFor allocates
// nothing, serial or shared out, and computes the same bits either way.
func TestParallelForNoAllocs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	const n = 153600
	x, y1, y2 := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], y1[i], y2[i] = float64(i%97)/7, float64(i%13), float64(i%13)
	}
	a1, a2 := newAxpyChunks(x, y1), newAxpyChunks(x, y2)
	a1.eta, a2.eta = 0.37, 0.37
	runtime.GOMAXPROCS(1)
	if got := testing.AllocsPerRun(10, func() { parallelFor(n, 16384, a1.fn) }); got != 0 {
		t.Errorf("GOMAXPROCS=1: %v allocations per call, want 0", got)
	}
	runtime.GOMAXPROCS(2)
	parallelFor(n, 16384, a2.fn) // starts the workers
	if got := mallocsDuring(10, func() { parallelFor(n, 16384, a2.fn) }); got != 0 {
		t.Errorf("GOMAXPROCS=2: %d allocations in 10 calls, want 0", got)
	}
	// The same pass, once serial and once shared out, gives the same bits.
	for i := range x {
		y1[i], y2[i] = float64(i%13), float64(i%13)
	}
	runtime.GOMAXPROCS(1)
	parallelFor(n, 16384, a1.fn)
	runtime.GOMAXPROCS(2)
	parallelFor(n, 16384, a2.fn)
	if !slices.Equal(y1, y2) {
		t.Error("the shared-out pass gives different values from the serial one")
	}
}

// TestParallelForPanics: bad arguments panic with a message.
func TestParallelForPanics(t *testing.T) {
	for _, tc := range [][2]int{{-1, 1}, {10, 0}} {
		msg := panicMessage(func() { parallelFor(tc[0], tc[1], func(lo, hi int) {}) })
		if msg == "" || !strings.Contains(msg, "matrix.ParallelFor") {
			t.Errorf("parallelFor(%d, %d): panic %q", tc[0], tc[1], msg)
		}
	}
}

// BenchmarkParallelForHandOff measures what sharing out costs: two chunks
// of almost no work, one of which a worker takes (run it with -cpu 2).
func BenchmarkParallelForHandOff(b *testing.B) {
	var sink [2]float64
	body := func(lo, hi int) { sink[lo] += 1 }
	parallelFor(2, 1, body)
	for b.Loop() {
		parallelFor(2, 1, body)
	}
}

// BenchmarkParallelForUpdate times an update pass over W1's 153,600 entries
// (w ← w − η·g) in chunks of 16,384, shared out as ParallelFor does (run it
// with -cpu 1,2).
func BenchmarkParallelForUpdate(b *testing.B) {
	const n = 153600
	x, y := make([]float64, n), make([]float64, n)
	a := newAxpyChunks(x, y)
	a.eta = 1e-9
	parallelFor(n, 16384, a.fn)
	for b.Loop() {
		parallelFor(n, 16384, a.fn)
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
		parallelFor(12, 1, body)
		if got := int(most.Load()); got > limit {
			t.Errorf("SetParallelism(%d): %d chunks ran at once", limit, got)
		}
	}
	if msg := panicMessage(func() { SetParallelism(-1) }); !strings.Contains(msg, "matrix.SetParallelism") {
		t.Errorf("SetParallelism(-1): panic %q", msg)
	}
}
