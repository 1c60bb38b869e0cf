package network

import (
	"fmt"
	"math"
)

// DefaultEps is the threshold ε of the report's gradient comparison
// (section 2.9).
const DefaultEps = 1e-6

// GradComparison compares one parameter's analytic gradient g_a with a
// numeric one g_n by the report's two metrics (section 2.9).
type GradComparison struct {
	Param     string  `json:"param"`      // "W1", "b1", "W2" or "b2"
	Entries   int     `json:"entries"`    // number of entries of the parameter
	AbsErrors int     `json:"abs_errors"` // entries with |g_a − g_n| > ε
	RelErrors int     `json:"rel_errors"` // entries with |g_a − g_n| / max(ε, |g_a| + |g_n|) > ε
	MaxAbs    float64 `json:"max_abs"`    // largest |g_a − g_n|
	MaxRel    float64 `json:"max_rel"`    // largest |g_a − g_n| / max(ε, |g_a| + |g_n|)
}

// AbsPercent returns AbsErrors as a percentage of Entries.
func (c GradComparison) AbsPercent() float64 { return percent(c.AbsErrors, c.Entries) }

// RelPercent returns RelErrors as a percentage of Entries.
func (c GradComparison) RelPercent() float64 { return percent(c.RelErrors, c.Entries) }

// percent returns 100·a/n, 0 when n is 0.
func percent(a, n int) float64 {
	if n == 0 {
		return 0
	}
	return 100 * float64(a) / float64(n)
}

// String formats c as one line, e.g.
// "W1: 1000 entries, |Δ|>ε: 0 (0.0%, max 3.1e-10), rel>ε: 2 (0.2%, max 1.4e-06)".
func (c GradComparison) String() string {
	return fmt.Sprintf("%s: %d entries, |Δ|>ε: %d (%.1f%%, max %.2g), rel>ε: %d (%.1f%%, max %.2g)",
		c.Param, c.Entries, c.AbsErrors, c.AbsPercent(), c.MaxAbs, c.RelErrors, c.RelPercent(), c.MaxRel)
}

// CompareGradients compares the analytic gradients ga with the numeric ones gn
// by the report's two metrics with threshold eps (section 2.9):
//
//	absolute: |g_a − g_n| > ε
//	relative: |g_a − g_n| / max(ε, |g_a| + |g_n|) > ε
//
// It returns one GradComparison per parameter, in the order W1, b1, W2, b2.
// It panics if ga and gn do not have the same shapes.
func CompareGradients(ga, gn *Grads, eps float64) []GradComparison {
	pairs := []struct {
		name   string
		ra, rn [][]float64
	}{
		{"W1", rowsOf(ga.W1), rowsOf(gn.W1)},
		{"b1", [][]float64{ga.B1}, [][]float64{gn.B1}},
		{"W2", rowsOf(ga.W2), rowsOf(gn.W2)},
		{"b2", [][]float64{ga.B2}, [][]float64{gn.B2}},
	}
	out := make([]GradComparison, 0, len(pairs))
	for _, pr := range pairs {
		c := GradComparison{Param: pr.name}
		if len(pr.ra) != len(pr.rn) {
			panic(fmt.Sprintf("network.CompareGradients: %s has %d rows in one gradient and %d in the other", pr.name, len(pr.ra), len(pr.rn)))
		}
		for i, ra := range pr.ra {
			rn := pr.rn[i]
			if len(ra) != len(rn) {
				panic(fmt.Sprintf("network.CompareGradients: %s has %d columns in one gradient and %d in the other", pr.name, len(ra), len(rn)))
			}
			for j, a := range ra {
				abs, rel := gradErrors(a, rn[j], eps)
				c.Entries++
				if abs > eps {
					c.AbsErrors++
				}
				if rel > eps {
					c.RelErrors++
				}
				c.MaxAbs = max(c.MaxAbs, abs)
				c.MaxRel = max(c.MaxRel, rel)
			}
		}
		out = append(out, c)
	}
	return out
}

// gradErrors returns |a − n| and |a − n| / max(ε, |a| + |n|).
func gradErrors(a, n, eps float64) (abs, rel float64) {
	abs = math.Abs(a - n)
	return abs, abs / max(eps, math.Abs(a)+math.Abs(n))
}
