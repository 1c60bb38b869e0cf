//go:build !amd64 || purego

package matrix

// archKernels returns the kernels of this architecture that the CPU can run:
// none here (another architecture, or the purego build), so the product uses
// the portable goKernel.
func archKernels() []microKernel { return nil }
