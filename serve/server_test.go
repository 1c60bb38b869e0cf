package serve

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestListenAddress(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"", "127.0.0.1:8080", ""},
		{"8080", "127.0.0.1:8080", ""},
		{":8080", "127.0.0.1:8080", ""},
		{" :9000 ", "127.0.0.1:9000", ""},
		{"localhost:8080", "localhost:8080", ""},
		{"0.0.0.0:8080", "0.0.0.0:8080", ""},
		{"[::1]:8080", "[::1]:8080", ""},
		{"[::]:0", "[::]:0", ""},
		{"127.0.0.1", "", "give an address such as"},
		{"host:http", "", "the port must be a number"},
		{":65536", "", "the port must be a number"},
		{"a:b:c", "", "give an address such as"},
	} {
		got, err := ListenAddress(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || strings.Contains(err.Error(), "\n") {
				t.Errorf("ListenAddress(%q) = %q, %v; want an error with %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ListenAddress(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// A port in use is one clear line.
func TestServePortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Serve(context.Background(), ln.Addr().String(), Options{Results: t.TempDir()})
	want := "cannot serve on " + ln.Addr().String() + ": the port is already in use; choose another port"
	if err == nil || err.Error() != want {
		t.Fatalf("Serve on a port in use: %v\nwant %s", err, want)
	}
}

// Serve listens on the loopback address by default, prints a URL that
// works, and stops when its context ends, closing the event streams.
func TestServeAndShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Serve(ctx, ":0", Options{Results: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(srv.Addr(), "127.0.0.1:") || srv.URL() != "http://"+srv.Addr()+"/" {
		t.Fatalf("Serve(:0): addr %s, url %s", srv.Addr(), srv.URL())
	}
	code, body := get(t, srv.URL())
	if code != 200 || !strings.Contains(body, "<title>twolayer</title>") {
		t.Fatalf("GET /: %d %.100s", code, body)
	}
	events, _ := openStream(t, strings.TrimSuffix(srv.URL(), "/"))
	next(t, events)
	start := time.Now()
	cancel()
	select {
	case <-srv.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("the server did not stop within 3 s of its context's end")
	}
	for range events {
	} // the stream ends
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("shutting down took %v with an event stream open", d)
	}
	if _, err := http.Get(srv.URL()); err == nil {
		t.Fatal("the server still answers after shutting down")
	}
}

// The event stream lives longer than the server's read and write
// timeouts, which it lifts for itself.
func TestStreamOutlivesTimeouts(t *testing.T) {
	lim := defaultLimits
	lim.read, lim.write, lim.idle = 200*time.Millisecond, 200*time.Millisecond, 200*time.Millisecond
	h := NewHub()
	srv := startServer(t, Options{Hub: h, Results: t.TempDir(), limits: &lim})
	events, stop := openStream(t, strings.TrimSuffix(srv.URL(), "/"))
	defer stop()
	next(t, events)
	time.Sleep(700 * time.Millisecond)
	h.Start(RunStart{ID: "late"})
	if ev := next(t, events); ev.kind != "start" {
		t.Fatalf("after the timeouts: %+v", ev)
	}
}

// A page that stops reading is disconnected after streamWrite, and the
// hub forgets it.
func TestStuckPageDisconnected(t *testing.T) {
	lim := defaultLimits
	lim.streamWrite = 200 * time.Millisecond
	h := NewHub()
	srv := startServer(t, Options{Hub: h, Results: t.TempDir(), limits: &lim})
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(conn, "GET /api/events HTTP/1.1\r\nHost: %s\r\n\r\n", srv.Addr())
	run := h.Start(RunStart{ID: "r", Title: strings.Repeat("x", 1000)})
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for i := range 2000 { // enough to fill the socket buffers
			run.Record(record(i))
		}
		h.mu.Lock()
		n := len(h.clients)
		h.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the stuck page was not disconnected within 5 s")
}

// Listening on this machine only, the server answers only to its names:
// a page of another site whose name is made to point to 127.0.0.1 (DNS
// rebinding) is refused.
func TestHostCheck(t *testing.T) {
	srv := startServer(t, Options{Results: t.TempDir()})
	for host, want := range map[string]int{
		srv.Addr():                         200,
		"localhost:" + port(srv.Addr()):    200,
		"[::1]:" + port(srv.Addr()):        200,
		"localhost":                        200,
		"evil.example:" + port(srv.Addr()): 421,
		"127.0.0.1.evil.example":           421,
	} {
		req, _ := http.NewRequest("GET", srv.URL()+"api/state", nil)
		req.Host = host
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != want {
			t.Errorf("Host %s: %d %s, want %d", host, r.StatusCode, b, want)
		}
	}
}

func port(hostport string) string {
	_, p, _ := net.SplitHostPort(hostport)
	return p
}

// Every answer carries the headers that keep a browser safe, and the page
// loads nothing from elsewhere.
func TestSecurityHeaders(t *testing.T) {
	_, ts := newTestSite(t, Options{Results: t.TempDir()})
	for _, path := range []string{"/", "/static/app.js", "/api/state", "/nothing"} {
		r, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if r.Header.Get(k) != v {
				t.Errorf("%s: %s = %q", path, k, r.Header.Get(k))
			}
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
	for name, f := range static {
		for _, bad := range []string{"http://", "https://", "//cdn", "@import", "fonts.g"} {
			if strings.Contains(string(f.body), bad) && !(bad == "http://" && strings.Contains(string(f.body), `"http://www.w3.org/2000/svg"`)) {
				t.Errorf("static/%s mentions %q: the page must load nothing from elsewhere", name, bad)
			}
		}
	}
}

// The page and its files, with their types; a file changed only when its
// ETag does.
func TestStaticFiles(t *testing.T) {
	_, ts := newTestSite(t, Options{Results: t.TempDir()})
	for path, typ := range map[string]string{"/": "text/html", "/static/style.css": "text/css", "/static/app.js": "text/javascript"} {
		r, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), typ) || r.Header.Get("ETag") == "" {
			t.Errorf("%s: %d %s etag %q", path, r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("ETag"))
		}
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("If-None-Match", r.Header.Get("ETag"))
		r2, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r2.Body.Close()
		if r2.StatusCode != http.StatusNotModified {
			t.Errorf("%s with its ETag: %d, want 304", path, r2.StatusCode)
		}
	}
	for _, path := range []string{"/static/", "/static/nothing.js", "/static/index.html.bak", "/index.html"} {
		if code, _ := get(t, ts.URL+path); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, code)
		}
	}
}

// Only so many pages may watch at once; the next is told so in one line.
func TestTooManyStreams(t *testing.T) {
	lim := defaultLimits
	lim.maxStreams = 2
	_, ts := newTestSite(t, Options{Results: t.TempDir(), limits: &lim})
	for range 2 {
		ev, stop := openStream(t, ts.URL)
		defer stop()
		next(t, ev)
	}
	code, body := get(t, ts.URL+"/api/events")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "too many pages") {
		t.Fatalf("third stream: %d %s", code, body)
	}
}

// A method a route does not take is 405 with the methods it does.
func TestWrongMethods(t *testing.T) {
	_, ts := newTestSite(t, Options{Results: t.TempDir()})
	for _, c := range []struct{ method, path, allow string }{
		{"POST", "/", "GET, HEAD"},
		{"DELETE", "/api/state", "GET, HEAD"},
		{"POST", "/api/events", "GET, HEAD"},
		{"PUT", "/results/one-cycle/summary.json", "GET, HEAD"},
		{"POST", "/api/models", "GET, HEAD"},
		{"PUT", "/api/predict", "GET, HEAD, POST"},
		{"POST", "/api/test/1", "GET, HEAD"},
	} {
		req, _ := http.NewRequest(c.method, ts.URL+c.path, strings.NewReader("x"))
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d, Allow %q; want 405, %q", c.method, c.path, r.StatusCode, r.Header.Get("Allow"), c.allow)
		}
	}
}

// A POST from another site's page is refused (cross-site request forgery).
func TestCrossOriginPost(t *testing.T) {
	results, _ := fixtures(t)
	_, ts := newTestSite(t, Options{Results: results})
	req, _ := http.NewRequest("POST", ts.URL+"/api/predict?model=train/model.bin", strings.NewReader("x"))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", r.StatusCode)
	}
}

// rawGet sends path exactly as written (no client cleans it) and returns
// the status and body.
func rawGet(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, addr)
	r, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, string(b)
}
