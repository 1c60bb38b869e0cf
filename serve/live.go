package serve

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The live page learns about training through server-sent events (the
// EventSource of the browser): one long response to GET /api/events, in
// which the server writes an event whenever the hub has one. They suit this
// page better than polling: an event reaches the page as soon as it is
// published, without a request per update from every page; the page asks
// nothing and the server sends only what is new; the browser reconnects by
// itself after a network failure or a restart, and then gets the whole
// state first (see events). They need nothing beyond the standard library
// on either side (WebSockets would need a client and a framing of their
// own), and the traffic is one-way, which is all the page needs. /api/state
// is the same state as one JSON document, for scripts and tests.

// state answers GET /api/state: every run of the hub as a late-joining
// page first receives it.
func (s *site) state(w http.ResponseWriter, r *http.Request) {
	s.hub.polledNow()
	writeJSON(w, s.hub.state())
}

// events answers GET /api/events with the event stream: first a "state"
// event holding every run, then "start", "record", "tick" and "end" events
// as the hub publishes them (see Hub for what a slow page is sent), and a
// comment line when nothing has happened for a while. It returns when the
// page goes away, when a write stalls for limits.streamWrite, or when the
// server shuts down.
func (s *site) events(w http.ResponseWriter, r *http.Request) {
	if int(s.streams.Add(1)) > s.lim.maxStreams {
		s.streams.Add(-1)
		http.Error(w, "too many pages are watching at once; close one and reload", http.StatusServiceUnavailable)
		return
	}
	defer s.streams.Add(-1)
	rc := http.NewResponseController(w)
	// The server's read and write timeouts are meant for ordinary
	// requests; this one lasts as long as the page is open. Without
	// lifting the read deadline, its expiry would cancel the request.
	rc.SetReadDeadline(time.Time{})
	c, st := s.hub.subscribe()
	defer s.hub.unsubscribe(c)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // a proxy must not hold events back
	// send writes b and flushes it to the network, within streamWrite.
	send := func(b []byte) bool {
		rc.SetWriteDeadline(time.Now().Add(s.lim.streamWrite))
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	// retry: how long the browser waits before reconnecting.
	if !send(append([]byte("retry: 2000\n"), streamEvent(0, "state", st)...)) {
		return
	}
	beat := time.NewTicker(s.lim.heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-c.wake:
			events, st := s.hub.pending(c)
			var b []byte
			if st != nil {
				b = streamEvent(0, "state", st)
			}
			for _, m := range events {
				b = append(b, m.encoded()...)
			}
			if !send(b) {
				return
			}
		case <-beat.C:
			if !send([]byte(": still here\n\n")) {
				return
			}
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
}

// livePictures answers GET /api/live/{run}/pictures: what was drawn from
// the run's latest snapshot (its step, the confusion matrix of the
// validation set, the number of hidden units and of those drawn, or why
// nothing could be), drawn now (the PNGs too, once for every page), or
// those drawn less than DrawInterval ago with "wait": the milliseconds
// after which the page may ask again for the latest.
func (s *site) livePictures(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("run")
	f, wait := s.hub.frameToDraw(id)
	if f == nil {
		apiError(w, http.StatusNotFound, "no pictures of run "+strconv.Quote(id)+" yet")
		return
	}
	ms := int64(0)
	if wait > 0 {
		ms = wait.Milliseconds() + 1
	}
	writeJSON(w, struct {
		*pictures
		Wait int64 `json:"wait,omitempty"`
	}{f.draw(), ms})
}

// livePNG answers GET /api/live/{run}/units.png and templates.png, the
// pictures that /api/live/{run}/pictures gave last. The page adds ?step=N
// to their URLs, so that the browser does not show a cached older one.
func (s *site) livePNG(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("run")
	f := s.hub.drawnFrame(id)
	if f == nil {
		apiError(w, http.StatusNotFound, "no pictures of run "+strconv.Quote(id)+" yet")
		return
	}
	p := f.draw()
	b := p.units
	if strings.HasSuffix(r.URL.Path, "/templates.png") {
		b = p.templates
	}
	if b == nil {
		msg := p.Error
		if msg == "" {
			msg = "nothing to draw"
		}
		apiError(w, http.StatusNotFound, msg)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Step", strconv.Itoa(p.Step))
	w.Write(b)
}
