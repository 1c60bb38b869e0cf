package experiments

import (
	"fmt"
	"path/filepath"
	"time"

	"twolayer/cifar"
	"twolayer/experiments/plot"
	"twolayer/experiments/store"
	"twolayer/network"
)

// writeBonus writes the ablation's files into OUT/bonus/: the curves of
// every run, the plots, the best row's model (model.bin) or ensemble
// (ensemble.bin) and its pictures, having removed the old summary.json
// first (beginOutputs); the caller writes the new one last. It returns the
// Result to write.
func writeBonus(o Options, data *cifar.Split, b *BonusResult, bestNets []*network.Params, start time.Time) (*Result, error) {
	best := b.Rows[b.Best].Setting
	r := &Result{
		Experiment: "bonus",
		Section:    "bonus",
		Title:      "Beyond the report: the optional exercises, one technique per row",
		// the best row's setting and the data; every row's is in Bonus
		Hyperparams: &Hyperparams{
			Lambda: best.Lambda, EtaMin: best.EtaMin, EtaMax: best.EtaMax, StepSize: best.StepSize, Cycles: best.Cycles,
			BatchSize: best.BatchSize, Updates: 2 * best.Cycles * best.StepSize, Hidden: best.Hidden, Init: best.Init,
			Shuffle: best.Shuffle, RecordsPerCycle: best.config(o.Seed).RecordsPerCycle, KeepProb: best.KeepProb, Seed: o.Seed, Split: data.Name,
			NTrain: data.Train.Len(), NValidation: data.Validation.Len(), NTest: data.Test.Len(), DataDir: o.shared.dir,
		},
		Bonus: b,
		Dir:   filepath.Join(o.OutDir, "bonus"),
	}
	if best.Flip || best.Shift > 0 {
		r.Hyperparams.Augment = augmentLine(best)
	}
	if err := beginOutputs(r.Dir); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	var names []string
	add := func(name string, data []byte) {
		if _, ok := files[name]; !ok {
			names = append(names, name)
		}
		files[name] = data
	}
	for _, row := range b.Rows {
		add(row.Curves, CurvesCSV(row.History))
	}
	for name, c := range bonusCharts(b, data.Train.Len()) {
		add(name, c.SVG())
	}

	classes := cifar.ClassNames(o.shared.dir)
	models := make([]*network.Model, len(bestNets))
	for i, net := range bestNets {
		models[i] = &network.Model{Params: net, Norm: network.Normalization(data.Stats), Config: best.config(o.Seed), Classes: classes}
	}
	if len(models) == 1 {
		mb, err := models[0].MarshalBinary()
		if err != nil {
			return nil, err
		}
		b.Model = "model.bin"
		add(b.Model, mb)
	} else {
		eb, err := network.MarshalEnsemble(models)
		if err != nil {
			return nil, err
		}
		b.Model = "ensemble.bin"
		add(b.Model, eb)
	}

	for _, name := range names {
		if err := store.WriteBytesAtomic(filepath.Join(r.Dir, name), files[name]); err != nil {
			return nil, err
		}
	}
	r.Files = append([]string{"summary.json"}, names...)
	if err := AddPictures(r, models[len(models)-1], data.Test); err != nil {
		return nil, err
	}
	r.Model = filepath.Join(r.Dir, b.Model)
	end := o.now()
	r.Seconds, r.Finished = end.Sub(start).Seconds(), end.UTC().Format(time.RFC3339)
	return r, nil
}

// bonusChartOrder is the order of the ablation's plots in the report.
var bonusChartOrder = []string{"ablation.svg", "bonus-validation.svg", "bonus-train.svg"}

// bonusCharts returns the ablation's plots: the three accuracies of every
// row, and the validation and training accuracy of every run at the end of
// each cycle (where η is smallest and the network settles), against the
// epoch (update step · batch / n), one curve per run
// named by its row. nTrain is the number of training images.
func bonusCharts(b *BonusResult, nTrain int) map[string]*plot.Chart {
	rows := make([]float64, len(b.Rows))
	acc := func(f func(BonusRow) float64) []float64 {
		v := make([]float64, len(b.Rows))
		for i, r := range b.Rows {
			rows[i] = float64(i + 1)
			v[i] = 100 * f(r)
		}
		return v
	}
	charts := map[string]*plot.Chart{
		"ablation.svg": {
			Title: "Accuracy by row of the ablation", XLabel: "row (each adds one technique to the row before)", YLabel: "accuracy (%)",
			Series: []plot.Series{
				{Name: "training (first 10,000)", X: rows, Y: acc(func(r BonusRow) float64 { return r.Train })},
				{Name: "validation", X: rows, Y: acc(func(r BonusRow) float64 { return r.Validation }), Dashed: true},
				{Name: "test", X: rows, Y: acc(func(r BonusRow) float64 { return r.Test })},
			},
		},
	}
	curves := func(what string, get func(network.Record) float64) *plot.Chart {
		c := &plot.Chart{Title: what + " accuracy at each cycle's end, one curve per run", XLabel: "epoch", YLabel: what + " accuracy (%)"}
		seen := map[string]bool{}
		for i, r := range b.Rows {
			if seen[r.Curves] || r.History == nil {
				continue
			}
			seen[r.Curves] = true
			s := plot.Series{Name: fmt.Sprintf("row %d", i+1)}
			for _, rec := range r.History.Records {
				if rec.Step > 0 && rec.Step%(2*r.Setting.StepSize) == 0 {
					s.X = append(s.X, float64(rec.Step*r.Setting.BatchSize)/float64(nTrain))
					s.Y = append(s.Y, 100*get(rec))
				}
			}
			c.Series = append(c.Series, s)
		}
		return c
	}
	charts["bonus-validation.svg"] = curves("Validation", func(r network.Record) float64 { return r.Val.Accuracy })
	charts["bonus-train.svg"] = curves("Training", func(r network.Record) float64 { return r.Train.Accuracy })
	return charts
}
