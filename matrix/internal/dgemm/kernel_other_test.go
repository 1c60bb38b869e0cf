//go:build !amd64 || purego

package dgemm

// archKernels returns the kernels of this architecture that the CPU can run:
// none without assembly, so the products are tested with goKernel (and the
// loop kernels of the tests) alone.
func archKernels() []microKernel { return nil }
