// Package cpu says which vector instructions this CPU and its operating
// system support, for the packages that choose an assembly kernel at
// start-up (matrix/internal/dgemm, cifar): CPUID and XGETBV on amd64, read
// once by each caller. On other architectures, and with the purego build
// tag, it is empty: the callers' amd64 files are the only ones that use it.
package cpu
