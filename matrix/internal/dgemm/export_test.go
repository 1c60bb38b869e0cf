package dgemm

import "fmt"

// Hooks for this package's external tests (package dgemm_test), which check
// the products against matrix.GemmReference; this file is compiled only
// into the tests.

// KernelNames returns the names of the micro-kernels the products are
// tested with: the real ones this CPU runs, and with all set also loop
// kernels of odd shapes (see testKernels).
func KernelNames(all bool) []string {
	ks := realKernels()
	if all {
		ks = testKernels()
	}
	var names []string
	for _, k := range ks {
		names = append(names, k.name)
	}
	return names
}

// WithKernel installs the micro-kernel named name and runs f once for each
// path it may compute a product on (see forEachPath), then restores the
// kernel the program chose. It panics if no test kernel has that name.
func WithKernel(name string, f func(path string)) {
	for _, mk := range testKernels() {
		if mk.name == name {
			defer func(k microKernel) { kernel = k }(kernel)
			kernel = mk
			forEachPath(mk, f)
			return
		}
	}
	panic(fmt.Sprintf("dgemm.WithKernel: no kernel %q", name))
}

// SetSerialFlops sets serialFlops (0: share out every product, however
// small) and returns a function that restores it.
func SetSerialFlops(n int) (restore func()) {
	old := serialFlops
	serialFlops = n
	return func() { serialFlops = old }
}

// Tasks returns the number of tasks that an m×n×k product with the kernel
// installed now is cut into on procs goroutines.
func Tasks(tA, tB bool, m, n, k, procs int) int {
	p := plan(kernel, tA, tB, m, n, k, procs)
	return p.gm * p.gn
}
