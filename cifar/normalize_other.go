//go:build !amd64 || purego

package cifar

// normalizeKernel is the kernel Image uses: on this architecture, or with
// the purego build tag, the portable normalizeGo.
var normalizeKernel = normalizeGo

// kernels returns the kernels of this build: the portable one.
func kernels() []kernel { return []kernel{{"go", normalizeGo, true}} }
