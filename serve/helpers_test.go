package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"twolayer/network"
)

// This file holds what the tests share: a fake training run that
// publishes to a hub as a training command will, a results folder with the
// files the program writes (and some it must not serve), saved models, a
// small test set, and a reader of the event stream.

// fakeClasses are CIFAR-10's class names.
var fakeClasses = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// fakeSpec describes a fake training run.
type fakeSpec struct {
	id, group, title string
	total, every     int           // update steps, and steps between recordings
	perEpoch         int           // steps per epoch
	hidden           int           // m
	stepDelay        time.Duration // time an update step takes (0: none)
	seed             uint64
	params           []Param
}

// fakeRun publishes a made-up training run to h, as a training command
// will: the start, a tick at every update step (the Run drops most), a
// recording with a snapshot every spec.every steps (and at step 0), and the
// end. The curves fall and rise like real ones; the hidden units' weights
// are coloured blobs that sharpen as training goes on; the predictions of
// the validation set are right more often as the accuracy grows. It
// returns early, with an error in the end, when ctx ends.
func fakeRun(ctx context.Context, h *Hub, spec fakeSpec) {
	rng := rand.New(rand.NewPCG(spec.seed, 7))
	run := h.Start(RunStart{
		ID: spec.id, Group: spec.group, Title: spec.title,
		TotalSteps: spec.total, StepsPerEpoch: spec.perEpoch,
		Params: spec.params, Classes: fakeClasses,
	})
	truth := make([]int, 1000)
	for i := range truth {
		truth[i] = i % 10
	}
	begin := time.Now()
	record := func(step int) {
		run.Record(fakeRecording(spec, step, rng, truth))
	}
	record(0)
	for t := 1; t <= spec.total; t++ {
		if ctx.Err() != nil {
			run.Finish(RunEnd{Err: ctx.Err(), Seconds: time.Since(begin).Seconds()})
			return
		}
		if spec.stepDelay > 0 {
			time.Sleep(spec.stepDelay)
		}
		run.Tick(t, fakeEta(t, spec))
		if t%spec.every == 0 {
			record(t)
		}
	}
	last := fakeRecording(spec, spec.total, rng, truth)
	test := last.Val
	test.Accuracy -= 0.01
	run.Finish(RunEnd{
		Final:   &Final{Train: last.Train, Val: last.Val, Test: &test},
		Seconds: time.Since(begin).Seconds(),
		Extra:   []Param{{"note", "fake"}},
	})
}

// fakeEta is a cyclical η with n_s = total/2 between 1e-5 and 0.1.
func fakeEta(t int, spec fakeSpec) float64 {
	ns := max(spec.total/2, 1)
	c := float64(t%(2*ns)) / float64(ns)
	if c > 1 {
		c = 2 - c
	}
	return 1e-5 + c*(0.1-1e-5)
}

// fakeRecording makes the recording of step: metrics that improve with the
// step, and a snapshot.
func fakeRecording(spec fakeSpec, step int, rng *rand.Rand, truth []int) Recording {
	f := float64(step) / float64(max(spec.total, 1))
	acc := 0.1 + (0.4+0.02*float64(spec.seed%5))*(1-math.Exp(-3*f))
	loss := 2.3 - (1+0.05*float64(spec.seed%5))*(1-math.Exp(-3*f))
	tr := Metrics{Cost: loss + 0.1, Loss: loss - 0.05, Accuracy: acc + 0.05}
	va := Metrics{Cost: loss + 0.25, Loss: loss + 0.15, Accuracy: acc}
	return Recording{Step: step, Eta: fakeEta(step, spec), Train: tr, Val: va, Snapshot: fakeSnapshot(spec.hidden, f, acc, rng, truth)}
}

// fakeSnapshot makes a network of m hidden units whose unit i looks for a
// blob of one colour at one place, clearer as f goes from 0 to 1, and
// predictions right with probability acc.
func fakeSnapshot(m int, f, acc float64, rng *rand.Rand, truth []int) *Snapshot {
	d, k := imageValues, 10
	s := &Snapshot{Inputs: d, Hidden: m, Classes: k,
		W1: make([]float64, m*d), B1: make([]float64, m), W2: make([]float64, k*m), B2: make([]float64, k),
		ValTrue: truth, ValPredicted: make([]int, len(truth))}
	for i := range m {
		cy, cx := float64(4+(i*7)%24), float64(4+(i*13)%24)
		ch := i % 3
		for r := range 32 {
			for c := range 32 {
				dist := math.Hypot(float64(r)-cy, float64(c)-cx)
				blob := math.Exp(-dist * dist / 30)
				for p := range 3 {
					v := 0.02 * rng.NormFloat64() * (1 - f)
					if p == ch {
						v += f * blob
					} else {
						v -= 0.3 * f * blob
					}
					s.W1[i*d+p*1024+r*32+c] = v
				}
			}
		}
	}
	for i := range s.W2 {
		s.W2[i] = rng.NormFloat64()
	}
	for n, t := range truth {
		if rng.Float64() < acc {
			s.ValPredicted[n] = t
		} else {
			s.ValPredicted[n] = rng.IntN(k)
		}
	}
	return s
}

// fakeTest is a test set of n images: image i is a gradient whose colour
// depends on i, labelled i mod 10.
type fakeTest struct{ n int }

func (f fakeTest) Len() int { return f.n }
func (f fakeTest) Image(i int) ([]byte, int) {
	p := make([]byte, imageValues)
	for j := range p {
		p[j] = byte((j*(i+1) + 40*(j/1024)) % 256)
	}
	return p, i % 10
}

// fileTest is the test batch of CIFAR-10's binary version read as it is
// (a label byte, then 3,072 pixel bytes, per image), for looking at the
// page with real images.
type fileTest struct{ b []byte }

func (f fileTest) Len() int { return len(f.b) / (1 + imageValues) }
func (f fileTest) Image(i int) ([]byte, int) {
	r := f.b[i*(1+imageValues):]
	return r[1 : 1+imageValues], int(r[0])
}

// testModel returns a model of m hidden units with random weights and
// normalisation, in the model file format.
func testModel(t testing.TB, m int, seed uint64) []byte {
	t.Helper()
	model := randomModel(m, seed)
	b, err := model.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func randomModel(m int, seed uint64) *network.Model {
	p := network.InitializeWeights(imageValues, m, 10, network.InitSqrt, seed)
	rng := rand.New(rand.NewPCG(seed, 9))
	for i := range p.B1 {
		p.B1[i] = 0.1 * rng.NormFloat64()
	}
	for i := range p.B2 {
		p.B2[i] = 0.1 * rng.NormFloat64()
	}
	st := network.Normalization{Mean: make([]float64, imageValues), Std: make([]float64, imageValues)}
	for j := range st.Mean {
		st.Mean[j] = 0.4 + 0.1*rng.Float64()
		st.Std[j] = 0.2 + 0.1*rng.Float64()
	}
	return &network.Model{Params: p, Norm: st, Classes: fakeClasses}
}

// testEnsemble returns an ensemble file of two models of one training
// set (one normalisation), as the bonus ablation writes.
func testEnsemble(t testing.TB) []byte {
	t.Helper()
	a, b := randomModel(12, 3), randomModel(8, 4)
	b.Norm = a.Norm
	f, err := network.MarshalEnsemble([]*network.Model{a, b})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The secret that lies outside the results folder, and in the private
// data folder inside it: no answer may contain it.
const secret = "TOP-SECRET-do-not-serve"

// fixtures writes a results folder as the program leaves it, with traps:
//
//	results/report.html
//	results/one-cycle/{summary.json, curves.csv, cost.svg}
//	results/coarse/{summary.json, curves.csv}, runs/{1-lambda-0.001, 2-lambda-0.01}/{summary.json, curves.csv}
//	results/broken/summary.json          not JSON
//	results/train/model.bin              a model file
//	results/bonus/ensemble.bin           an ensemble file
//	results/renamed.dat                  a model file by its magic
//	results/data/cifar-10-batches-bin/   the data folder (private): batches.meta.txt, secret.json, model.bin
//	results/.git/secret.json             hidden
//	results/leak.json -> ../outside/secret.json   a link out
//	results/out -> ../outside                     a folder link out
//	outside/secret.json
//
// It returns the results folder and the data folder inside it.
func fixtures(t testing.TB) (results, data string) {
	t.Helper()
	base := t.TempDir()
	results = filepath.Join(base, "results")
	data = filepath.Join(results, "data", "cifar-10-batches-bin")
	write := func(name string, content []byte) {
		t.Helper()
		p := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	summary := func(experiment, section, title string, extra string) []byte {
		return fmt.Appendf(nil, `{
  "experiment": %q, "section": %q, "title": %q,
  "params": {"lambda": 0.01, "eta_min": 0.00001, "eta_max": 0.1, "step_size": 500, "cycles": 1, "batch_size": 100},
  "final": {"train": {"cost": 1.43, "loss": 1.27, "accuracy": 0.5711}, "validation": {"cost": 1.73, "loss": 1.57, "accuracy": 0.4514}, "test": {"cost": 1.70, "loss": 1.54, "accuracy": 0.4618}},
  "seconds": 1.16, "finished": "2026-12-05T02:06:35Z"%s
}
`, experiment, section, title, extra)
	}
	curves := []byte("step,eta,train_cost,train_loss,train_accuracy,val_cost,val_loss,val_accuracy\n" +
		"0,1e-05,2.457489647,2.30304409,0.0856,2.457114416,2.302668859,0.0862\n" +
		"100,0.01980802,2.323626076,2.173551346,0.2273,2.330881194,2.180806464,0.2151\n")
	write("results/report.html", []byte("<!doctype html><title>report</title><h1>Report</h1>"))
	write("results/one-cycle/summary.json", summary("one-cycle", "3.1(a)", "3.1(a) One cycle", ""))
	write("results/one-cycle/curves.csv", curves)
	write("results/one-cycle/cost.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>`))
	write("results/coarse/summary.json", summary("coarse", "3.2", "3.2 Coarse search", `,
  "runs": [{"lambda": 0.001, "validation_accuracy": 0.39, "test_accuracy": 0.40, "train_accuracy": 0.41, "validation_cost": 1.7, "seconds": 1.8},
           {"lambda": 0.01, "validation_accuracy": 0.38, "test_accuracy": 0.39, "train_accuracy": 0.40, "validation_cost": 1.8, "seconds": 1.9}]`))
	write("results/coarse/curves.csv", curves)
	write("results/coarse/runs/1-lambda-0.001/summary.json", summary("coarse", "3.2", "3.2 Coarse search, λ = 0.001", ""))
	write("results/coarse/runs/1-lambda-0.001/curves.csv", curves)
	write("results/coarse/runs/2-lambda-0.01/summary.json", summary("coarse", "3.2", "3.2 Coarse search, λ = 0.01", ""))
	write("results/broken/summary.json", []byte(`{"experiment": "broken", `))
	write("results/train/model.bin", testModel(t, 20, 1))
	write("results/bonus/ensemble.bin", testEnsemble(t))
	write("results/renamed.dat", testModel(t, 6, 2))
	write("results/data/cifar-10-batches-bin/batches.meta.txt", []byte(secret))
	write("results/data/cifar-10-batches-bin/secret.json", []byte(`"`+secret+`"`))
	write("results/data/cifar-10-batches-bin/model.bin", testModel(t, 6, 5))
	write("results/.git/secret.json", []byte(`"`+secret+`"`))
	write("outside/secret.json", []byte(`"`+secret+`"`))
	write("outside/model.bin", testModel(t, 6, 6))
	if err := os.Symlink("../outside/secret.json", filepath.Join(results, "leak.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../outside", filepath.Join(results, "out")); err != nil {
		t.Fatal(err)
	}
	return results, data
}

// testLimits are defaultLimits with a small upload limit, so that the
// tests need not send 20 MB.
func testLimits() *limits {
	l := defaultLimits
	l.maxUpload = 1 << 20
	return &l
}

// newTestSite serves opt's site with httptest, without the server's own
// settings (see startServer for those).
func newTestSite(t testing.TB, opt Options) (*site, *httptest.Server) {
	t.Helper()
	lim := defaultLimits
	if opt.limits != nil {
		lim = *opt.limits
	}
	closing := make(chan struct{})
	s, err := newSite(opt, lim, closing)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.handler())
	t.Cleanup(func() {
		close(closing)
		ts.Close()
	})
	return s, ts
}

// startServer starts a real server on a free port of 127.0.0.1 and stops
// it at the end of the test.
func startServer(t testing.TB, opt Options) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Serve(ctx, "127.0.0.1:0", opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		<-srv.Done()
	})
	return srv
}

// get fetches url and returns the status and body.
func get(t testing.TB, url string) (int, string) {
	t.Helper()
	r, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return r.StatusCode, string(b)
}

// getJSON fetches url, expects 200, and decodes the body into v.
func getJSON(t testing.TB, url string, v any) {
	t.Helper()
	code, body := get(t, url)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, code, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, body)
	}
}

// sse is one event of an event stream.
type sse struct {
	id, kind, data string
}

// readEvents reads an event stream from r and sends its events on a
// channel, closed when the stream ends.
func readEvents(r io.Reader) <-chan sse {
	ch := make(chan sse, 1<<16)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		var ev sse
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.kind != "" || ev.data != "" {
					ch <- ev
				}
				ev = sse{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.kind = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data += line[6:]
			}
		}
	}()
	return ch
}

// openStream opens the event stream of the server at base.
func openStream(t testing.TB, base string) (<-chan sse, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/events", nil)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET /api/events: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	return readEvents(r.Body), func() {
		cancel()
		r.Body.Close()
	}
}

// next returns the next event of ch, failing the test after a few seconds.
func next(t testing.TB, ch <-chan sse) sse {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("the event stream ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return sse{}
}
