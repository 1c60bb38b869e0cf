// Package dgemm is the engine behind package matrix's products: the
// double-precision general matrix product of BLAS,
//
//	C = alpha·op(A)·op(B) + beta·C,   op(X) = X or Xᵀ,
//
// on row-major matrices held in slices with a leading dimension (the
// distance between rows), and the worker pool that the products and
// matrix.ParallelFor share. Package matrix checks the shapes and calls Gemm;
// matrix.GemmReference is the triple loop that every path and kernel here
// is tested against (in this package's tests, which import matrix).
//
// # How a product runs: plan → pack → macro-kernel → micro-kernel
//
//  1. gemm.go: Gemm takes the trivial cases (alpha = 0 or k = 0: C =
//     beta·C), and runs a product with both operands transposed as the
//     transpose of one with neither (gemmTT), where the kernel can read B
//     unpacked. GemmRows is Gemm with B read through a RowReader (an
//     evaluation's images, normalised as they are read).
//  2. plan.go: plan picks the path and cuts the work up: the block sizes kc
//     (depth of a k block, so that the kernel's slivers stay in L1), mc and
//     nc (so that a block of packed A stays in L2 and a panel of packed B
//     in L3), whether B is read unpacked (useDirectB), and the grid of
//     tasks, whole tiles of C, that the goroutines share (grid; a product
//     under serialFlops runs on the caller alone).
//  3. pool.go: job.run hands the tasks to the worker pool, whose workers
//     keep looking for the next job for a while before they sleep, so that
//     a hand-off costs under a microsecond, and works on them too (job.work).
//  4. task.go: a task runs the five loops of GotoBLAS around the
//     micro-kernel: for each panel of nc columns of C, for each k block,
//     pack that block of op(B) (packB); for each block of mc rows, pack
//     op(A) (packA); then the macro-kernel: for each B sliver, for each A
//     sliver (sliverTiles), call the micro-kernel on one tile of C
//     (edgeTile for a tile that sticks out of C). taskRows, for GemmRows, packs B a sliver at a
//     time instead, inside the macro-kernel's loop (packBRows, or the
//     reader itself: SliverReader).
//  5. pack.go: packA and packB copy a block of an operand into slivers in
//     the order the micro-kernel reads it (transposes are handled here, by
//     the direction of reading), zero-padded to whole tiles; the kernel may
//     bring SIMD helpers for it (packRows4, packPanelAcross).
//  6. kernel.go: the micro-kernel contract (microKernel): an mr×nr tile of
//     C = beta·C + (mr×kc sliver of A)·(kc×nr sliver of B), the
//     accumulators in registers, summed in increasing p; beta is the
//     product's in the first k block and 1 after it.
//
// Another path skips packing. dot.go: for C = A·Bᵀ, both read along their
// rows, a kernel with a dotFn computes 5×5 dot products at a time
// (dotTask), nothing packed; a beta other than 0 and 1 is applied there
// first, in a pass of its own over C's rows (scaleC).
//
// parallel.go: ParallelFor shares element-wise loops out to the same
// worker pool; SetParallelism bounds the goroutines of each product and
// ParallelFor, for computations run side by side.
//
// # Which micro-kernel runs
//
// The package variable kernel holds the micro-kernel; it is chosen once, at
// start-up, by chooseKernel in kernel_amd64.go from the CPUID and XGETBV
// checks of package twolayer/internal/cpu:
//
//	CPU (and OS)                                  kernel                      file
//	amd64 with AVX-512F, AVX2 and FMA, the OS     avx512 10×16, with the      kernel_avx512_amd64.s,
//	  saving the ZMM and opmask state              5×5 dot kernel (dotFn)      kernel_dot_amd64.s
//	amd64 with AVX2 and FMA (no AVX-512)          avx2 4×12                   kernel_amd64.s
//	any other CPU or architecture, or a build     go 2×3 (goKernel)           kernel_go.go
//	  with -tags purego
//
// The AVX-512 kernel's 10×16 tile wastes nothing on the network's m = 50
// and K = 10 rows and little on n = 100 columns (six whole tiles and one of
// four columns, computed under a mask); kernel_amd64.go says more about
// each. The tests check the CPUID checks against /proc/cpuinfo and skip,
// saying why, the kernels this CPU cannot run.
//
// # Rounding and reproducibility
//
// Every element of C is summed in an order fixed by the shape, the path and
// the kernel, never by GOMAXPROCS, SetParallelism or by which goroutine does
// which task: the result is bitwise the same at any parallelism. Different
// kernels round differently (the assembly kernels fuse each multiply-add;
// the dot kernel sums eight interleaved partial sums), so results on CPUs
// that select different kernels agree to rounding, not bit for bit.
//
// Measurements behind the block sizes, the kernels' shapes and the
// thresholds are in docs/performance.md.
package dgemm
