package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"twolayer/network"
)

// DefaultAddr is where Serve listens when given an empty address: this
// machine only, port 8080.
const DefaultAddr = "127.0.0.1:8080"

// MaxUploadBytes is the largest image file the try-it panel accepts, and
// MaxUploadPixels the most pixels it decodes (read from the file's header
// before decoding: a decoded image takes 4 to 8 bytes a pixel, so a small
// file declaring 100,000×100,000 pixels is refused before any of it is
// allocated). 25 megapixels is a 6,000×4,000 photograph.
const (
	MaxUploadBytes  = 20 << 20
	MaxUploadPixels = 25_000_000
)

// TestImages is the test set the try-it panel picks images from: Len
// images, image i as the 3,072 bytes of a CIFAR-10 record (red, green, blue
// planes of 32×32, row by row) and its label. The training commands wire it
// to the test batch; it must be safe for use by several goroutines at once
// (reading an immutable set is).
type TestImages interface {
	Len() int
	Image(i int) (pixels []byte, label int)
}

// Options are what Serve serves.
type Options struct {
	// Results is the results folder: its runs are listed and its files
	// served, read-only, nothing outside it. It may not exist yet (a
	// training command creates it); default "results".
	Results string
	// Private are folders never served even where they lie inside Results
	// (the CIFAR-10 data directory).
	Private []string
	// Hub is where training publishes; nil serves a hub with no runs.
	Hub *Hub
	// Test is the test set of the try-it panel; nil: no test images.
	Test TestImages
	// LoadModels decodes the bytes of a model or ensemble file; nil:
	// network.UnmarshalModels.
	LoadModels func([]byte) ([]*network.Model, error)
	// ErrorLog receives the server's own errors (a client's broken
	// connection, say); nil discards them.
	ErrorLog io.Writer

	limits *limits // nil: defaultLimits; the tests shorten them
}

// limits are the server's timeouts and sizes.
type limits struct {
	// The http.Server's: the time to read a request's header (so that a
	// client cannot hold a connection open by sending it slowly), to read
	// a whole request (an upload of 20 MB at 3 Mbit/s), to write a
	// response, to keep an idle connection, and the header's size.
	readHeader, read, write, idle time.Duration
	maxHeader                     int
	// shutdown is how long Serve waits for requests in flight when its
	// context ends, before it closes their connections.
	shutdown time.Duration
	// streamWrite is how long one write to an event stream may take: a
	// page that does not read for that long is disconnected (its
	// EventSource reconnects and gets the state). heartbeat is the time
	// between two comments on an idle stream, which keep proxies from
	// closing it and find pages that are gone.
	streamWrite, heartbeat time.Duration
	// maxStreams is the most event streams open at once (browser tabs).
	maxStreams int
	// maxUpload and maxPixels are MaxUploadBytes and MaxUploadPixels;
	// decoders is the most images decoded at once: one, since a decoded
	// image of MaxUploadPixels takes up to 200 MB (a 16-bit PNG), and the
	// cores are training's.
	maxUpload int64
	maxPixels int64
	decoders  int
}

var defaultLimits = limits{
	readHeader: 5 * time.Second, read: 60 * time.Second, write: 60 * time.Second, idle: 120 * time.Second,
	maxHeader:   64 << 10,
	shutdown:    5 * time.Second,
	streamWrite: 10 * time.Second, heartbeat: 20 * time.Second,
	maxStreams: 64,
	maxUpload:  MaxUploadBytes, maxPixels: MaxUploadPixels, decoders: 1,
}

// Server is a running server (see Serve).
type Server struct {
	url, addr string
	done      chan struct{}
}

// URL is the address to open in a browser, e.g. "http://127.0.0.1:8080/".
// When the server listens on every interface it names this machine by its
// host name.
func (s *Server) URL() string { return s.url }

// Addr is the address the server listens on, with the port it got (the
// port chosen by the system when the address asked for port 0).
func (s *Server) Addr() string { return s.addr }

// Done is closed once the server has stopped, after its context ended.
func (s *Server) Done() <-chan struct{} { return s.done }

// Serve starts serving the page on addr (see ListenAddress for how it is
// read) and returns once it listens, so that the caller can print URL. It
// serves until ctx ends, then shuts the server down: the event streams
// end, requests in flight get a few seconds to finish, and Done is closed.
// The error, if the server cannot start, is one line (a port in use, an
// address that is not this machine's, a malformed address).
func Serve(ctx context.Context, addr string, opt Options) (*Server, error) {
	hostport, err := ListenAddress(addr)
	if err != nil {
		return nil, err
	}
	lim := defaultLimits
	if opt.limits != nil {
		lim = *opt.limits
	}
	ln, err := net.Listen("tcp", hostport)
	if err != nil {
		return nil, listenError(hostport, err)
	}
	closing := make(chan struct{})
	st, err := newSite(opt, lim, closing)
	if err != nil {
		ln.Close()
		return nil, err
	}
	host, _, _ := net.SplitHostPort(hostport)
	st.loopbackOnly = isLoopback(host)
	errLog := opt.ErrorLog
	if errLog == nil {
		errLog = io.Discard
	}
	srv := &http.Server{
		Handler:           st.handler(),
		ReadHeaderTimeout: lim.readHeader,
		// ReadTimeout and WriteTimeout would end an event stream after
		// their time; the stream's handler lifts them for its own
		// connection (http.ResponseController) and sets a deadline on
		// each of its writes instead.
		ReadTimeout:    lim.read,
		WriteTimeout:   lim.write,
		IdleTimeout:    lim.idle,
		MaxHeaderBytes: lim.maxHeader,
		ErrorLog:       log.New(errLog, "serve: ", 0),
	}
	s := &Server{addr: ln.Addr().String(), done: make(chan struct{})}
	s.url = browserURL(host, ln.Addr())
	go srv.Serve(ln)
	go func() {
		<-ctx.Done()
		close(closing) // the event streams return
		sctx, cancel := context.WithTimeout(context.Background(), lim.shutdown)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
		close(s.done)
	}()
	return s, nil
}

// ListenAddress reads an address given to -serve or to the serve command
// as the host:port to listen on. The server is safe by default: a missing
// host means this machine only (127.0.0.1), so that a training run's page
// is not shown to the network by accident; serving to other machines takes
// naming an address, 0.0.0.0:8080 (every interface) or one of this
// machine's.
//
//	""                 127.0.0.1:8080 (DefaultAddr)
//	"8080", ":8080"    127.0.0.1:8080
//	"localhost:8080"   localhost:8080
//	"0.0.0.0:8080"     every interface
//	"[::1]:8080"       IPv6 loopback
//
// The port must be a number from 0 to 65535 (0: any free port).
func ListenAddress(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return DefaultAddr, nil
	}
	if _, err := strconv.ParseUint(addr, 10, 16); err == nil {
		return net.JoinHostPort("127.0.0.1", addr), nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("cannot serve on %q: give an address such as 127.0.0.1:8080, :8080 or 0.0.0.0:8080", addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", fmt.Errorf("cannot serve on %q: the port must be a number from 0 to 65535", addr)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// listenError turns the error of net.Listen into one line that says what
// to do.
func listenError(hostport string, err error) error {
	switch {
	case portInUse(err):
		return fmt.Errorf("cannot serve on %s: the port is already in use; choose another port", hostport)
	case errors.Is(err, syscall.EACCES):
		return fmt.Errorf("cannot serve on %s: not allowed to use this port (below 1024 they need privileges); choose a port above 1024", hostport)
	case noSuchAddress(err):
		return fmt.Errorf("cannot serve on %s: this machine has no such address", hostport)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return fmt.Errorf("cannot serve on %s: unknown host %q", hostport, dns.Name)
	}
	return fmt.Errorf("cannot serve on %s: %v", hostport, err)
}

// isLoopback reports whether host names this machine only: localhost, or a
// loopback IP address.
func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// browserURL is the URL a browser opens for a server that listens on host
// and got the address a: the host as given, or this machine's name when the
// server listens on every interface.
func browserURL(host string, a net.Addr) string {
	_, port, _ := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		if name, err := os.Hostname(); err == nil && name != "" {
			host = name
		} else {
			host = "localhost"
		}
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}
