package matrix

// Packing copies a block of an operand into the order the micro-kernel reads
// it (see microKernel), zero-padding the last sliver to a whole mr or nr.
// The transposes are handled here, by reading the operand along the right
// direction, so a transpose is never materialised.

// packA packs alpha·op(A)[i0:i0+mlen, p0:p0+kc] into dst as ⌈mlen/mr⌉ slivers
// of kc·mr values: sliver s holds dst[s·kc·mr + p·mr + i] = alpha·op(A)[i0+s·mr+i][p0+p].
// op(A) is A, or Aᵀ when t is Trans.
func packA(dst []float64, a *Dense, t Transpose, alpha float64, i0, mlen, p0, kc, mr int) {
	for s := 0; s*mr < mlen; s++ {
		d := dst[s*kc*mr : (s+1)*kc*mr]
		rows := min(mr, mlen-s*mr)
		r0 := i0 + s*mr // first row of op(A) in this sliver
		if t == NoTrans {
			// Row i of the sliver is contiguous in A: read it along p.
			for i := 0; i < rows; i++ {
				src := a.data[(r0+i)*a.stride+p0:]
				src = src[:kc]
				for p, v := range src {
					d[p*mr+i] = alpha * v
				}
			}
			for i := rows; i < mr; i++ {
				for p := 0; p < kc; p++ {
					d[p*mr+i] = 0
				}
			}
			continue
		}
		// op(A)[r][p] = A[p][r]: column p of the sliver is contiguous in A.
		for p := 0; p < kc; p++ {
			src := a.data[(p0+p)*a.stride+r0:]
			src = src[:rows]
			dp := d[p*mr : p*mr+mr]
			for i, v := range src {
				dp[i] = alpha * v
			}
			clear(dp[rows:])
		}
	}
}

// packB packs op(B)[p0:p0+kc, j0:j0+nlen] into dst as ⌈nlen/nr⌉ slivers of
// kc·nr values: sliver s holds dst[s·kc·nr + p·nr + j] = op(B)[p0+p][j0+s·nr+j].
// op(B) is B, or Bᵀ when t is Trans.
func packB(dst []float64, b *Dense, t Transpose, p0, kc, j0, nlen, nr int) {
	for s := 0; s*nr < nlen; s++ {
		d := dst[s*kc*nr : (s+1)*kc*nr]
		cols := min(nr, nlen-s*nr)
		c0 := j0 + s*nr // first column of op(B) in this sliver
		if t == NoTrans {
			// Row p of the sliver is contiguous in B.
			for p := 0; p < kc; p++ {
				src := b.data[(p0+p)*b.stride+c0:]
				src = src[:cols]
				dp := d[p*nr : p*nr+nr]
				copy(dp, src)
				clear(dp[cols:])
			}
			continue
		}
		// op(B)[p][c] = B[c][p]: column j of the sliver is row c0+j of B,
		// contiguous along p (with images as rows of B, one image).
		for j := 0; j < cols; j++ {
			src := b.data[(c0+j)*b.stride+p0:]
			src = src[:kc]
			for p, v := range src {
				d[p*nr+j] = v
			}
		}
		for j := cols; j < nr; j++ {
			for p := 0; p < kc; p++ {
				d[p*nr+j] = 0
			}
		}
	}
}
