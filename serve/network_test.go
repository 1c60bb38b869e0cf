package serve

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"twolayer/matrix"
	"twolayer/network"
)

// smallSet is n random images of d values in [0, 1) with k classes.
func smallSet(n, d, k int, seed uint64) network.Set {
	rng := rand.New(rand.NewPCG(seed, 3))
	s := network.Set{X: matrix.New(n, d), Labels: make([]int, n)}
	for i := range n {
		for j := range s.X.Row(i) {
			s.X.Row(i)[j] = rng.Float64()
		}
		s.Labels[i] = rng.IntN(k)
	}
	return s
}

// Training publishing to a hub watched by two pages gives the same
// history and weights, bit for bit, as training alone; the hub receives
// every recording, with snapshots of the weights at that moment.
func TestProgressChangesNothing(t *testing.T) {
	train, val := smallSet(200, imageValues, 10, 1), smallSet(50, imageValues, 10, 2)
	cfg := network.Config{EtaMin: 1e-5, EtaMax: 0.1, StepSize: 20, Cycles: 1, BatchSize: 20, Lambda: 0.01,
		RecordsPerCycle: 4, RecordInitial: true, Seed: 1}
	alone := network.InitializeWeights(imageValues, 8, 10, network.InitSmall, 1)
	h1, err := network.MiniBatchGD(context.Background(), alone, train, val, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	hub := NewHub()
	_, ts := newTestSite(t, Options{Hub: hub, Results: t.TempDir()})
	for range 2 {
		events, stop := openStream(t, ts.URL)
		defer stop()
		go func() {
			for range events {
			}
		}()
	}
	served := network.InitializeWeights(imageValues, 8, 10, network.InitSmall, 1)
	run := hub.Start(RunStart{ID: "r", TotalSteps: cfg.Steps()})
	h2, err := network.MiniBatchGD(context.Background(), served, train, val, cfg, Progress(run, served, nil, nil, val.Labels))
	if err != nil {
		t.Fatal(err)
	}
	run.Finish(RunEnd{})
	if len(h1.Records) != len(h2.Records) || len(h1.Eta) != len(h2.Eta) {
		t.Fatalf("histories of %d and %d recordings", len(h1.Records), len(h2.Records))
	}
	for i := range h1.Records {
		if h1.Records[i] != h2.Records[i] {
			t.Fatalf("recording %d: %+v alone, %+v served", i, h1.Records[i], h2.Records[i])
		}
	}
	same := func(what string, a, b []float64) {
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				t.Fatalf("%s[%d]: %v alone, %v served", what, i, a[i], b[i])
			}
		}
	}
	for i := range 8 {
		same("W1", alone.W1.Row(i), served.W1.Row(i))
	}
	same("b1", alone.B1, served.B1)
	for i := range 10 {
		same("W2", alone.W2.Row(i), served.W2.Row(i))
	}
	same("b2", alone.B2, served.B2)
	st := hub.state().Runs[0]
	if len(st.Records) != len(h1.Records) || st.Records[2].Step != h1.Records[2].Step || float64(st.Records[2].Val.Accuracy) != h1.Records[2].Val.Accuracy {
		t.Fatalf("the hub has %d recordings, training %d", len(st.Records), len(h1.Records))
	}
	// the last snapshot is the trained network
	snap := hub.byID["r"].frame.snap
	if snap == nil || !equal(snap.W1[:imageValues], served.W1.Row(0)) || &snap.ValTrue[0] != &val.Labels[0] {
		t.Fatal("the last snapshot is not the trained network")
	}
	// snapshots at most every DrawInterval, and at the last step: this
	// run is shorter than that, so the first recording and the last
	snaps := 0
	for _, r := range st.Records {
		if r.Snapshot {
			snaps++
		}
	}
	if snaps != 2 || !st.Records[0].Snapshot || !st.Records[len(st.Records)-1].Snapshot {
		t.Errorf("%d recordings with a snapshot, want the first and the last", snaps)
	}
	// without a hub, the callback does nothing
	Progress(nil, served, nil, nil, nil)(network.Progress{Step: 1, Record: &network.Record{}})
}

// Nobody watching, the recordings carry no snapshot (the weights are not
// copied for nobody), but for the last step's, which a page opened later
// shows.
func TestProgressUnwatched(t *testing.T) {
	hub := NewHub()
	run := hub.Start(RunStart{ID: "r", TotalSteps: 3})
	net := network.InitializeWeights(imageValues, 3, 10, network.InitSmall, 1)
	progress := Progress(run, net, nil, nil, nil)
	for step := range 3 {
		progress(network.Progress{Step: step, Total: 3, Record: &network.Record{Step: step}})
	}
	if st := hub.state().Runs[0]; len(st.Records) != 3 || st.Pictures != nil {
		t.Fatalf("%d recordings, pictures of step %v", len(st.Records), st.Pictures)
	}
	if run.Watched() {
		t.Fatal("watched without a page")
	}
	c, _ := hub.subscribe()
	if !run.Watched() {
		t.Fatal("a subscribed page does not count as watching")
	}
	progress(network.Progress{Step: 2, Total: 3, Record: &network.Record{Step: 2}})
	if st := hub.state().Runs[0]; st.Pictures == nil || *st.Pictures != 2 {
		t.Fatal("no snapshot with a page watching")
	}
	hub.unsubscribe(c)
	progress(network.Progress{Step: 3, Total: 3, Record: &network.Record{Step: 3}})
	if st := hub.state().Runs[0]; st.Pictures == nil || *st.Pictures != 3 {
		t.Fatal("no snapshot of the last step without a page")
	}
}

// A page that polls the state (?poll) watches too, for PollWatch after
// its last request: its recordings carry snapshots, so it gets pictures.
func TestPollingWatches(t *testing.T) {
	hub := NewHub()
	_, ts := newTestSite(t, Options{Hub: hub, Results: t.TempDir()})
	run := hub.Start(RunStart{ID: "r", TotalSteps: 2})
	if run.Watched() {
		t.Fatal("watched before any page asked")
	}
	get(t, ts.URL+"/api/state")
	if !run.Watched() {
		t.Fatal("a page polling the state does not count as watching")
	}
	hub.polled.Store(time.Now().Add(-PollWatch - time.Second).UnixNano())
	if run.Watched() {
		t.Fatal("still watched after PollWatch without a request")
	}
}
