package matrix

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
// update of C. Measured on Zen 4, GFLOP/s at 1 thread for 50×3072×100
// (successive batches) and 50×3072×10000, with rows padded as New pads
// them: blocks of 1024 terms and 25 rows 54 and 44, of 1536 and 25 56 and
// 46, of 3072 (one block) and 10, 25 or 50 rows 56 and 49 (at 2 threads
// 104 and 89 against 107 and 95), though a tile of A then no longer fits
// L1. (Before rows were padded: 512 and 100 rows 46 and 39, 1536 and 25
// 49 and 43.)
const (
	dotKc = 3072
	dotNc = 25
)

// dotTask computes region t of C (see task) on the dot path, with the row
// pointers and the results of the kernel in buf (so that they do not escape
// to the heap on each call).
func (j *gemmJob) dotTask(t int, buf *packBuf) {
	p := &j.plan
	i0, j0 := t/p.gn*p.tm, t%p.gn*p.tn
	i1, j1 := min(i0+p.tm, p.m), min(j0+p.tn, p.n)
	if j.beta != 0 {
		scaleTile(&j.c, j.beta, i0, i1, j0, j1)
	}
	a, b, c := &j.a, &j.b, &j.c
	rows, out := &buf.dotRows, &buf.dotOut
	defer clear(rows[:]) // do not keep the caller's matrices alive
	for pc := 0; pc < p.k; pc += p.kc {
		kc := min(p.kc, p.k-pc)
		mask := uint64(1)<<(kc%8) - 1
		add := pc > 0 || j.beta != 0
		for jc := j0; jc < j1; jc += p.nc {
			jend := min(jc+p.nc, j1)
			for it := i0; it < i1; it += dotTile {
				ri := min(dotTile, i1-it)
				for r := range dotTile {
					off := (it+min(r, ri-1))*a.stride + pc
					rows[r] = &a.data[off : off+kc][0]
				}
				for jt := jc; jt < jend; jt += dotTile {
					rj := min(dotTile, jend-jt)
					for r := range dotTile {
						off := (jt+min(r, rj-1))*b.stride + pc
						rows[dotTile+r] = &b.data[off : off+kc][0]
					}
					p.mk.dot(kc, rows, out, mask)
					for i := range ri {
						cr := c.data[(it+i)*c.stride+jt:]
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
