//go:build amd64 && !purego

package dgemm

// dot5x5AVX512 is the dotFn of the AVX-512 kernel: see dotFn for what it
// computes. Assembly, in kernel_dot_amd64.s; it reads kc values from each
// row pointer (the mask guarding the last group of eight) and writes out[0]
// to out[24] (out[25..31] are scratch).
//
//go:noescape
func dot5x5AVX512(kc int, rows *[2 * dotTile]*float64, out *[32]float64, mask uint64)
