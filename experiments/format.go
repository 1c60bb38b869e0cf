package experiments

import (
	"fmt"
	"strings"
)

// ChecksTable formats the gradient check like the report's list: per
// numeric method and λ, per parameter, the number (and share) of entries
// whose absolute and relative errors exceed ε, and the largest errors.
func ChecksTable(checks []Check) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-9s %-5s %-5s %7s  %-16s  %-16s  %-9s  %-9s\n", "method", "λ", "param", "entries", "|Δ| > 1e-6", "rel > 1e-6", "max |Δ|", "max rel")
	for _, c := range checks {
		fmt.Fprintf(&b, "%-9s %-5g %-5s %7d  %5d (%6.2f%%)  %5d (%6.2f%%)  %9.2e  %9.2e\n",
			c.Method, c.Lambda, c.Param, c.Entries,
			c.AbsErrors, c.AbsPercent(), c.RelErrors, c.RelPercent(), c.MaxAbs, c.MaxRel)
	}
	return b.String()
}

// SearchTable formats the runs of a search ranked by validation accuracy.
func SearchTable(runs []SearchRun) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%4s  %-12s  %8s  %10s  %8s\n", "rank", "λ", "train", "validation", "test")
	for i, r := range RankByValidation(runs) {
		fmt.Fprintf(&b, "%4d  %-12.6g  %8.4f  %10.4f  %8.4f\n", i+1, r.Lambda, r.TrainAccuracy, r.ValidationAccuracy, r.TestAccuracy)
	}
	return b.String()
}

// Summary returns a few lines saying what a result found, for the
// terminal.
func (r *Result) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s), %.1fs\n", r.Title, r.Experiment, r.Seconds)
	switch {
	case len(r.Checks) > 0:
		b.WriteString(ChecksTable(r.Checks))
	case len(r.Runs) > 0:
		b.WriteString(SearchTable(r.Runs))
	}
	if r.LambdaSource != "" {
		fmt.Fprintf(&b, "λ from %s\n", r.LambdaSource)
	}
	if f := r.Final; f != nil {
		fmt.Fprintf(&b, "final: train acc %.4f (cost %.4f), validation acc %.4f (cost %.4f)", f.Train.Accuracy, f.Train.Cost, f.Validation.Accuracy, f.Validation.Cost)
		if f.Test != nil {
			fmt.Fprintf(&b, ", test acc %.4f", f.Test.Accuracy)
		}
		b.WriteByte('\n')
	}
	if r.Model != "" {
		fmt.Fprintf(&b, "model saved to %s\n", r.Model)
	}
	if r.Dir != "" {
		fmt.Fprintf(&b, "results in %s\n", r.Dir)
	}
	return b.String()
}
