// Package cpu says which vector instructions this CPU and its operating
// system support, for the packages that choose an assembly kernel at
// start-up (matrix/internal/dgemm, cifar): CPUID and XGETBV on amd64, read
// once by each caller, and $TWOLAYER_CPU, which can keep the kernels from
// using all of it (LimitVar). On other architectures, and with the purego
// build tag, it has only the limit: the callers' amd64 files are the only
// ones that ask about instructions.
package cpu
