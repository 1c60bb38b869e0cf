package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"sync"

	"twolayer/cifar"
	"twolayer/experiments"
	"twolayer/serve"
)

// Serving the page of package serve: -serve ADDR on every command that
// trains, and the serve command.
//
// A training command with -serve starts the server before anything else
// (so that an address it cannot serve on is one line and nothing trains),
// prints its URL on stderr, and trains with the server's hub in
// Options.Hub. What happens at the end:
//
//   - training finished: the summary is printed as without -serve, and the
//     page goes on being served, with the finished runs and the try-it tab,
//     until Ctrl-C (stderr says so); the exit code is then 0;
//   - Ctrl-C during training: training stops cleanly as without -serve
//     (nothing half-written), then the server stops; exit code 1;
//   - training failed (bad settings, missing data, divergence): the server
//     stops and the error is the command's, as without -serve.
//
// The server listens on 127.0.0.1 unless ADDR names a host
// (serve.ListenAddress); it serves the results folder (-out) read-only and
// never the data directory.

// serveUsage is the help of -serve.
const serveUsage = "serve the live page while training at ADDR (e.g. 8080, :8080 or 127.0.0.1:8080: this machine only; 0.0.0.0:8080: every machine that can reach it); after training it goes on serving until Ctrl-C"

// serveFlag declares -serve on fs and returns its value.
func serveFlag(fs *flag.FlagSet) *string {
	return fs.String("serve", "", serveUsage)
}

// served runs train with Options o, serving the live page on addr when it
// is not empty (see the comment above): the server first, its URL on
// stderr, then train with the server's hub in o.Hub, then, when train
// succeeded, serving on until ctx ends.
func served(ctx context.Context, e *env, addr string, o experiments.Options, train func(experiments.Options) error) error {
	if addr == "" {
		return train(o)
	}
	o.Hub = serve.NewHub()
	srv, stop, err := startServer(addr, o.OutDir, o.DataDir, o.Hub)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(e.stderr, "serving the live page at %s\n", srv.URL())
	if err := train(o); err != nil {
		return err
	}
	// Training's data is no longer referenced: give its memory back while
	// the page is served, perhaps for hours. Without it the runtime keeps
	// the memory: nothing allocates any more, so no collection runs.
	debug.FreeOSMemory()
	fmt.Fprintf(e.stderr, "training finished; still serving at %s, Ctrl-C stops\n", srv.URL())
	<-ctx.Done()
	return nil
}

// startServer serves the page on addr: the hub's runs, the results folder
// out ("" means results) and the test batch of the CIFAR-10 directory that
// -data names (or $CIFAR10_DIR, or the default), which it never serves. It
// returns the server and the function that stops it and waits until it
// has (the event streams closed, requests in flight given a few seconds).
func startServer(addr, out, dataDir string, hub *serve.Hub) (*serve.Server, func(), error) {
	if _, err := serve.ListenAddress(addr); err != nil {
		return nil, nil, usagef("-serve: %v", err)
	}
	if out == "" {
		out = "results"
	}
	private := []string{dataDir, os.Getenv(cifar.EnvVar), cifar.DefaultParent}
	if dir, err := cifar.FindDir(dataDir); err == nil {
		private = append(private, dir)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := serve.Serve(ctx, addr, serve.Options{Hub: hub, Results: out, Private: private, Test: &testImages{dataDir: dataDir}})
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return srv, func() { cancel(); <-srv.Done() }, nil
}

// testImages is the test batch for the try-it tab (serve.TestImages),
// loaded when a page first asks for it (not before training, which loads
// its own copy, and not at all if no page does), and looked for again at
// the next request while it cannot be found (a training command may be
// downloading it).
type testImages struct {
	dataDir string // the -data flag

	mu     sync.Mutex
	loaded bool
	images cifar.Images
}

// get returns the test batch, loading it if it is not loaded yet.
func (t *testImages) get() cifar.Images {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.loaded {
		if dir, err := cifar.FindDir(t.dataDir); err == nil {
			if b, err := cifar.LoadBatch(cifar.BatchPath(dir, cifar.TestFile)); err == nil {
				t.images, t.loaded = b, true
			}
		}
	}
	return t.images
}

func (t *testImages) Len() int { return t.get().Len() }

func (t *testImages) Image(i int) ([]byte, int) {
	b := t.get()
	return b.Pixels(i), b.Label(i)
}

// serveFlags is the serve command: the page for the results folder and the
// try-it tab, until Ctrl-C.
func serveFlags(fs *flag.FlagSet) action {
	addr := fs.String("serve", serve.DefaultAddr, "the address to serve on (e.g. 8080, :8080 or 127.0.0.1:8080: this machine only; 0.0.0.0:8080: every machine that can reach it)")
	out := fs.String("out", "results", "the results folder to show (read-only)")
	data := fs.String("data", "", "CIFAR-10 directory, for the try-it tab's test images; never served (default: $CIFAR10_DIR, then ./data/cifar-10-batches-bin)")
	return func(ctx context.Context, e *env, _ []string) error {
		srv, stop, err := startServer(*addr, *out, *data, nil)
		if err != nil {
			return err
		}
		defer stop()
		fmt.Fprintf(e.stderr, "serving %s at %s; Ctrl-C stops\n", *out, srv.URL())
		<-ctx.Done()
		return nil
	}
}
