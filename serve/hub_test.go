package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// record is a recording of step without a snapshot.
func record(step int) Recording {
	return Recording{Step: step, Eta: 0.01, Train: Metrics{2, 1.9, 0.3}, Val: Metrics{2.1, 2, 0.25}}
}

// A nil hub takes every call and does nothing, so that training code
// need not check whether it serves.
func TestNilHub(t *testing.T) {
	var h *Hub
	r := h.Start(RunStart{ID: "x"})
	if r != nil || r.ID() != "" {
		t.Fatalf("nil hub's run = %v", r)
	}
	r.Record(record(1))
	r.Tick(1, 0.1)
	r.Finish(RunEnd{})
}

// Run names are kept when valid and unused, and made up otherwise.
func TestRunIDs(t *testing.T) {
	h := NewHub()
	got := []string{}
	for _, id := range []string{"one-cycle", "one-cycle", "coarse/3 λ=0.01", "", "..", strings.Repeat("a", 100), "a.b_c-1"} {
		got = append(got, h.Start(RunStart{ID: id}).ID())
	}
	want := []string{"one-cycle", "one-cycle-2", "coarse-3-0.01", "run-1", "run-2", strings.Repeat("a", 48), "a.b_c-1"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("ids\n got %q\nwant %q", got, want)
	}
	for _, id := range got {
		if !validID(id) {
			t.Errorf("%q is not a valid id", id)
		}
	}
}

// A client that never reads does not slow publishing: 10,000 events go
// through in well under a second with one stuck subscriber of the hub and
// one stuck TCP connection to the event stream.
func TestPublishNeverBlocks(t *testing.T) {
	h := NewHub()
	h.subscribe() // a subscriber that never takes its events
	srv := startServer(t, Options{Hub: h, Results: t.TempDir()})
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/events HTTP/1.1\r\nHost: %s\r\n\r\n", srv.Addr())
	// never read from conn: the server's writes fill the socket buffers
	run := h.Start(RunStart{ID: "r", TotalSteps: 10_000})
	start := time.Now()
	for i := range 10_000 {
		if i%2 == 0 {
			run.Record(record(i))
		} else {
			run.Tick(i, 0.1)
		}
	}
	run.Finish(RunEnd{})
	if d := time.Since(start); d > time.Second {
		t.Fatalf("publishing 10,000 events took %v with stuck clients", d)
	}
}

// Events reach a page in the order they were published, each once, after
// the state; sequence numbers grow by one.
func TestEventsInOrder(t *testing.T) {
	h := NewHub()
	_, ts := newTestSite(t, Options{Hub: h, Results: t.TempDir()})
	events, stop := openStream(t, ts.URL)
	defer stop()
	run := h.Start(RunStart{ID: "r", TotalSteps: 3000})
	const n = 3000 // more than the ring, published while the page reads
	for i := range n {
		run.Record(record(i))
	}
	run.Finish(RunEnd{Err: errors.New("stopped")})
	var prev uint64
	step := 0
	for {
		ev := next(t, events)
		if ev.kind == "state" {
			// a resync is allowed if the reader fell behind; it holds
			// every recording so far
			var st struct {
				Seq  uint64
				Runs []struct {
					Records []json.RawMessage
					End     *struct{}
				}
			}
			if err := json.Unmarshal([]byte(ev.data), &st); err != nil {
				t.Fatal(err)
			}
			if len(st.Runs) == 0 {
				continue // the first state, before the run started
			}
			step, prev = len(st.Runs[0].Records), st.Seq
			if st.Runs[0].End != nil {
				if step != n {
					t.Fatalf("the state holds the end after %d recordings, want %d", step, n)
				}
				return
			}
			continue
		}
		seq, _ := strconv.ParseUint(ev.id, 10, 64)
		if prev != 0 && seq != prev+1 {
			t.Fatalf("event %d after %d", seq, prev)
		}
		prev = seq
		switch ev.kind {
		case "start":
		case "record":
			var r wireRecord
			if err := json.Unmarshal([]byte(ev.data), &r); err != nil {
				t.Fatal(err)
			}
			if r.Step != step {
				t.Fatalf("recording of step %d, want %d", r.Step, step)
			}
			step++
		case "end":
			if step != n {
				t.Fatalf("end after %d recordings, want %d", step, n)
			}
			if !strings.Contains(ev.data, `"error":"stopped"`) {
				t.Fatalf("end event %s", ev.data)
			}
			return
		default:
			t.Fatalf("unexpected event %q", ev.kind)
		}
	}
}

// A page that connects late first gets the state: every run with all its
// recordings, its latest tick, its end; then only what comes after.
func TestLateJoinerGetsState(t *testing.T) {
	h := NewHub()
	now := time.Unix(1000, 0)
	h.now = func() time.Time { return now }
	a := h.Start(RunStart{ID: "a", Group: "3.2 coarse", Title: "λ = 0.001", TotalSteps: 100, StepsPerEpoch: 50,
		Params: []Param{{"λ", "0.001"}}, Classes: fakeClasses})
	a.Record(record(0))
	a.Record(Recording{Step: 50, Eta: 0.05, Train: Metrics{1, 0.9, 0.5}, Val: Metrics{1.1, 1, 0.4}, Snapshot: fakeSnapshot(5, 0.5, 0.4, rand.New(rand.NewPCG(1, 2)), nil)})
	now = now.Add(time.Second)
	a.Tick(60, 0.04)
	a.Finish(RunEnd{Final: &Final{Train: Metrics{1, 0.9, 0.5}, Val: Metrics{1.1, 1, 0.4}}, Seconds: 3})
	b := h.Start(RunStart{ID: "b", Group: "3.2 coarse", TotalSteps: 100})
	_, ts := newTestSite(t, Options{Hub: h, Results: t.TempDir()})
	events, stop := openStream(t, ts.URL)
	defer stop()
	ev := next(t, events)
	if ev.kind != "state" {
		t.Fatalf("first event %q", ev.kind)
	}
	var st struct {
		Seq  int
		Runs []struct {
			ID, Group, Title string
			Total, PerEpoch  int
			Params           [][2]string
			Classes          []string
			Records          []struct {
				Step     int
				Epoch    *float64
				Snapshot bool
			}
			Tick     *struct{ Step int }
			End      *struct{ Seconds float64 }
			Pictures *int
		}
	}
	if err := json.Unmarshal([]byte(ev.data), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Runs) != 2 || st.Seq != 6 {
		t.Fatalf("state: seq %d, %d runs: %s", st.Seq, len(st.Runs), ev.data)
	}
	ra := st.Runs[0]
	if ra.ID != "a" || ra.Group != "3.2 coarse" || ra.Total != 100 || ra.PerEpoch != 50 || ra.Params[0] != [2]string{"λ", "0.001"} ||
		len(ra.Classes) != 10 || len(ra.Records) != 2 || ra.Records[1].Step != 50 || *ra.Records[1].Epoch != 1 || !ra.Records[1].Snapshot ||
		ra.Tick == nil || ra.Tick.Step != 60 || ra.End == nil || ra.End.Seconds != 3 || ra.Pictures == nil || *ra.Pictures != 50 {
		t.Fatalf("run a in the state: %+v", ra)
	}
	if rb := st.Runs[1]; rb.ID != "b" || len(rb.Records) != 0 || rb.End != nil || rb.Pictures != nil {
		t.Fatalf("run b in the state: %+v", rb)
	}
	b.Record(record(10))
	if ev := next(t, events); ev.kind != "record" || ev.id != "7" || !strings.Contains(ev.data, `"run":"b"`) {
		t.Fatalf("after the state: %+v", ev)
	}
}

// A client further behind than the ring gets the state instead of what it
// missed; one within it gets the events, the ticks coalesced to each run's
// latest.
func TestPendingResyncAndCoalescing(t *testing.T) {
	h := NewHub()
	clock := time.Unix(0, 0)
	h.now = func() time.Time { clock = clock.Add(TickInterval); return clock }
	c, _ := h.subscribe()
	a := h.Start(RunStart{ID: "a", TotalSteps: 100})
	b := h.Start(RunStart{ID: "b", TotalSteps: 100})
	a.Tick(1, 0)
	b.Tick(1, 0)
	a.Record(record(2))
	a.Tick(3, 0)
	b.Tick(3, 0)
	a.Tick(4, 0)
	events, st := h.pending(c)
	if st != nil {
		t.Fatal("resync within the ring")
	}
	var got []string
	for _, m := range events {
		s := m.kind
		if w, ok := m.v.(*wireTick); ok {
			s += fmt.Sprintf(" %s%d", w.Run, w.Step)
		}
		got = append(got, s)
	}
	want := "start start record tick b3 tick a4"
	if strings.Join(got, " ") != want {
		t.Fatalf("pending = %q, want %q", strings.Join(got, " "), want)
	}
	for range ringSize + 1 {
		a.Record(record(5))
	}
	if events, st := h.pending(c); st == nil || len(events) != 0 || st.Seq != h.seq {
		t.Fatalf("more than the ring behind: %d events, state %v", len(events), st)
	}
	if events, st := h.pending(c); st != nil || len(events) != 0 {
		t.Fatal("after the resync, nothing should be pending")
	}
}

// Ticks closer than TickInterval are dropped, but never the last step's.
func TestTicksRateLimited(t *testing.T) {
	h := NewHub()
	clock := time.Unix(0, 0)
	h.now = func() time.Time { return clock }
	r := h.Start(RunStart{ID: "r", TotalSteps: 1000})
	for step := 1; step <= 1000; step++ {
		clock = clock.Add(TickInterval / 10) // 10 steps per interval
		r.Tick(step, 0)
	}
	ticks := 0
	for s := uint64(1); s <= h.seq; s++ {
		if h.ring[s%ringSize].kind == "tick" {
			ticks++
		}
	}
	if ticks != 101 { // every tenth step, and the last
		t.Fatalf("%d ticks published, want 101", ticks)
	}
	if h.ring[h.seq%ringSize].v.(*wireTick).Step != 1000 {
		t.Fatal("the last step's tick was dropped")
	}
}

// Each event is encoded once however many pages send it.
func TestEncodedOncePerEvent(t *testing.T) {
	h := NewHub()
	_, ts := newTestSite(t, Options{Hub: h, Results: t.TempDir()})
	var streams []<-chan sse
	for range 3 {
		ev, stop := openStream(t, ts.URL)
		defer stop()
		next(t, ev) // the state
		streams = append(streams, ev)
	}
	run := h.Start(RunStart{ID: "r", TotalSteps: 10})
	for i := range 10 {
		run.Record(record(i))
	}
	for _, ev := range streams {
		for range 11 {
			next(t, ev)
		}
	}
	if n := h.encodes.Load(); n != 11 {
		t.Fatalf("%d encodings for 11 events sent to 3 pages", n)
	}
	// and concurrently, on one message
	m := &message{seq: 1, kind: "tick", v: &wireTick{Run: "r"}, hub: h}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { m.encoded() })
	}
	wg.Wait()
	if n := h.encodes.Load(); n != 12 {
		t.Fatalf("%d encodings after one more event sent by 8 goroutines", n)
	}
}

// NaN and infinite metrics, which a diverging run may record, are sent
// as null rather than breaking the stream.
func TestNonFiniteNumbers(t *testing.T) {
	b := streamEvent(3, "record", &wireRecord{Run: "r", Eta: number(nan()), Train: wireMetrics{Cost: number(inf())}})
	if !strings.Contains(string(b), `"eta":null`) || !strings.Contains(string(b), `"cost":null`) || !strings.HasPrefix(string(b), "id: 3\nevent: record\ndata: {") {
		t.Fatalf("encoded %q", b)
	}
}

func nan() float64 { var z float64; return z / z }
func inf() float64 { var z float64; return 1 / z }

// The fake training run of the tests publishes what a page expects.
func TestFakeRun(t *testing.T) {
	h := NewHub()
	fakeRun(context.Background(), h, fakeSpec{id: "f", group: "g", total: 200, every: 50, perEpoch: 100, hidden: 12, seed: 1})
	st := h.state()
	if len(st.Runs) != 1 || len(st.Runs[0].Records) != 5 || st.Runs[0].End == nil || st.Runs[0].End.Final == nil {
		t.Fatalf("state after the fake run: %+v", st.Runs)
	}
}
