package report

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"twolayer/experiments/store"
)

// bonusSection adds "Beyond the report" to the report: the ablation's table,
// a sentence per row on what it did, the candidates each row chose from,
// the plots, and the learning-rate range test when it was run.
func bonusSection(d *document, r *store.Bonus, rangeTest *store.LRRange) {
	if r == nil && rangeTest == nil {
		return
	}
	d.h("Beyond the report: the optional exercises", "experiments.Bonus", "network.NewTraining", "network.Training.Continue", "network.EnsembleAccuracy", "network.PredictEnsemble")
	if r != nil && r.Ablation != nil {
		bonusTable(d, r)
	}
	if rangeTest != nil && rangeTest.RangeTest != nil {
		rt := rangeTest.RangeTest
		d.h3("Learning-rate range test", "experiments.LRRange", "network.RangeTest", "network.SuggestEtas")
		d.p("Smith's range test (`go run . lr-range`): m = %d (%s initialisation), λ = %g, batches of %d, %d update steps with η rising geometrically from %g to %g, "+
			"accuracy and loss measured %d times on the first %d validation images. Suggested η_min = %.3g (where the accuracy starts to rise: a tenth of the way from its start to its peak) "+
			"and η_max = %.3g (where it breaks: the last η, from the accuracy's peak on, before it falls more than a tenth of its rise below the peak).",
			rt.Hidden, rt.Init, rt.Lambda, rt.BatchSize, rt.Steps, rt.From, rt.To, len(rt.Points), rt.NEval, rt.EtaMin, rt.EtaMax)
		plots(d, rangeTest, store.RangeCharts...)
	}
	if r != nil && r.Insight != nil {
		d.p("The pictures below are those of the ablation's best row's final network (the last of the networks it averages, when it averages several): its weights, and its own confusion matrix and mistakes on the test set.")
		pictureSections(d, r.Experiment, r.Insight)
	}
}

// bonusTable writes the ablation's part of the section.
func bonusTable(d *document, r *store.Bonus) {
	b := r.Ablation
	h := r.Hyperparams
	d.p("Each row adds one technique to the row above, starting from section 3.4's network, on %s training and %s validation images of the five batches (%s); "+
		"the test set (%s images) is only evaluated. Each row chooses its settings (λ, p, the ensemble's size) on the validation set: every candidate trains its first cycle, "+
		"the one with the best validation accuracy trains on to the end (successive halving), and the number of cycle ends averaged is chosen after the run. "+
		"Training accuracy is measured on the first %s training images. Seed %d. Accuracies in percent; aug. is the augmentation, nets the number of networks averaged, Δ test the change from the row above in points, s the row's seconds.",
		thousands(h.NTrain), thousands(h.NValidation), h.Split, thousands(h.NTest), thousands(store.BonusTrainImages), h.Seed)
	if b.Quick {
		d.note("This is the quick version of the ablation (`-quick`): narrower networks and shorter runs, to show every row in a few minutes; its accuracies are not the full ablation's.")
	}
	rows := [][]string{{"#", "row", "m", "λ", "p", "aug.", "epochs", "nets", "train", "val.", "test", "Δ test", "s"}}
	for i, row := range b.Rows {
		s := row.Setting
		p, change := "—", "—"
		if s.KeepProb > 0 && s.KeepProb < 1 {
			p = fmt.Sprint(s.KeepProb)
		}
		if i > 0 {
			change = fmt.Sprintf("%+.2f", 100*row.Change)
		}
		aug := "—"
		if s.Flip || s.Shift > 0 {
			aug = s.Augment().String()
		}
		rows = append(rows, []string{fmt.Sprint(i + 1), row.Name, fmt.Sprint(s.Hidden), fmt.Sprintf("%.3g", s.Lambda), p, aug,
			fmt.Sprintf("%.0f", row.Epochs), fmt.Sprint(s.Ensemble), pct(row.Train), pct(row.Validation), pct(row.Test), change, fmt.Sprintf("%.0f", row.Seconds)})
	}
	d.table(rows)
	for i, row := range b.Rows {
		d.p("%d. %s: %s. %s", i+1, row.Name, row.Adds, rowOutcome(b, i))
	}
	last := b.Rows[len(b.Rows)-1].Test
	d.note(fmt.Sprintf("A change of less than about a point is within the noise: the standard error of a test accuracy near %.0f%% on %s images is %.2f points, "+
		"and a choice made on %s validation images by differences of a few tenths of a point can go either way.",
		100*last, thousands(h.NTest), 100*math.Sqrt(last*(1-last)/float64(max(h.NTest, 1))), thousands(h.NValidation)))
	best := b.Rows[b.Best]
	d.p("The best row by validation accuracy is row %d (%s): test accuracy %s%%, against the report's 52.37%%. Its model is saved as %s; "+
		"`go run . predict -model %s -file test_batch.bin -index 0,1,2` classifies with it.",
		b.Best+1, best.Name, pct(best.Test), filepath.Join(r.Dir, b.Model), filepath.Join(r.Dir, b.Model))
	plots(d, r, store.BonusCharts...)
}

// rowOutcome is the sentence on what row i chose and what it did.
func rowOutcome(b *store.Ablation, i int) string {
	row := b.Rows[i]
	var tried []string
	for _, c := range row.Candidates {
		mark := ""
		if c.Chosen {
			mark = ", chosen"
		}
		tried = append(tried, fmt.Sprintf("%s (validation %s%% after %s%s)", candidateLine(c, row.Candidates), pct(c.ValidationAccuracy), c.JudgedAfter, mark))
	}
	s := ""
	if len(tried) > 0 {
		s = "Tried " + strings.Join(tried, "; ") + ". "
	}
	s += fmt.Sprintf("Test accuracy %s%%", pct(row.Test))
	if i > 0 {
		s += fmt.Sprintf(", %+.2f points from the row above", 100*row.Change)
	}
	return s + fmt.Sprintf(", in %.0f s.", row.Seconds)
}

// candidateLine names what distinguishes candidate c from the other
// candidates of its row: λ, p, the augmentation or the ensemble's size.
func candidateLine(c store.BonusCandidate, all []store.BonusCandidate) string {
	differ := func(f func(store.BonusSetting) string) bool {
		for _, o := range all {
			if f(o.Setting) != f(c.Setting) {
				return true
			}
		}
		return false
	}
	var parts []string
	for _, f := range []struct {
		name string
		get  func(store.BonusSetting) string
	}{
		{"λ", func(s store.BonusSetting) string { return fmt.Sprintf("%.3g", s.Lambda) }},
		{"p", func(s store.BonusSetting) string { return fmt.Sprint(s.KeepProb) }},
		{"m", func(s store.BonusSetting) string { return fmt.Sprint(s.Hidden) }},
		{"augmentation", func(s store.BonusSetting) string { return s.Augment().String() }},
		{"networks averaged", func(s store.BonusSetting) string { return fmt.Sprint(s.Ensemble) }},
	} {
		if differ(f.get) {
			parts = append(parts, f.name+" = "+f.get(c.Setting))
		}
	}
	if len(parts) == 0 {
		return c.Setting.String()
	}
	return strings.Join(parts, ", ")
}

// thousands formats n with a comma between groups of three digits, e.g.
// 45,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
