package serve

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"sync"
)

// The wire types are the events and the state as the page receives them,
// in JSON. They are made from the events when published (copies of a few
// numbers), and encoded only by the server's goroutines.

// wireStart is a RunStart.
type wireStart struct {
	ID       string      `json:"id"`
	Group    string      `json:"group"`
	Title    string      `json:"title"`
	Total    int         `json:"total"`
	PerEpoch int         `json:"perEpoch"`
	Params   []wireParam `json:"params"`
	Classes  []string    `json:"classes"`
	Time     int64       `json:"time"` // when it started, ms since 1970
}

// wireParam is a Param as a two-element array, ["λ", "0.01"].
type wireParam [2]string

// wireMetrics are Metrics.
type wireMetrics struct {
	Cost     number `json:"cost"`
	Loss     number `json:"loss"`
	Accuracy number `json:"accuracy"`
}

func wireMetricsOf(m Metrics) wireMetrics {
	return wireMetrics{number(m.Cost), number(m.Loss), number(m.Accuracy)}
}

// wireRecord is a Recording without its snapshot: Snapshot says whether it
// had one (the page then asks for the new pictures).
type wireRecord struct {
	Run      string      `json:"run"`
	Step     int         `json:"step"`
	Epoch    *number     `json:"epoch"` // null when steps per epoch is unknown
	Eta      number      `json:"eta"`
	Train    wireMetrics `json:"train"`
	Val      wireMetrics `json:"val"`
	Snapshot bool        `json:"snapshot"`
	Time     int64       `json:"time"`
}

// wireTick is a tick: the step reached, its η and when.
type wireTick struct {
	Run  string `json:"run"`
	Step int    `json:"step"`
	Eta  number `json:"eta"`
	Time int64  `json:"time"`
}

// wireEnd is a RunEnd, its error as text.
type wireEnd struct {
	Run     string      `json:"run"`
	Final   *wireFinal  `json:"final"`
	Seconds number      `json:"seconds"`
	Error   string      `json:"error,omitempty"`
	Extra   []wireParam `json:"extra,omitempty"`
	Time    int64       `json:"time"`
}

// wireFinal is a Final.
type wireFinal struct {
	Train wireMetrics  `json:"train"`
	Val   wireMetrics  `json:"val"`
	Test  *wireMetrics `json:"test,omitempty"`
}

// wireState is the state of every run, the first thing a page receives
// (and what /api/state returns): Seq is the latest event it includes.
type wireState struct {
	Seq  uint64         `json:"seq"`
	Runs []wireRunState `json:"runs"`
}

// wireRunState is one run in a wireState: its start, all its recordings,
// its latest tick and its end (null while it runs), and the step of its
// latest snapshot (null before the first).
type wireRunState struct {
	*wireStart
	Records  []wireRecord `json:"records"`
	Tick     *wireTick    `json:"tick"`
	End      *wireEnd     `json:"end"`
	Pictures *int         `json:"pictures"`
}

// number is a float64 that JSON cannot fail on: NaN and ±Inf, which a
// diverging run may produce and JSON cannot represent, are written null.
type number float64

// MarshalJSON writes n as the shortest decimal that reads back as n.
func (n number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// message is one event on its way to the clients: its kind (the event
// name in the stream), its wire value, and its encoding in the event-stream
// format, made by the first client goroutine that sends it and reused by
// the others, so that each event is encoded at most once.
type message struct {
	seq  uint64
	kind string // "start", "record", "tick", "end"
	v    any
	hub  *Hub

	once  sync.Once
	bytes []byte
}

// encoded returns m in the event-stream format:
//
//	id: 17
//	event: record
//	data: {"run":"one-cycle","step":100,...}
//
// followed by an empty line.
func (m *message) encoded() []byte {
	m.once.Do(func() {
		m.bytes = streamEvent(m.seq, m.kind, m.v)
		if m.hub != nil {
			m.hub.encodes.Add(1)
		}
	})
	return m.bytes
}

// streamEvent encodes v as JSON in one event of the event stream. The
// encoding of these types cannot fail (number takes care of NaN); were it
// to, the event says so rather than breaking the stream.
func streamEvent(seq uint64, kind string, v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		data, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	var b bytes.Buffer
	if seq > 0 {
		b.WriteString("id: " + strconv.FormatUint(seq, 10) + "\n")
	}
	b.WriteString("event: " + kind + "\ndata: ")
	b.Write(data) // JSON from encoding/json has no raw newline
	b.WriteString("\n\n")
	return b.Bytes()
}
