package experiments

import (
	"twolayer/experiments/plot"
	"twolayer/experiments/store"
	"twolayer/network"
)

// runFiles returns the files of a training run with the history h, in the
// order its summary lists them: curves.csv and the plots (store.RunCharts,
// drawn by Charts), when h has recordings, then extra.
func runFiles(title string, h *network.History, extra ...store.File) []store.File {
	var files []store.File
	if h != nil && len(h.Records) > 0 {
		files = append(files, store.File{Name: store.CurvesFile, Data: store.CurvesCSV(h)})
		charts := Charts(h, title)
		for _, name := range store.RunCharts {
			files = append(files, store.File{Name: name, Data: charts[name].SVG()})
		}
	}
	return append(files, extra...)
}

// Charts returns the plots of a training history, like the report's
// figures: cost, loss and accuracy against update step, training and
// validation together, and the η schedule. The map keys are the file
// names of store.RunCharts.
func Charts(h *network.History, title string) map[string]*plot.Chart {
	n := len(h.Records)
	steps := make([]float64, n)
	get := func(f func(r network.Record) float64) []float64 {
		v := make([]float64, n)
		for i, r := range h.Records {
			v[i] = f(r)
		}
		return v
	}
	for i, r := range h.Records {
		steps[i] = float64(r.Step)
	}
	pair := func(what string, tr, va func(r network.Record) float64) *plot.Chart {
		return &plot.Chart{
			Title: title + ": " + what, XLabel: "update step", YLabel: what,
			Series: []plot.Series{
				{Name: "training", X: steps, Y: get(tr)},
				{Name: "validation", X: steps, Y: get(va), Dashed: true},
			},
		}
	}
	etaSteps := make([]float64, len(h.Eta))
	for t := range etaSteps {
		etaSteps[t] = float64(t)
	}
	return map[string]*plot.Chart{
		"cost.svg":     pair("cost", func(r network.Record) float64 { return r.Train.Cost }, func(r network.Record) float64 { return r.Val.Cost }),
		"loss.svg":     pair("loss", func(r network.Record) float64 { return r.Train.Loss }, func(r network.Record) float64 { return r.Val.Loss }),
		"accuracy.svg": pair("accuracy", func(r network.Record) float64 { return r.Train.Accuracy }, func(r network.Record) float64 { return r.Val.Accuracy }),
		"eta.svg": {
			Title: title + ": learning rate", XLabel: "update step", YLabel: "η",
			Series: []plot.Series{{Name: "η (cyclical)", X: etaSteps, Y: h.Eta}},
		},
	}
}
