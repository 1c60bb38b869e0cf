package experiments

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"twolayer/network"
	"twolayer/serve"
)

// A live page in a test: serving starts a server for o.Hub (a new hub) on
// a free port of 127.0.0.1, and openPage opens the page's event stream.

// serving gives o a hub and serves it, with the results folder o.OutDir,
// until the test ends; it returns the page's address.
func serving(t testing.TB, o *Options) string {
	t.Helper()
	o.Hub = serve.NewHub()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := serve.Serve(ctx, "127.0.0.1:0", serve.Options{Hub: o.Hub, Results: o.OutDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-srv.Done() })
	return strings.TrimSuffix(srv.URL(), "/")
}

// streamEvent is one event of the stream: its kind and its JSON.
type streamEvent struct {
	kind string
	data []byte
}

// page reads the event stream as the page does, keeping every event in
// order, and, as the page does, fetches the pictures of every recording
// that carries a snapshot (the drawing, on the server, of what training
// handed over).
type page struct {
	mu       sync.Mutex
	events   []streamEvent
	pictures int // recordings whose pictures were fetched and drawn
	done     chan struct{}
}

// openPage opens the event stream of the server at base and returns once
// it has received the state (the hub counts the page as watching from then
// on); the page reads until the test ends.
func openPage(t testing.TB, base string) *page {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	p := &page{done: make(chan struct{})}
	t.Cleanup(func() { cancel(); resp.Body.Close(); <-p.done })
	ready := make(chan struct{})
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 16<<20)
		var kind string
		stated := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				kind = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data := []byte(strings.TrimPrefix(line, "data: "))
				p.mu.Lock()
				p.events = append(p.events, streamEvent{kind, data})
				p.mu.Unlock()
				if kind == "state" && !stated {
					close(ready)
					stated = true
				}
				if kind == "record" {
					var r struct {
						Run      string
						Snapshot bool
					}
					if json.Unmarshal(data, &r) == nil && r.Snapshot && p.fetchPictures(base, r.Run) {
						p.mu.Lock()
						p.pictures++
						p.mu.Unlock()
					}
				}
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("the event stream sent no state")
	}
	return p
}

// fetchPictures asks for a run's pictures as the page does, and reports
// whether they came.
func (p *page) fetchPictures(base, run string) bool {
	for _, path := range []string{"/pictures", "/units.png", "/templates.png"} {
		r, err := http.Get(base + "/api/live/" + run + path)
		if err != nil {
			return false
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != http.StatusOK {
			return false
		}
	}
	return true
}

// received returns the events so far.
func (p *page) received() []streamEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]streamEvent(nil), p.events...)
}

// runAllKinds runs every kind of training the commands do, on the fake
// data of tinyOptions: a free run (dropout, flips, shuffling, a saved
// model), section 3.1(a), the coarse search (its λ two side by side),
// the final training, the range test and the ablation.
func runAllKinds(t *testing.T, o Options) {
	t.Helper()
	ctx := context.Background()
	s := Setup{
		Name: "train", Title: "Training run train", Split: "all", NVal: 100, Hidden: 8, Init: network.InitSqrt,
		Save: filepath.Join(o.OutDir, "model.bin"),
		Config: network.Config{EtaMin: 1e-5, EtaMax: 0.1, StepSize: 6, Cycles: 2, BatchSize: 50, Lambda: 0.001,
			RecordsPerCycle: 4, RecordInitial: true, Shuffle: true, Seed: o.Seed, KeepProb: 0.8, Augment: network.Augment{Flip: true}},
	}
	if _, err := Train(ctx, o, s); err != nil {
		t.Fatal(err)
	}
	if _, err := OneCycle(ctx, o); err != nil {
		t.Fatal(err)
	}
	side := o
	side.SideBySide = 2
	if _, err := Coarse(ctx, side); err != nil {
		t.Fatal(err)
	}
	if _, err := Final(ctx, o); err != nil {
		t.Fatal(err)
	}
	if _, err := LRRange(ctx, o, RangeSetup{Hidden: 10, Steps: 40, Lambda: 0.001}); err != nil {
		t.Fatal(err)
	}
	b := o
	b.StepSize, b.Cycles, b.WideHidden, b.Quick = 9, 2, 20, true
	if _, err := Bonus(ctx, b); err != nil {
		t.Fatal(err)
	}
}

// timesInJSON are the fields of the summaries that hold the time a result
// took or was computed at, the only ones a rerun may change.
var timesInJSON = regexp.MustCompile(`"(seconds|finished)": [^,\n]*`)

// results returns the files under dir, by path relative to it, with the
// times of the summaries blanked out, the seconds column of search.csv
// dropped, and dir itself written OUT (a saved model's path is in
// summary.json).
func results(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		switch {
		case filepath.Ext(path) == ".json":
			b = timesInJSON.ReplaceAll(bytes.ReplaceAll(b, []byte(dir), []byte("OUT")), []byte(`"$1": -`))
		case filepath.Base(path) == "search.csv":
			var lines []string
			for _, l := range strings.Split(string(b), "\n") {
				if i := strings.LastIndex(l, ","); i >= 0 {
					l = l[:i]
				}
				lines = append(lines, l)
			}
			b = []byte(strings.Join(lines, "\n"))
		}
		files[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// Every kind of training gives the same results, byte for byte, with and
// without serving, with a page reading the event stream and fetching every
// picture while it trains: the summaries (but for the times), the curves,
// the histories, the plots, the pictures and the models.
func TestServedResultsSame(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every kind of run twice")
	}
	dir := writeFakeCIFAR(t)
	alone := tinyOptions(t, dir)
	runAllKinds(t, alone)

	servedOpts := tinyOptions(t, dir)
	base := serving(t, &servedOpts)
	p := openPage(t, base)
	runAllKinds(t, servedOpts)

	want, got := results(t, alone.OutDir), results(t, servedOpts.OutDir)
	if len(want) < 50 {
		t.Fatalf("only %d files written", len(want))
	}
	for name, b := range want {
		switch g, ok := got[name]; {
		case !ok:
			t.Errorf("%s: not written when serving", name)
		case !bytes.Equal(g, b):
			t.Errorf("%s differs when serving", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: written only when serving", name)
		}
	}
	// every run that started has ended (the ablation's dropped candidates
	// too), and the page watched: it got pictures
	runs := runsOf(t, settled(t, p))
	for _, r := range runs {
		if r.end == nil {
			t.Errorf("run %q (%s: %s) never ended on the page", r.start.ID, r.start.Group, r.start.Title)
		}
	}
	p.mu.Lock()
	pictures := p.pictures
	p.mu.Unlock()
	t.Logf("the page saw %d runs and fetched the pictures of %d recordings", len(runs), pictures)
	if len(runs) < 20 || pictures < 10 {
		t.Errorf("the page saw %d runs and fetched the pictures of %d recordings: it did not watch the training", len(runs), pictures)
	}
}

// The wire form of the events, as the page reads them.
type (
	wireStart struct {
		ID, Group, Title string
		Total, PerEpoch  int
		Params           [][2]string
		Classes          []string
	}
	wireMetrics struct{ Cost, Loss, Accuracy *float64 }
	wireRecord  struct {
		Run        string
		Step       int
		Eta        float64
		Train, Val wireMetrics
		Snapshot   bool
	}
	wireTick struct {
		Run  string
		Step int
	}
	wireEnd struct {
		Run   string
		Final *struct{ Train, Val, Test wireMetrics }
		Error string
		Extra [][2]string
	}
)

// liveRun is what a page received of one run.
type liveRun struct {
	start   wireStart
	records []wireRecord
	ticks   []wireTick
	end     *wireEnd
}

// runsOf gathers the events by run, in the order the runs started, and
// fails unless each run's events come in the order start, recordings and
// ticks, end.
func runsOf(t *testing.T, events []streamEvent) []*liveRun {
	t.Helper()
	byID := map[string]*liveRun{}
	var order []*liveRun
	get := func(id, kind string) *liveRun {
		r := byID[id]
		switch {
		case r == nil:
			t.Fatalf("a %s event of run %q before its start", kind, id)
		case r.end != nil:
			t.Fatalf("a %s event of run %q after its end", kind, id)
		}
		return r
	}
	for _, e := range events {
		switch e.kind {
		case "start":
			var s wireStart
			mustUnmarshal(t, e.data, &s)
			if byID[s.ID] != nil {
				t.Fatalf("run %q started twice", s.ID)
			}
			byID[s.ID] = &liveRun{start: s}
			order = append(order, byID[s.ID])
		case "record":
			var r wireRecord
			mustUnmarshal(t, e.data, &r)
			run := get(r.Run, e.kind)
			run.records = append(run.records, r)
		case "tick":
			var k wireTick
			mustUnmarshal(t, e.data, &k)
			run := get(k.Run, e.kind)
			run.ticks = append(run.ticks, k)
		case "end":
			var x wireEnd
			mustUnmarshal(t, e.data, &x)
			get(x.Run, e.kind).end = &x
		}
	}
	return order
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
}

// is reports whether the wire metrics m are exactly n (the JSON numbers
// are the shortest that read back as the float64 they were).
func (m wireMetrics) is(n network.Metrics) bool {
	return m.Cost != nil && *m.Cost == n.Cost && m.Loss != nil && *m.Loss == n.Loss && m.Accuracy != nil && *m.Accuracy == n.Accuracy
}

// The live stream of a short training on fake data: the run starts with
// its steps and parameters, its recordings arrive in order and are the
// run's history exactly (those of curves.csv), its ticks go up to the last
// step, the last recording is the summary's final training and validation
// metrics, and its end carries the summary's final metrics. A search shows
// one run per λ in one group, each ending with its summary's metrics; a
// section kept from an earlier execution appears as finished, saying so.
func TestLiveEvents(t *testing.T) {
	dir := writeFakeCIFAR(t)
	o := tinyOptions(t, dir)
	o.StepSize, o.Cycles, o.RecordsPerCycle = 20, 2, 5
	p := openPage(t, serving(t, &o))
	ctx := context.Background()
	r, err := OneCycle(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	search, err := Coarse(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OneCycle(ctx, o); err != nil { // kept
		t.Fatal(err)
	}
	runs := runsOf(t, waitForEnds(t, p, 1+len(search.Runs)+1))

	one := runs[0]
	wantGroup := "3.1(a) One cycle (n_s = 20, 2 cycles)"
	if one.start.ID != "one-cycle" || one.start.Group != wantGroup || one.start.Title != "data_batch_1" || one.start.Total != 80 || one.start.PerEpoch != 4 {
		t.Errorf("one-cycle's start: %+v", one.start)
	}
	if len(one.start.Classes) != 10 || one.start.Params[0] != [2]string{"λ", "0.01"} {
		t.Errorf("one-cycle's classes %v, parameters %v", one.start.Classes, one.start.Params)
	}
	h := r.History
	if len(one.records) != len(h.Records) {
		t.Fatalf("%d recordings on the page, %d in the history", len(one.records), len(h.Records))
	}
	for i, rec := range one.records {
		want := h.Records[i]
		if rec.Step != want.Step || rec.Eta != want.Eta || !rec.Train.is(want.Train) || !rec.Val.is(want.Val) {
			t.Fatalf("recording %d: %+v on the page, %+v in the history", i, rec, want)
		}
	}
	last := one.records[len(one.records)-1]
	if last.Step != 80 || !last.Train.is(r.Final.Train) || !last.Val.is(r.Final.Validation) {
		t.Errorf("the last recording %+v is not the summary's final metrics %+v", last, r.Final)
	}
	for i, k := range one.ticks {
		if i > 0 && k.Step <= one.ticks[i-1].Step {
			t.Fatalf("tick %d at step %d after step %d", i, k.Step, one.ticks[i-1].Step)
		}
	}
	if len(one.ticks) == 0 || one.ticks[len(one.ticks)-1].Step != 80 {
		t.Errorf("the ticks do not reach the last step: %+v", one.ticks)
	}
	if e := one.end; e.Error != "" || e.Final == nil || !e.Final.Train.is(r.Final.Train) || !e.Final.Val.is(r.Final.Validation) || !e.Final.Test.is(*r.Final.Test) {
		t.Errorf("one-cycle's end %+v, summary %+v", e, r.Final)
	}

	lambdas := runs[1 : 1+len(search.Runs)]
	for i, run := range lambdas {
		sr := search.Runs[i]
		if run.start.Group != "3.2 Coarse search for λ" || run.start.Title != fmt.Sprintf("λ = %.3g", sr.Lambda) {
			t.Errorf("λ run %d: group %q, title %q", i+1, run.start.Group, run.start.Title)
		}
		if f := run.end.Final; f == nil || *f.Val.Accuracy != sr.ValidationAccuracy || *f.Test.Accuracy != sr.TestAccuracy || *f.Val.Cost != sr.ValidationCost {
			t.Errorf("λ run %d ends with %+v, the search has %+v", i+1, run.end.Final, sr)
		}
	}

	kept := runs[len(runs)-1]
	if kept.start.Group != wantGroup || kept.end == nil || len(kept.end.Extra) != 1 || kept.end.Extra[0][0] != "kept" ||
		!strings.HasPrefix(kept.end.Extra[0][1], "from the run of ") || !kept.end.Final.Val.is(r.Final.Validation) {
		t.Errorf("the kept section: %+v, ending %+v", kept.start, kept.end)
	}
}

// waitForEnds waits until the page has received n ends, and returns its
// events.
func waitForEnds(t *testing.T, p *page, n int) []streamEvent {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		events := p.received()
		ends := 0
		for _, e := range events {
			if e.kind == "end" {
				ends++
			}
		}
		if ends >= n {
			return events
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page received %d ends, want %d", ends, n)
		}
	}
}

// settled waits until the page has received as many ends as starts (for
// at most 5 seconds: a run that never ends is the caller's to find), and
// returns its events.
func settled(t *testing.T, p *page) []streamEvent {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		events := p.received()
		n := 0
		for _, e := range events {
			switch e.kind {
			case "start":
				n++
			case "end":
				n--
			}
		}
		if n == 0 || time.Now().After(deadline) {
			return events
		}
	}
}

// A run that stops (Ctrl-C) ends on the page, saying so.
func TestLiveStopped(t *testing.T) {
	dir := writeFakeCIFAR(t)
	o := tinyOptions(t, dir)
	o.StepSize = 100000
	p := openPage(t, serving(t, &o))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for len(p.received()) < 5 { // the start, a recording, ticks
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	if _, err := OneCycle(ctx, o); err == nil {
		t.Fatal("not stopped")
	}
	runs := runsOf(t, waitForEnds(t, p, 1))
	if e := runs[0].end; e.Final != nil || e.Error != "stopped before its end (interrupted)" {
		t.Errorf("the stopped run ends with %+v", e)
	}
}

// BenchmarkServedOneCycle is section 3.1(a) on the real data ($CIFAR10_DIR,
// loaded once) without serving and with serving and a page open (the event
// stream read as it comes, and the pictures fetched at every recording that
// has a snapshot, as the page does). "pairs" runs it alone then served at
// each op, so that the two alternate (-benchtime 10x: ten pairs), and
// reports each one's mean training time (summary.json's seconds) and the
// median of the pairs' ratios; "served" runs it served only, for a CPU
// profile, which tells what serving costs however loaded the machine: the
// samples of the server's goroutines (net/http.(*conn).serve) and of the
// training goroutine's publishing (package serve) against all of
// training's; the page's own (this test's reading and fetching) are
// neither. docs/performance.md ("serve") has the figures and the commands.
func BenchmarkServedOneCycle(b *testing.B) {
	dir := os.Getenv("CIFAR10_DIR")
	if dir == "" {
		b.Skip("set CIFAR10_DIR to the real data")
	}
	o := Options{DataDir: dir, OutDir: b.TempDir(), Seed: 1, Quiet: true, Offline: true, Fresh: true}
	o = o.withDefaults() // one shared cache: the data is loaded once
	if _, err := loadSplit(context.Background(), o, "batch1", 0); err != nil {
		b.Fatal(err)
	}
	served := o
	openPage(b, serving(b, &served))
	train := func(o Options) float64 {
		r, err := OneCycle(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
		return r.Seconds
	}
	b.Run("pairs", func(b *testing.B) {
		var alone, page float64
		var ratios []float64
		for b.Loop() {
			a, s := train(o), train(served)
			alone, page = alone+a, page+s
			ratios = append(ratios, s/a)
		}
		slices.Sort(ratios)
		b.ReportMetric(alone/float64(b.N), "alone-s/op")
		b.ReportMetric(page/float64(b.N), "served-s/op")
		n := len(ratios)
		b.ReportMetric((ratios[(n-1)/2]+ratios[n/2])/2, "median-served/alone")
	})
	b.Run("served", func(b *testing.B) {
		for b.Loop() {
			train(served)
		}
	})
}
