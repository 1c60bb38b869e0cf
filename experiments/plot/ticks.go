package plot

import (
	"math"
	"strconv"
)

// NiceTicks returns "nice" tick positions covering [lo, hi]: at most about
// maxTicks values k·step, where step is 1, 2 or 5 times a power of ten, the
// first tick is at or below lo and the last at or above hi (so the returned
// range is the axis range). The step is returned too, for formatting labels.
//
// A degenerate range (lo == hi) is widened around its value; non-finite
// bounds give the range [0, 1]. maxTicks below 2 is treated as 2.
func NiceTicks(lo, hi float64, maxTicks int) (ticks []float64, step float64) {
	if maxTicks < 2 {
		maxTicks = 2
	}
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		lo, hi = 0, 1
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	if lo == hi {
		d := math.Abs(lo) * 0.1
		if d == 0 {
			d = 1
		}
		lo, hi = lo-d, hi+d
	}
	rough := (hi - lo) / float64(maxTicks-1)
	mag := math.Pow(10, math.Floor(math.Log10(rough)))
	step = 10 * mag
	for _, f := range []float64{1, 2, 5} {
		if f*mag >= rough {
			step = f * mag
			break
		}
	}
	first := math.Floor(lo/step + 1e-9)
	last := math.Ceil(hi/step - 1e-9)
	for k := first; k <= last; k++ {
		ticks = append(ticks, k*step)
	}
	return ticks, step
}

// FormatTick formats a tick value with just enough decimals for the tick
// step: 0.25 with step 0.05 is "0.25", 4000 with step 1000 is "4000", and
// values that are tiny or huge compared with 1 use exponent notation.
func FormatTick(v, step float64) string {
	if math.Abs(v) < step*1e-6 {
		v = 0 // -0 and rounding noise at the origin
	}
	if step >= 1e6 || (step < 1e-4 && step > 0) {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	decimals := 0
	if step < 1 {
		decimals = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
