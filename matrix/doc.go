// Package matrix is a small dense float64 matrix package, written for the
// two-layer network of this project and nothing more.
//
// # Matrices and views
//
// A Dense is stored row-major: element (i, j) lives at data[i*stride+j].
// Because rows are contiguous and the stride may exceed the number of
// columns, a range of rows or a rectangular block of a matrix is a view that
// shares memory with it (see Slice and RowRange): a mini-batch of images
// stored one per row is taken without copying anything. New pads rows whose
// length is a multiple of 4 KiB (an image's 3,072 values) by two cache
// lines, so that the rows a product reads at once do not all fall into the
// same set of the L1 cache.
//
// Operations write their result into a destination given as the first
// argument, as gonum's mat does, so that a training loop can run without
// allocating. Element-wise operations accept a destination equal to one of
// their inputs; products do not (see Gemm). Every function panics, with a
// message naming the operation and the shapes involved, when shapes do not
// match: a shape mismatch is a programming error, not a run-time condition.
//
// # Products
//
// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X or Xᵀ;
// Mul, MulABt and MulAtB are its common cases. What it computes is
// defined by GemmReference, the plain triple loop
//
//	for i < m, j < n:  C[i][j] = alpha·Σ_{p<k} op(A)[i][p]·op(B)[p][j] + beta·C[i][j]
//
// against which every path and micro-kernel of the product is tested. This
// package checks the shapes and hands the product to its engine,
// twolayer/matrix/internal/dgemm, on the raw rows: cache blocking and
// packing as in GotoBLAS, micro-kernels in assembly chosen for the CPU at
// start-up (AVX-512 or AVX2 and FMA on amd64) or in Go (other CPUs, and
// builds with -tags purego), run on a pool of goroutines. That package's
// documentation maps the code, from the plan to the multiply-add.
//
// ParallelFor shares element-wise loops out to the same goroutines;
// SetParallelism bounds the goroutines of each product and ParallelFor, for
// computations run side by side.
//
// # Rounding and reproducibility
//
// Every element of a product is summed in an order fixed by the shapes and
// the micro-kernel, never by GOMAXPROCS or SetParallelism: results are
// bitwise the same at any parallelism. Different micro-kernels round
// differently, so results on CPUs that select different kernels agree to
// rounding, not bit for bit.
package matrix
