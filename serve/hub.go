package serve

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Hub takes the events of the training runs and hands them to the pages
// that watch (the clients of the event stream, see Server). It sits between
// two kinds of goroutine with opposite needs:
//
//   - the training goroutines publish (Run.Record, Run.Tick, Run.Finish)
//     and must never wait for a browser: publishing takes the hub's lock
//     for a few memory operations, appends the event to a ring and wakes
//     the clients with sends that never block, whatever the clients do;
//   - the server's goroutines, one per open page, read the ring at their
//     own pace, encode what they send (each event once, however many
//     clients send it: message.encoded) and write it to the network, never
//     holding the lock while they encode or write.
//
// Rather than a queue per client, the hub keeps one ring of the last
// ringSize events and a cursor per client, so publishing costs the same
// whatever the number of clients, and memory stays bounded. A client that
// falls more than the ring behind (a slow phone, a stalled connection) is
// sent the whole current state instead of what it missed (a resync), which
// is also what a page that connects late gets first. Ticks it has not sent
// yet are coalesced: only a run's latest tick is sent.
//
// The hub also keeps the state of every run since the process started (its
// start, its recordings' metrics, its latest tick, its end) and the latest
// snapshot of each run's network, drawn on request (see frame and
// DrawInterval).
//
// A nil *Hub is valid: Start returns a nil *Run, whose methods do nothing,
// so that training code can publish without checking whether anyone serves.
type Hub struct {
	mu      sync.Mutex
	seq     uint64             // sequence number of the latest event; the first is 1
	ring    [ringSize]*message // event seq is at ring[seq%ringSize]
	runs    []*runState        // in the order they started
	byID    map[string]*runState
	clients []*client
	now     func() time.Time

	watchers atomic.Int32 // open event streams (len(clients), read without the lock)
	polled   atomic.Int64 // when the state was last asked for (/api/state), ns since 1970; 0: never
	encodes  atomic.Int64 // events encoded so far, for the tests of "once per event"
}

// ringSize is the number of events the hub remembers for clients that are
// behind. An event is a few hundred bytes (pictures are not in events), so
// the ring stays under a megabyte; a client further behind gets a resync.
const ringSize = 1024

// TickInterval is the shortest time between two ticks of a run that are
// published: Run.Tick drops the others, so that a training step of a
// millisecond costs a clock reading, not an event.
const TickInterval = 100 * time.Millisecond

// NewHub returns a hub with no runs.
func NewHub() *Hub {
	return &Hub{byID: map[string]*runState{}, now: time.Now}
}

// runState is what the hub knows of one run. start is set once; records
// only grows (readers copy the slice header under the lock and may read the
// elements it covers afterwards, since they never change); the rest is read
// and written under the hub's lock.
type runState struct {
	start   *wireStart
	records []wireRecord
	tick    *wireTick
	end     *wireEnd
	frame   *frame // the latest snapshot, nil before the first
	drawn   *frame // the snapshot whose pictures pages got last (see frameToDraw)
	drawnAt time.Time
	classes []string
}

// A client is one open event stream: the sequence number of the next event
// it will send, and a channel of capacity 1 that the publisher fills without
// blocking to say that there is something new.
type client struct {
	next uint64
	wake chan struct{}
}

// Run is the handle of one training run, returned by Hub.Start. Its methods
// are called by the goroutine that trains the run, one call at a time;
// different runs may publish from different goroutines at once (a search's
// runs side by side). All methods of a nil *Run do nothing.
type Run struct {
	hub      *Hub
	st       *runState
	id       string
	total    int
	lastTick time.Time
}

// Start announces a run and returns its handle. The run's ID is s.ID when
// that is a valid name (letters, digits, '.', '_', '-', at most 64 bytes)
// not used yet, else one the hub makes (see Run.ID).
func (h *Hub) Start(s RunStart) *Run {
	if h == nil {
		return nil
	}
	params := make([]wireParam, len(s.Params))
	for i, p := range s.Params {
		params[i] = wireParam{p.Key, p.Value}
	}
	classes := append([]string(nil), s.Classes...)
	h.mu.Lock()
	defer h.mu.Unlock()
	id := s.ID
	if !validID(id) || h.byID[id] != nil {
		id = h.freeIDLocked(id)
	}
	now := h.now()
	st := &runState{
		start: &wireStart{
			ID: id, Group: s.Group, Title: s.Title,
			Total: s.TotalSteps, PerEpoch: s.StepsPerEpoch,
			Params: params, Classes: classes, Time: unixMillis(now),
		},
		classes: classes,
	}
	h.runs = append(h.runs, st)
	h.byID[id] = st
	h.publishLocked(&message{kind: "start", v: st.start})
	return &Run{hub: h, st: st, id: id, total: s.TotalSteps}
}

// ID returns the run's name in the hub's URLs and events ("" for a nil Run).
func (r *Run) ID() string {
	if r == nil {
		return ""
	}
	return r.id
}

// Watched reports whether a page watches (has the event stream open, or
// asked for the state less than PollWatch ago), so that training can skip
// copying snapshots that nobody would see.
func (r *Run) Watched() bool {
	if r == nil {
		return false
	}
	h := r.hub
	if h.watchers.Load() > 0 {
		return true
	}
	last := h.polled.Load()
	return last != 0 && time.Now().UnixNano()-last < int64(PollWatch)
}

// PollWatch is how long a request for the state counts as a page watching:
// a page opened with ?poll (behind a proxy that holds events back, or in a
// headless browser) asks for it every second instead of opening the event
// stream, and must get pictures too.
const PollWatch = 5 * time.Second

// polledNow notes that a page asked for the state (see Watched).
func (h *Hub) polledNow() { h.polled.Store(time.Now().UnixNano()) }

// Record publishes a recording of the metrics, and keeps its snapshot, if
// any, as the run's latest (the previous one is let go). The snapshot must
// not be changed afterwards.
func (r *Run) Record(rec Recording) {
	if r == nil {
		return
	}
	h := r.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	w := wireRecord{
		Run: r.id, Step: rec.Step, Epoch: epoch(rec.Step, r.st.start.PerEpoch),
		Eta: number(rec.Eta), Train: wireMetricsOf(rec.Train), Val: wireMetricsOf(rec.Val),
		Snapshot: rec.Snapshot != nil, Time: unixMillis(h.now()),
	}
	r.st.records = append(r.st.records, w)
	if rec.Snapshot != nil {
		r.st.frame = newFrame(rec.Step, rec.Snapshot, r.st.classes)
		h.trimFramesLocked()
	}
	h.publishLocked(&message{kind: "record", v: &w})
}

// Tick publishes the step reached and its η, at most every TickInterval:
// it may be called after every update step, and drops the calls that come
// sooner than that after the last one published (but never the last step).
func (r *Run) Tick(step int, eta float64) {
	if r == nil {
		return
	}
	h := r.hub
	now := h.now()
	if now.Sub(r.lastTick) < TickInterval && step != r.total {
		return
	}
	r.lastTick = now
	w := &wireTick{Run: r.id, Step: step, Eta: number(eta), Time: unixMillis(now)}
	h.mu.Lock()
	defer h.mu.Unlock()
	r.st.tick = w
	h.publishLocked(&message{kind: "tick", v: w})
}

// Finish publishes the end of the run. Calls after the first are ignored.
func (r *Run) Finish(e RunEnd) {
	if r == nil {
		return
	}
	w := &wireEnd{Run: r.id, Seconds: number(e.Seconds)}
	if e.Final != nil {
		f := &wireFinal{Train: wireMetricsOf(e.Final.Train), Val: wireMetricsOf(e.Final.Val)}
		if e.Final.Test != nil {
			t := wireMetricsOf(*e.Final.Test)
			f.Test = &t
		}
		w.Final = f
	}
	if e.Err != nil {
		w.Error = e.Err.Error()
	}
	for _, p := range e.Extra {
		w.Extra = append(w.Extra, wireParam{p.Key, p.Value})
	}
	h := r.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.st.end != nil {
		return
	}
	w.Time = unixMillis(h.now())
	r.st.end = w
	h.trimFramesLocked()
	h.publishLocked(&message{kind: "end", v: w})
}

// publishLocked gives m the next sequence number, puts it in the ring and
// wakes every client, without blocking: a client whose wake channel is
// already full has a wake-up pending and will find m with the others.
func (h *Hub) publishLocked(m *message) {
	h.seq++
	m.seq = h.seq
	m.hub = h
	h.ring[h.seq%ringSize] = m
	for _, c := range h.clients {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

// subscribe registers a new client and returns it with the current state,
// which it must send first; the client then receives every event after
// that state.
func (h *Hub) subscribe() (*client, *wireState) {
	c := &client{wake: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	c.next = h.seq + 1
	h.clients = append(h.clients, c)
	h.watchers.Store(int32(len(h.clients)))
	return c, h.stateLocked()
}

// unsubscribe forgets a client whose stream has ended.
func (h *Hub) unsubscribe(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, x := range h.clients {
		if x == c {
			last := len(h.clients) - 1
			h.clients[i], h.clients[last] = h.clients[last], nil
			h.clients = h.clients[:last]
			h.watchers.Store(int32(len(h.clients)))
			return
		}
	}
}

// pending returns the events c has not sent yet, oldest first, with the
// ticks coalesced (only the latest tick of each run is kept), and moves c's
// cursor past them. When c is so far behind that the ring no longer holds
// what it missed, it returns the whole state instead (state != nil, no
// events).
func (h *Hub) pending(c *client) (events []*message, state *wireState) {
	h.mu.Lock()
	if h.seq >= ringSize && c.next <= h.seq-ringSize {
		c.next = h.seq + 1
		state = h.stateLocked()
		h.mu.Unlock()
		return nil, state
	}
	for s := c.next; s <= h.seq; s++ {
		events = append(events, h.ring[s%ringSize])
	}
	c.next = h.seq + 1
	h.mu.Unlock()
	return coalesceTicks(events), nil
}

// coalesceTicks drops every tick that a later tick of the same run in
// events supersedes, keeping the order of the rest.
func coalesceTicks(events []*message) []*message {
	var later map[string]bool // runs with a tick further on
	keep := events[:0:0]
	for i := len(events) - 1; i >= 0; i-- {
		m := events[i]
		if m.kind == "tick" {
			run := m.v.(*wireTick).Run
			if later[run] {
				continue
			}
			if later == nil {
				later = map[string]bool{}
			}
			later[run] = true
		}
		keep = append(keep, m)
	}
	for i, j := 0, len(keep)-1; i < j; i, j = i+1, j-1 {
		keep[i], keep[j] = keep[j], keep[i]
	}
	return keep
}

// state returns the current state of every run, as a late-joining page
// receives it first.
func (h *Hub) state() *wireState {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stateLocked()
}

// stateLocked copies what the clients need to know of every run: the
// values that change are copied, the records slice only by its header (its
// elements never change).
func (h *Hub) stateLocked() *wireState {
	s := &wireState{Seq: h.seq, Runs: make([]wireRunState, len(h.runs))}
	for i, st := range h.runs {
		s.Runs[i] = wireRunState{wireStart: st.start, Records: st.records, Tick: st.tick, End: st.end}
		if st.frame != nil {
			step := st.frame.step
			s.Runs[i].Pictures = &step
		}
		if s.Runs[i].Records == nil {
			s.Runs[i].Records = []wireRecord{}
		}
	}
	return s
}

// validID reports whether id may name a run in URLs as it is.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return id != "." && id != ".."
}

// freeIDLocked makes a valid, unused run name from want: its valid
// characters (others become '-'), cut to 48 bytes, followed by "-2", "-3",
// ... if taken; "run-1", "run-2", ... when nothing is left of it.
func (h *Hub) freeIDLocked(want string) string {
	var b []byte
	for _, c := range []byte(want) {
		if len(b) == 48 {
			break
		}
		if validID(string(c)) || c == '.' {
			b = append(b, c)
		} else if len(b) > 0 && b[len(b)-1] != '-' {
			b = append(b, '-')
		}
	}
	base := string(b)
	if strings.Trim(base, ".-") == "" {
		base = "run"
	}
	for n := 1; ; n++ {
		id := base
		if n > 1 || base == "run" {
			id = fmt.Sprintf("%s-%d", base, n)
		}
		if h.byID[id] == nil {
			return id
		}
	}
}

// epoch is the number of passes over the training set after step update
// steps, or nil when steps per epoch is not known.
func epoch(step, perEpoch int) *number {
	if perEpoch <= 0 {
		return nil
	}
	e := number(float64(step) / float64(perEpoch))
	return &e
}

// unixMillis is t in milliseconds since 1970, as JavaScript counts time.
func unixMillis(t time.Time) int64 { return t.UnixMilli() }
