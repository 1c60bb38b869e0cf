package report

import (
	"fmt"
	"strings"

	"twolayer/experiments/store"
)

// Brief returns a few lines saying what the result s found, for the
// terminal: its title, its table (the gradient check's, a search's, the
// ablation's) or the range test's suggestion, its final metrics, and where
// its model and files are.
func Brief(s store.Summary) string {
	h := s.Head()
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s), %.1fs\n", h.Title, h.Experiment, h.Seconds)
	model := ""
	switch s := s.(type) {
	case *store.GradCheck:
		b.WriteString(ChecksTable(s.Checks))
	case *store.Search:
		b.WriteString(searchText(s.Runs))
	case *store.Bonus:
		if s.Ablation != nil {
			b.WriteString(ablationText(s.Ablation))
		}
		model = s.Model
	case *store.LRRange:
		if rt := s.RangeTest; rt != nil {
			fmt.Fprintf(&b, "suggested η_min = %.3g (accuracy starts to rise), η_max = %.3g (accuracy breaks)\n", rt.EtaMin, rt.EtaMax)
		}
	case *store.Final:
		if s.LambdaSource != "" {
			fmt.Fprintf(&b, "λ from %s\n", s.LambdaSource)
		}
		model = s.Model
	case *store.Run:
		model = s.Model
	}
	if f := h.Final; f != nil {
		fmt.Fprintf(&b, "final: train acc %.4f (cost %.4f), validation acc %.4f (cost %.4f)", f.Train.Accuracy, f.Train.Cost, f.Validation.Accuracy, f.Validation.Cost)
		if f.Test != nil {
			fmt.Fprintf(&b, ", test acc %.4f", f.Test.Accuracy)
		}
		b.WriteByte('\n')
	}
	if model != "" {
		fmt.Fprintf(&b, "model saved to %s\n", model)
	}
	if h.Dir != "" {
		fmt.Fprintf(&b, "results in %s\n", h.Dir)
	}
	return b.String()
}

// ChecksTable formats the gradient check like the report's list: per
// numeric method and λ, per parameter, the number (and share) of entries
// whose absolute and relative errors exceed ε, and the largest errors.
func ChecksTable(checks []store.Check) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-9s %-5s %-5s %7s  %-16s  %-16s  %-9s  %-9s\n", "method", "λ", "param", "entries", "|Δ| > 1e-6", "rel > 1e-6", "max |Δ|", "max rel")
	for _, c := range checks {
		fmt.Fprintf(&b, "%-9s %-5g %-5s %7d  %5d (%6.2f%%)  %5d (%6.2f%%)  %9.2e  %9.2e\n",
			c.Method, c.Lambda, c.Param, c.Entries,
			c.AbsErrors, c.AbsPercent(), c.RelErrors, c.RelPercent(), c.MaxAbs, c.MaxRel)
	}
	return b.String()
}

// searchText formats the runs of a search ranked by validation accuracy.
func searchText(runs []store.SearchRun) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%4s  %-12s  %8s  %10s  %8s\n", "rank", "λ", "train", "validation", "test")
	for i, r := range store.RankByValidation(runs) {
		fmt.Fprintf(&b, "%4d  %-12.6g  %8.4f  %10.4f  %8.4f\n", i+1, r.Lambda, r.TrainAccuracy, r.ValidationAccuracy, r.TestAccuracy)
	}
	return b.String()
}

// ablationText formats the ablation's rows: what each adds, its chosen
// setting, its accuracies (percent), the change in test accuracy from the
// row above and its seconds.
func ablationText(b *store.Ablation) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%-22s  %-52s  %6s  %6s  %6s  %6s  %6s\n", "row", "setting", "train", "val", "test", "Δ test", "s")
	for i, r := range b.Rows {
		change := "—"
		if i > 0 {
			change = fmt.Sprintf("%+.2f", 100*r.Change)
		}
		fmt.Fprintf(&s, "%-22s  %-52s  %6.2f  %6.2f  %6.2f  %6s  %6.0f\n", r.Name, r.Setting, 100*r.Train, 100*r.Validation, 100*r.Test, change, r.Seconds)
	}
	fmt.Fprintf(&s, "best by validation: row %d, %s (%s)\n", b.Best+1, b.Rows[b.Best].Name, b.Model)
	return s.String()
}
