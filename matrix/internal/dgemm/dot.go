package dgemm

// The dot-product path of the product, for C = alpha·A·Bᵀ + beta·C with A
// and B both read along their rows (op(A) = A, op(B) = Bᵀ): each element of
// C is a dot product of a row of A and a row of B, contiguous in memory, so
// nothing needs packing. A kernel with a dotFn computes 5×5 such dot
// products at a time, eight terms of each per vector instruction.

// dotTile is the side of the square tile of C a dotFn computes.
const dotTile = 5

// A dotFn computes the dotTile×dotTile dot products of five rows of A and
// five rows of B over kc terms:
//
//	out[5·i+j] = Σ_{p<kc} A_i[p]·B_j[p],   0 ≤ i, j < 5,
//
// where rows[i] points to A_i[0] and rows[5+j] to B_j[0], each row having at
// least kc values (a row may appear more than once). mask has bit l set for
// the lanes l < kc mod 8 of the last, partial group of eight terms (0 when
// kc is a multiple of 8). The terms are summed in a fixed order, so the
// result depends only on the inputs.
type dotFn func(kc int, rows *[2 * dotTile]*float64, out *[32]float64, mask uint64)

// Blocking of the dot path: k blocks of at most dotKc terms, and dotNc rows
// of B at a time, which stay in L2 (25·3072·8 = 600 KiB for k = 3072) while
// the tiles of A run over them. Deep blocks pay: each block of a tile ends
// with the reduction of 25 vectors (about 70 shuffles and adds) and the
// update of C; the network's k = 3,072 is one block. Measured: see
// docs/performance.md.
const (
	dotKc = 3072
	dotNc = 25
)

// dotTask computes tile t of the plan's grid of C (see task) on the dot
// path: for each k block, for each dotNc rows of B, each dotTile×dotTile
// tile of C is one call of the dot kernel on five rows of A and five of B,
// whose results are added to C times alpha (or, in the first block with
// beta = 0, stored). A tile at the edge of C repeats its last row of A or B
// to fill the kernel's five. The row pointers and the results live in buf,
// so that they do not escape to the heap on each call.
func (j *job) dotTask(t int, buf *packBuf) {
	p := &j.plan
	i0, j0 := t/p.gn*p.tm, t%p.gn*p.tn
	i1, j1 := min(i0+p.tm, p.m), min(j0+p.tn, p.n)
	rows, out := &buf.dotRows, &buf.dotOut
	defer clear(rows[:]) // do not keep the caller's matrices alive
	for pc := 0; pc < p.k; pc += p.kc {
		kc := min(p.kc, p.k-pc)
		mask := uint64(1)<<(kc%8) - 1
		add := pc > 0 || j.beta != 0 // beta is 0 or 1 on the dot path (gemm)
		for jc := j0; jc < j1; jc += p.nc {
			jend := min(jc+p.nc, j1)
			for it := i0; it < i1; it += dotTile {
				ri := min(dotTile, i1-it)
				for r := range dotTile {
					off := (it+min(r, ri-1))*j.lda + pc
					rows[r] = &j.a[off : off+kc][0]
				}
				for jt := jc; jt < jend; jt += dotTile {
					rj := min(dotTile, jend-jt)
					for r := range dotTile {
						off := (jt+min(r, rj-1))*j.ldb + pc
						rows[dotTile+r] = &j.b[off : off+kc][0]
					}
					p.mk.dot(kc, rows, out, mask) // the dot kernel
					for i := range ri {
						cr := j.c[(it+i)*j.ldc+jt:]
						cr = cr[:rj]
						o := out[dotTile*i : dotTile*i+rj]
						if add {
							for jj := range cr {
								cr[jj] += j.alpha * o[jj]
							}
						} else {
							for jj := range cr {
								cr[jj] = j.alpha * o[jj]
							}
						}
					}
				}
			}
		}
	}
}
