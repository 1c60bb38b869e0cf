//go:build !amd64 || purego

package cifar

// normalizeKernel is the kernel Image uses: on this architecture, or with
// the purego build tag, the portable normalizeGo (and ComputeStats uses
// sumPixelsGo and sumSquaresGo).
var normalizeKernel = kernel{"go", normalizeGo, true}

// kernels returns the kernels of this build: the portable one.
func kernels() []kernel { return []kernel{normalizeKernel} }

// statsKernels returns the statistics kernels of this build: the portable
// ones.
func statsKernels() []statsKernel { return []statsKernel{{"go", sumPixelsGo, sumSquaresGo}} }
