package experiments

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"twolayer/cifar"
	"twolayer/experiments/store"
	"twolayer/network"
	"twolayer/serve"
)

// The live page (package serve, the -serve flag). When Options.Hub is set,
// every training run announces itself on the hub (serve.Hub.Start), its
// progress callback publishes its steps and recordings as it trains
// (serve.Progress), and it publishes its end with its final metrics
// (serve.Run.Finish); a run kept from an earlier execution appears as
// finished, with the metrics it was kept with. Each runner adds two lines:
//
//	live, update := o.publish(start, net, data, bar.Update)
//	... train with update as the progress callback ...
//	live.Finish(end)
//
// Publishing only reads what training computed, on the training goroutine,
// and never waits for a page: the results are the same, byte for byte,
// with or without a hub (TestServedResultsSame), and a slow or vanished
// browser cannot slow training down (see serve.Hub).

// publish announces a run on o.Hub and returns its handle with the progress
// callback to train with: update (the progress bar's), then the page's,
// which reads net, the training set's statistics and the validation labels
// of data (nil: none). Without a hub it returns a nil run, whose methods do
// nothing, and update itself.
func (o Options) publish(start serve.RunStart, net *network.Params, data *cifar.Split, update func(network.Progress)) (*serve.Run, func(network.Progress)) {
	if o.Hub == nil {
		return nil, update
	}
	start.Classes = cifar.ClassNames(o.shared.dir)
	run := o.Hub.Start(start)
	var mean, std []float64
	var truth []int
	if data != nil {
		mean, std, truth = data.Stats.Mean, data.Stats.Std, data.Validation.Labels()
	}
	page := serve.Progress(run, net, mean, std, truth)
	return run, func(p network.Progress) {
		update(p)
		page(p)
	}
}

// publishFinished shows a run that is not trained now as finished: its
// start, the recordings of hist (nil: none) and its end. It is how a run
// kept from an earlier execution, or the ablation's row that reuses the
// run above it, appears.
func (o Options) publishFinished(start serve.RunStart, hist *network.History, end serve.RunEnd) {
	if o.Hub == nil {
		return
	}
	start.Classes = cifar.ClassNames(o.shared.dir)
	run := o.Hub.Start(start)
	if hist != nil {
		for _, r := range hist.Records {
			run.Record(serve.Recording{Step: r.Step, Eta: r.Eta, Train: liveMetrics(r.Train), Val: liveMetrics(r.Val)})
		}
	}
	run.Finish(end)
}

// publishKept shows the run s, kept from an earlier execution with the
// summary head (and, for a search's λ run, its history), as finished.
func (o Options) publishKept(s Setup, head *store.Header, hist *network.History) {
	if o.Hub == nil || head.Hyperparams == nil {
		return
	}
	end := liveEnd(head.Final, head.Seconds)
	end.Extra = append(end.Extra, keptFrom(head))
	o.publishFinished(liveStart(s.live(), head.Hyperparams), hist, end)
}

// keptFrom is the value a kept run's row of the page's table shows.
func keptFrom(head *store.Header) serve.Param {
	return serve.Param{Key: "kept", Value: "from the run of " + head.Date()}
}

// liveName is how the page names a run: its id (the hub makes it unique),
// the group of runs it is shown with, and its title within the group.
type liveName struct{ id, group, title string }

// live returns how the page names the run s: its label (or name), the
// group (a search's λ, or section 3.1's two data setups; else the run's
// title) and its title within the group.
func (s Setup) live() liveName {
	n := liveName{s.Label, s.liveGroup, s.liveTitle}
	if n.id == "" {
		n.id = s.Name
	}
	if n.group == "" {
		n.group = s.Title
	}
	return n
}

// liveStart describes the run n for the page from its hyperparameters h
// (summary.json's): the update steps, the steps of an epoch, and the
// parameters shown (those that are zero, such as a range test's n_s, are
// left out).
func liveStart(n liveName, h *store.Hyperparams) serve.RunStart {
	var ps []serve.Param
	add := func(key, value string) { ps = append(ps, serve.Param{Key: key, Value: value}) }
	add("λ", fmt.Sprintf("%.3g", h.Lambda))
	add("η", fmt.Sprintf("%g..%g", h.EtaMin, h.EtaMax))
	if h.StepSize > 0 {
		add("n_s", strconv.Itoa(h.StepSize))
	}
	if h.Cycles > 0 {
		add("cycles", strconv.Itoa(h.Cycles))
	}
	add("batch", strconv.Itoa(h.BatchSize))
	add("m", strconv.Itoa(h.Hidden))
	add("init", h.Init)
	if h.Shuffle {
		add("shuffle", "every epoch")
	}
	if h.Augment != "" {
		add("augment", h.Augment)
	}
	if h.KeepProb > 0 && h.KeepProb < 1 {
		add("dropout p", fmt.Sprintf("%g", h.KeepProb))
	}
	if h.Split != "" {
		add("data", fmt.Sprintf("%s: %d training, %d validation images", h.Split, h.NTrain, h.NValidation))
	}
	perEpoch := 0
	if h.BatchSize > 0 {
		perEpoch = h.NTrain / h.BatchSize
	}
	return serve.RunStart{ID: n.id, Group: n.group, Title: n.title, TotalSteps: h.Updates, StepsPerEpoch: perEpoch, Params: ps}
}

// liveEnd is the end of a run that finished with the metrics f (nil: none)
// after seconds.
func liveEnd(f *store.FinalMetrics, seconds float64) serve.RunEnd {
	end := serve.RunEnd{Seconds: seconds}
	if f != nil {
		end.Final = &serve.Final{Train: liveMetrics(f.Train), Val: liveMetrics(f.Validation)}
		if f.Test != nil {
			t := liveMetrics(*f.Test)
			end.Final.Test = &t
		}
	}
	return end
}

// liveStopped is the end of a run that stopped with err after seconds.
func liveStopped(err error, seconds float64) serve.RunEnd {
	if errors.Is(err, context.Canceled) {
		err = errors.New("stopped before its end (interrupted)")
	}
	return serve.RunEnd{Err: err, Seconds: seconds}
}

// liveMetrics are m as the page takes them.
func liveMetrics(m network.Metrics) serve.Metrics {
	return serve.Metrics{Cost: m.Cost, Loss: m.Loss, Accuracy: m.Accuracy}
}

// accuracyOnly are metrics of which only the accuracy is known (the
// ablation's and a kept search's): the page shows no cost or loss for
// them (NaN reaches it as null).
func accuracyOnly(accuracy float64) serve.Metrics {
	return serve.Metrics{Cost: math.NaN(), Loss: math.NaN(), Accuracy: accuracy}
}
