package serve

// This file turns what training computes into this package's plain
// events: the network at a recording (SnapshotOf) and the progress callback
// of network.MiniBatchGD (Progress). The try-it panel reads models with
// package network too (model.go).

import (
	"time"

	"twolayer/network"
)

// SnapshotOf copies the network p at a recording into a Snapshot, with the
// normalisation mean and std (of length d, or empty) and the validation
// set's predicted and true labels. The training goroutine calls it, so it
// only copies what training changes: W1 and W2 row by row (the matrices'
// rows may be padded), the biases and the predicted labels; mean, std and
// truth are kept as they are, since they do not change during a run.
func SnapshotOf(p *network.Params, mean, std []float64, predicted, truth []int) *Snapshot {
	d, h, k := p.Dims()
	return &Snapshot{
		Inputs: d, Hidden: h, Classes: k,
		W1: rowMajor(p.W1), B1: append([]float64(nil), p.B1...),
		W2: rowMajor(p.W2), B2: append([]float64(nil), p.B2...),
		Mean: mean, Std: std,
		ValPredicted: append([]int(nil), predicted...), ValTrue: truth,
	}
}

// Progress returns a progress callback for network.MiniBatchGD (or
// network.NewTraining) that publishes the training of net to run: a tick
// after every update step (Run.Tick publishes one every TickInterval at
// most) and, at every recording, its metrics. While a page watches, a
// recording carries a snapshot of net (SnapshotOf, with the normalisation
// mean and std and the validation labels valTrue), at most one every
// DrawInterval (its pictures are drawn no more often): copying W1 at every
// recording would cost training for pictures nobody sees. The recording of
// the last step carries one whether a page watches or not, so that a page
// opened later shows the trained network: one copy a run (half a
// millisecond for m = 50), of which the hub keeps those of finished runs
// within rawFrameBudget. With a nil run the callback does nothing but
// return.
//
// It only reads what training computed; training gives the same numbers,
// bit for bit, with it or without it (TestProgressChangesNothing). A
// snapshot carries the classes the recording predicted for the validation
// images (network.Progress.Predicted), for the confusion matrix.
func Progress(run *Run, net *network.Params, mean, std []float64, valTrue []int) func(network.Progress) {
	var snapped time.Time // when the last snapshot was taken
	return func(p network.Progress) {
		if run == nil {
			return
		}
		run.Tick(p.Step, p.Eta)
		rec := p.Record
		if rec == nil {
			return
		}
		var snap *Snapshot
		if now := time.Now(); p.Step == p.Total || run.Watched() && now.Sub(snapped) >= DrawInterval {
			snap, snapped = SnapshotOf(net, mean, std, p.Predicted, valTrue), now
		}
		run.Record(Recording{
			Step: rec.Step, Eta: rec.Eta,
			Train:    Metrics{rec.Train.Cost, rec.Train.Loss, rec.Train.Accuracy},
			Val:      Metrics{rec.Val.Cost, rec.Val.Loss, rec.Val.Accuracy},
			Snapshot: snap,
		})
	}
}

// rowMajor copies the rows of a matrix one after the other.
func rowMajor(a interface {
	Rows() int
	Cols() int
	Row(i int) []float64
}) []float64 {
	out := make([]float64, 0, a.Rows()*a.Cols())
	for i := range a.Rows() {
		out = append(out, a.Row(i)...)
	}
	return out
}
