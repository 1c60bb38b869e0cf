package cpu

import (
	"fmt"
	"os"
)

// LimitVar names the environment variable that keeps the kernels from using
// everything this CPU has, so that the paths another CPU would take can be
// run, tested and timed on this one:
//
//	TWOLAYER_CPU=avx2   no AVX-512: the AVX2 kernels, as on a CPU without it
//	TWOLAYER_CPU=none   no SIMD: the portable Go kernels, as on other architectures
//
// Unset or empty, nothing is limited. The kernels are chosen once, at start-up.
const LimitVar = "TWOLAYER_CPU"

// Limit returns the limit $TWOLAYER_CPU sets: "avx2", "none", or "" for
// none. Any other value is an error, naming the variable and what it
// takes, and limits nothing.
func Limit() (string, error) {
	switch v := os.Getenv(LimitVar); v {
	case "", "avx2", "none":
		return v, nil
	default:
		return "", fmt.Errorf("$%s is %q: want avx2 (no AVX-512), none (no SIMD), or nothing", LimitVar, v)
	}
}
