package serve

import (
	"bytes"
	"fmt"
	"image/png"
	"math/rand/v2"
	"testing"
	"time"

	"twolayer/experiments/picture"
	"twolayer/network"
)

// The cost of serving to training is what the training goroutine spends
// publishing: these benchmarks measure it per event, with no page open,
// with three pages that read everything (each encoding on its own
// goroutine, as the event stream's handler does), and with three that never
// read. A training step of the report's network takes about a millisecond
// (README, Performance), a recording of 20,000 images about a hundred: a
// tick (published at most every TickInterval; the others cost a clock
// reading) and a recording cost a few microseconds, and the snapshot of a
// watched run (BenchmarkSnapshotOf, about half a millisecond for m = 50)
// is taken at most every DrawInterval.
//
//	go test -run '^$' -bench . ./serve/
func BenchmarkPublish(b *testing.B) {
	for _, clients := range []struct {
		name    string
		n       int
		reading bool
	}{{"0-pages", 0, false}, {"3-pages", 3, true}, {"3-stuck-pages", 3, false}} {
		for _, kind := range []string{"record", "tick"} {
			b.Run(fmt.Sprintf("%s/%s", clients.name, kind), func(b *testing.B) {
				h := NewHub()
				clock := time.Unix(0, 0)
				h.now = func() time.Time { clock = clock.Add(TickInterval); return clock } // every tick is published
				done := make(chan struct{})
				defer close(done)
				for range clients.n {
					c, _ := h.subscribe()
					if !clients.reading {
						continue
					}
					go func() {
						for {
							select {
							case <-c.wake:
								events, _ := h.pending(c)
								for _, m := range events {
									m.encoded()
								}
							case <-done:
								return
							}
						}
					}()
				}
				run := h.Start(RunStart{ID: "r", TotalSteps: b.N + 1})
				rec := record(0)
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					if kind == "record" {
						rec.Step = i
						run.Record(rec)
					} else {
						run.Tick(i, 0.01)
					}
				}
			})
		}
	}
}

// BenchmarkSnapshotOf is the copy the training goroutine makes at a
// recording for the pictures: W1 and W2 of the report's network (m = 50)
// and the predicted labels of 10,000 validation images.
func BenchmarkSnapshotOf(b *testing.B) {
	p := network.InitializeWeights(imageValues, 50, 10, network.InitSmall, 1)
	pred, truth := make([]int, 10_000), make([]int, 10_000)
	h := NewHub()
	run := h.Start(RunStart{ID: "r"})
	b.ReportAllocs()
	for b.Loop() {
		run.Record(Recording{Snapshot: SnapshotOf(p, nil, nil, pred, truth)})
	}
}

// BenchmarkDrawPictures is what a page costs the server at each recording
// it looks at: the pictures of 50 units and 10 templates as PNG, and the
// confusion matrix of 10,000 images.
func BenchmarkDrawPictures(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	truth := make([]int, 10_000)
	s := fakeSnapshot(50, 0.5, 0.4, rng, truth)
	for b.Loop() {
		newFrame(0, s, fakeClasses).draw()
	}
}

// BenchmarkUnitsPNG encodes the pictures of 50 units, as a live page gets
// them, at each of image/png's compression levels: the choice behind
// fastPNG (no compression).
//
//	go test -run '^$' -bench UnitsPNG -cpu 1 ./serve/
func BenchmarkUnitsPNG(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	w1 := make([]float64, 50*picture.Size)
	for i := range w1 {
		w1[i] = rng.NormFloat64()
	}
	img := unitsGrid(w1)
	for _, c := range []struct {
		name  string
		level png.CompressionLevel
	}{{"none", png.NoCompression}, {"fastest", png.BestSpeed}, {"default", png.DefaultCompression}, {"best", png.BestCompression}} {
		b.Run(c.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				var buf bytes.Buffer
				if err := (&png.Encoder{CompressionLevel: c.level}).Encode(&buf, img); err != nil {
					b.Fatal(err)
				}
				n = buf.Len()
			}
			b.ReportMetric(float64(n)/1e3, "KB")
		})
	}
}
