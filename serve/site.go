package serve

import (
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"

	"twolayer/network"
)

// site is the web site Serve serves: its routes and what they share.
type site struct {
	hub     *Hub
	results string   // the results folder, absolute
	private []string // folders inside it never served, relative, with '/'; "." for all
	test    TestImages
	load    func([]byte) ([]*network.Model, error)
	models  *modelCache
	lim     limits

	loopbackOnly bool            // listening on this machine only: answer only to its names
	closing      <-chan struct{} // closed when the server shuts down
	streams      atomic.Int32    // event streams open
	decoding     chan struct{}   // a token per image being decoded
}

func newSite(opt Options, lim limits, closing <-chan struct{}) (*site, error) {
	results := opt.Results
	if results == "" {
		results = "results"
	}
	abs, err := filepath.Abs(results)
	if err != nil {
		return nil, err
	}
	load := opt.LoadModels
	if load == nil {
		load = network.UnmarshalModels
	}
	hub := opt.Hub
	if hub == nil {
		hub = NewHub()
	}
	return &site{
		hub: hub, results: abs, private: privatePrefixes(abs, opt.Private),
		test: opt.Test, load: load, models: newModelCache(), lim: lim,
		closing: closing, decoding: make(chan struct{}, max(lim.decoders, 1)),
	}, nil
}

// handler is the site: its routes (GET routes answer HEAD too; another
// method is answered 405 with the allowed ones by the mux), behind guard.
//
//	GET  /                            the page
//	GET  /static/{file}               its style sheet and scripts
//	GET  /favicon.ico                 204: the page has no icon (a browser asks)
//	GET  /api/state                   the live runs, as the event stream's first event
//	GET  /api/events                  the event stream (server-sent events)
//	GET  /api/live/{run}/pictures     the run's latest snapshot: confusion matrix, sizes
//	GET  /api/live/{run}/units.png    its hidden units' weights
//	GET  /api/live/{run}/templates.png  its class templates W2·W1
//	GET  /api/results                 the finished runs of the results folder
//	GET  /results/{path...}           a file of the results folder
//	GET  /api/models                  the model and ensemble files of the results folder
//	POST /api/predict?model=M         classify the PNG or JPEG image in the body
//	GET  /api/predict?model=M&test=I  classify test image I
//	GET  /api/test                    the number of test images
//	GET  /api/test/{index}            test image I as a PNG
func (s *site) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("GET /static/{file}", s.static)
	mux.HandleFunc("GET /favicon.ico", noIcon)
	mux.HandleFunc("GET /api/state", s.state)
	mux.HandleFunc("GET /api/events", s.events)
	mux.HandleFunc("GET /api/live/{run}/pictures", s.livePictures)
	mux.HandleFunc("GET /api/live/{run}/units.png", s.livePNG)
	mux.HandleFunc("GET /api/live/{run}/templates.png", s.livePNG)
	mux.HandleFunc("GET /api/results", s.resultsList)
	mux.HandleFunc("GET /results/{path...}", s.resultFile)
	mux.HandleFunc("GET /api/models", s.modelList)
	mux.HandleFunc("POST /api/predict", s.predictUpload)
	mux.HandleFunc("GET /api/predict", s.predictTest)
	mux.HandleFunc("GET /api/test", s.testInfo)
	mux.HandleFunc("GET /api/test/{index}", s.testImage)
	// A POST from another site's page (cross-site request forgery) is
	// refused: classifying is harmless, but nothing but this page should
	// make this server work.
	return s.guard(http.NewCrossOriginProtection().Handler(mux))
}

// guard answers the requests no route should see, and adds the headers
// every response carries:
//
//   - a path with "..", ".", empty or encoded-slash segments, a backslash
//     or a NUL, in its raw form (before the mux cleans it up and
//     redirects), is refused with 400: a file of the results folder is
//     named one way only;
//   - when listening on this machine only, a Host header other than this
//     machine's names is refused with 421 (a page of another site that
//     rebinds its own name to 127.0.0.1 must not read this one);
//   - every response forbids sniffing its type and framing, sends no
//     referrer, and restricts what a page may load to this server (the
//     page loads nothing from anywhere else; images may be data: URLs,
//     the try-it panel's, and blob: URLs, the preview of a dropped file).
func (s *site) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		if why := badPath(r.URL.EscapedPath()); why != "" {
			http.Error(w, "refused: the path "+why, http.StatusBadRequest)
			return
		}
		if s.loopbackOnly && !loopbackHost(r.Host) {
			http.Error(w, "refused: this server answers only to localhost, 127.0.0.1 and [::1]", http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// badPath says what is wrong with a raw request path, or "" if nothing.
func badPath(raw string) string {
	low := strings.ToLower(raw)
	switch {
	case !strings.HasPrefix(raw, "/"):
		return "is not absolute"
	case strings.Contains(low, "%2f") || strings.Contains(low, "%5c"):
		return "has an encoded slash or backslash"
	case strings.Contains(raw, `\`):
		return "has a backslash"
	case strings.Contains(low, "%00") || strings.Contains(raw, "\x00"):
		return "has a NUL byte"
	}
	for _, seg := range strings.Split(raw[1:], "/") {
		switch strings.ToLower(seg) {
		case ".", "..", "%2e", "%2e%2e", ".%2e", "%2e.":
			return "has a . or .. segment"
		}
	}
	if strings.Contains(raw[1:], "//") {
		return "has an empty segment"
	}
	return ""
}

// loopbackHost reports whether a request's Host header names this machine.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	return isLoopback(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
}

// writeJSON sends v as JSON, not to be cached (the state changes).
func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		apiError(w, http.StatusInternalServerError, "encoding the answer: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// apiError answers an /api/ request with {"error": msg}, the one line the
// page shows.
func apiError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}
