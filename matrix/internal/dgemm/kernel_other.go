//go:build !amd64 || purego

package dgemm

// chooseKernel returns the kernel the products use (see kernel): without
// assembly (another architecture, or the purego build), the portable
// goKernel.
func chooseKernel() microKernel { return goKernel }
