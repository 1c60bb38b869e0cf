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
// (ensemble.bin) and its pictures, then summary.json, last (see
// store.Write), with in, what the ablation was computed from.
func writeBonus(o Options, data *cifar.Split, b *store.Ablation, bestNets []*network.Params, start time.Time, in *store.Inputs) (*store.Bonus, error) {
	best := b.Rows[b.Best].Setting
	r := &store.Bonus{
		Header: store.Header{
			Experiment: "bonus",
			Section:    "bonus",
			Title:      "Beyond the report: the optional exercises, one technique per row",
			// the best row's setting and the data; every row's is in Ablation
			Hyperparams: &store.Hyperparams{
				Lambda: best.Lambda, EtaMin: best.EtaMin, EtaMax: best.EtaMax, StepSize: best.StepSize, Cycles: best.Cycles,
				BatchSize: best.BatchSize, Updates: 2 * best.Cycles * best.StepSize, Hidden: best.Hidden, Init: best.Init,
				Shuffle: best.Shuffle, RecordsPerCycle: bonusConfig(best, o.Seed).RecordsPerCycle, KeepProb: best.KeepProb, Seed: o.Seed, Split: data.Name,
				NTrain: data.Train.Len(), NValidation: data.Validation.Len(), NTest: data.Test.Len(), DataDir: o.shared.dir,
			},
			Dir: filepath.Join(o.OutDir, "bonus"),
		},
		Ablation: b,
		Trailer:  store.Trailer{Inputs: in},
	}
	if best.Flip || best.Shift > 0 {
		r.Hyperparams.Augment = best.Augment().String()
	}
	if err := store.Begin(r.Dir); err != nil {
		return nil, err
	}
	var files []store.File
	seen := map[string]bool{}
	for _, row := range b.Rows {
		if !seen[row.Curves] { // a row that reuses the run above shares its curves
			seen[row.Curves] = true
			files = append(files, store.File{Name: row.Curves, Data: store.CurvesCSV(row.History)})
		}
	}
	charts := bonusCharts(b, data.Train.Len())
	for _, name := range store.BonusCharts {
		files = append(files, store.File{Name: name, Data: charts[name].SVG()})
	}

	classes := cifar.ClassNames(o.shared.dir)
	models := make([]*network.Model, len(bestNets))
	for i, net := range bestNets {
		models[i] = &network.Model{Params: net, Norm: network.Normalization(data.Stats), Config: bonusConfig(best, o.Seed), Classes: classes}
	}
	var model []byte
	var err error
	if len(models) == 1 {
		b.Model = "model.bin"
		model, err = models[0].MarshalBinary()
	} else {
		b.Model = "ensemble.bin"
		model, err = network.MarshalEnsemble(models)
	}
	if err != nil {
		return nil, err
	}
	files = append(files, store.File{Name: b.Model, Data: model})

	if r.Insight, err = addPictures(r.Dir, models[len(models)-1], data.Test); err != nil {
		return nil, err
	}
	r.Files = r.Insight.Files
	r.Model = filepath.Join(r.Dir, b.Model)
	end := o.now()
	r.Seconds, r.Finished = end.Sub(start).Seconds(), end.UTC().Format(time.RFC3339)
	if err := store.Write(r, files); err != nil {
		return nil, err
	}
	return r, nil
}

// bonusCharts returns the ablation's plots: the three accuracies of every
// row, and the validation and training accuracy of every run at the end of
// each cycle (where η is smallest and the network settles), against the
// epoch (update step · batch / n), one curve per run
// named by its row. nTrain is the number of training images.
func bonusCharts(b *store.Ablation, nTrain int) map[string]*plot.Chart {
	rows := make([]float64, len(b.Rows))
	acc := func(f func(store.BonusRow) float64) []float64 {
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
				{Name: "training (first 10,000)", X: rows, Y: acc(func(r store.BonusRow) float64 { return r.Train })},
				{Name: "validation", X: rows, Y: acc(func(r store.BonusRow) float64 { return r.Validation }), Dashed: true},
				{Name: "test", X: rows, Y: acc(func(r store.BonusRow) float64 { return r.Test })},
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

// bonusBytes estimates the bytes the ablation writes: the summary, the
// curves and plots of seven runs, the largest ensemble of wide networks
// the plan can save, and the pictures.
func bonusBytes(o Options) int64 {
	in := bonusInputs(o)
	_, steps := bonusPlan(o)
	cycles := int64(2 * in.Config.Cycles) // the long row's, at most
	records := int64(len(steps)) * 2 * cycles * 2
	return 2*summaryBytes + int64(len(steps))*csvRowBytes*records + 3*(svgBase+2*svgPerPoint*records) +
		cycles*modelBytes(in.Hidden) + picturesBytes
}
