package network

import "fmt"

// CyclicEta returns the triangular cyclical learning rate (Smith 2015) at
// update step t ≥ 0 with half-cycle length n_s = stepSize: in cycle
// l = ⌊t / 2n_s⌋,
//
//	η_t = η_min + (t − 2l·n_s)/n_s · (η_max − η_min)        if 2l·n_s ≤ t ≤ (2l+1)·n_s
//	η_t = η_max − (t − (2l+1)·n_s)/n_s · (η_max − η_min)    if (2l+1)·n_s ≤ t ≤ 2(l+1)·n_s
//
// so η rises linearly from η_min at t = 2l·n_s to η_max at t = (2l+1)·n_s and
// falls back to η_min at t = 2(l+1)·n_s. It panics if t < 0 or stepSize < 1.
func CyclicEta(t int, etaMin, etaMax float64, stepSize int) float64 {
	if t < 0 || stepSize < 1 {
		panic(fmt.Sprintf("network.CyclicEta: step %d, step size %d (want t ≥ 0, n_s ≥ 1)", t, stepSize))
	}
	l := t / (2 * stepSize)
	u := t - 2*l*stepSize // position in the cycle, 0..2n_s−1
	if u <= stepSize {
		return etaMin + float64(u)/float64(stepSize)*(etaMax-etaMin)
	}
	return etaMax - float64(u-stepSize)/float64(stepSize)*(etaMax-etaMin)
}
