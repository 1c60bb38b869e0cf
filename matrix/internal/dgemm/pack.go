package dgemm

// Packing copies a block of an operand into the order the micro-kernel reads
// it (see microKernel), zero-padding the last sliver to a whole mr or nr.
// The transposes are handled here, by reading the operand along the right
// direction, so a transpose is never materialised.
//
// A sliver is w wide (mr for A, nr for B) and kc deep: d[p·w+i] is element i
// of step p. Depending on the transpose, its w elements of one step are
// either contiguous in the operand (packAcross) or its w lines are
// contiguous along p (packAlong).
//
// The kernel may bring faster ways to pack (its packRows4 and
// packPanelAcross fields, SIMD on its architecture); they write the same
// values, so the product does not depend on whether they are used.

// packA packs alpha·op(A)[i0:i0+mlen, p0:p0+kc] into dst as ⌈mlen/mr⌉ slivers
// of kc·mr values: sliver s holds dst[s·kc·mr + p·mr + i] = alpha·op(A)[i0+s·mr+i][p0+p].
// op(A) is A (rows lda apart in a), or Aᵀ when t is set.
func packA(dst, a []float64, lda int, t bool, alpha float64, i0, mlen, p0, kc int, mk *microKernel) {
	mr := mk.mr
	if t {
		packSliversAcross(dst, a, lda, i0, mlen, p0, kc, mr, alpha, mk.packPanelAcross)
		return
	}
	for s := 0; s*mr < mlen; s++ {
		d := dst[s*kc*mr : (s+1)*kc*mr]
		packAlong(d, a, lda, i0+s*mr, min(mr, mlen-s*mr), p0, kc, mr, alpha, mk.packRows4)
	}
}

// packB packs op(B)[p0:p0+kc, j0:j0+nlen] into dst as ⌈nlen/nr⌉ slivers of
// kc·nr values: sliver s holds dst[s·kc·nr + p·nr + j] = op(B)[p0+p][j0+s·nr+j].
// op(B) is B (rows ldb apart in b), or Bᵀ when t is set (with images as rows
// of B, each image is then one line of a sliver).
func packB(dst, b []float64, ldb int, t bool, p0, kc, j0, nlen int, mk *microKernel) {
	nr := mk.nr
	if !t {
		packSliversAcross(dst, b, ldb, j0, nlen, p0, kc, nr, 1, mk.packPanelAcross)
		return
	}
	for s := 0; s*nr < nlen; s++ {
		d := dst[s*kc*nr : (s+1)*kc*nr]
		packAlong(d, b, ldb, j0+s*nr, min(nr, nlen-s*nr), p0, kc, nr, 1, mk.packRows4)
	}
}

// packBRows is packB for op(B) = Bᵀ with B read through rows: a whole
// sliver is written by rows itself when it is a SliverReader that can;
// otherwise its nr rows' entries p0..p0+kc are read into scratch (nr rows of
// kc, which stay in L1), then packed from there as packB packs B's rows.
func packBRows(dst, scratch []float64, rows RowReader, p0, kc, j0, nlen int, mk *microKernel) {
	nr := mk.nr
	sr, _ := rows.(SliverReader)
	for s := 0; s*nr < nlen; s++ {
		n := min(nr, nlen-s*nr)
		d := dst[s*kc*nr : (s+1)*kc*nr]
		if n == nr && sr != nil && sr.ReadSliver(d, nr, j0+s*nr, p0, kc) {
			continue
		}
		for r := range n {
			rows.ReadRow(scratch[r*kc:(r+1)*kc], j0+s*nr+r, p0)
		}
		packAlong(d, scratch, kc, 0, n, 0, kc, nr, 1, mk.packRows4)
	}
}

// packSliversAcross packs ⌈n/w⌉ slivers w wide whose steps are rows
// p0..p0+kc of x (rows ldx apart), read across columns c0..c0+n (see
// packAcross). The whole
// slivers go to fast, when the kernel has it, or are packed reading x row
// after row; the last, partial one by packAcross.
func packSliversAcross(dst, x []float64, ldx, c0, n, p0, kc, w int, alpha float64,
	fast func(dst, src []float64, lds, kc, w, ns int, alpha float64)) {
	whole := n / w
	switch {
	case whole == 0:
	case fast != nil:
		fast(dst, x[p0*ldx+c0:], ldx, kc, w, whole, alpha)
	default:
		// Four rows at a time: four streams in flight, and 4·w values
		// stored together into each sliver.
		row := func(p int) []float64 {
			base := (p0+p)*ldx + c0
			return x[base : base+whole*w : base+whole*w]
		}
		p := 0
		for ; p+4 <= kc; p += 4 {
			x0, x1, x2, x3 := row(p), row(p+1), row(p+2), row(p+3)
			for s := 0; s < whole; s++ {
				dp := dst[s*kc*w+p*w : s*kc*w+(p+4)*w]
				for j := 0; j < w; j++ {
					c := s*w + j
					dp[j], dp[w+j], dp[2*w+j], dp[3*w+j] = alpha*x0[c], alpha*x1[c], alpha*x2[c], alpha*x3[c]
				}
			}
		}
		for ; p < kc; p++ {
			x0 := row(p)
			for s := 0; s < whole; s++ {
				dp := dst[s*kc*w+p*w : s*kc*w+p*w+w]
				for j, v := range x0[s*w : s*w+w] {
					dp[j] = alpha * v
				}
			}
		}
	}
	if s := whole; s*w < n {
		packAcross(dst[s*kc*w:(s+1)*kc*w], x, ldx, c0+s*w, n-s*w, p0, kc, w, alpha)
	}
}

// packAlong packs one sliver whose lines are rows r0..r0+n of x (rows ldx
// apart), read along
// columns p0..p0+kc: d[p·w+i] = alpha·x[r0+i][p0+p], zero for n ≤ i < w.
// Rows are read four (or the last three or two) at a time, so that several
// streams are in flight and the values of a step are stored together; rows4,
// when not nil, packs four rows (see microKernel.packRows4), the last four
// too when n is not a multiple of 4.
func packAlong(d, x []float64, ldx, r0, n, p0, kc, w int, alpha float64,
	rows4 func(dst []float64, ldd int, src []float64, lds, kc int, alpha float64)) {
	d = d[:kc*w]
	row := func(i int) []float64 { // row r0+i of x, columns p0..p0+kc
		base := (r0+i)*ldx + p0
		return x[base : base+kc : base+kc]
	}
	i := 0
	for ; i+4 <= n; i += 4 {
		if rows4 != nil {
			rows4(d[i:], w, x[(r0+i)*ldx+p0:], ldx, kc, alpha)
			continue
		}
		x0, x1, x2, x3 := row(i), row(i+1), row(i+2), row(i+3)
		for p := range x0 {
			dp := d[p*w+i : p*w+i+4 : p*w+i+4]
			dp[0], dp[1], dp[2], dp[3] = alpha*x0[p], alpha*x1[p], alpha*x2[p], alpha*x3[p]
		}
	}
	if i < n && i >= 4 && rows4 != nil {
		// The last one to three rows with rows4 too: the four rows that end
		// with them, rewriting one to three rows already packed with the
		// same values, rather than packing them in Go (two of every ten
		// rows for the AVX-512 kernel; measured: see docs/performance.md).
		rows4(d[n-4:], w, x[(r0+n-4)*ldx+p0:], ldx, kc, alpha)
		i = n
	}
	switch n - i {
	case 3:
		x0, x1, x2 := row(i), row(i+1), row(i+2)
		for p := range x0 {
			dp := d[p*w+i : p*w+i+3 : p*w+i+3]
			dp[0], dp[1], dp[2] = alpha*x0[p], alpha*x1[p], alpha*x2[p]
		}
	case 2:
		x0, x1 := row(i), row(i+1)
		for p := range x0 {
			dp := d[p*w+i : p*w+i+2 : p*w+i+2]
			dp[0], dp[1] = alpha*x0[p], alpha*x1[p]
		}
	case 1:
		for p, v := range row(i) {
			d[p*w+i] = alpha * v
		}
	}
	if n < w {
		for p := 0; p < kc; p++ {
			clear(d[p*w+n : p*w+w])
		}
	}
}

// packAcross packs one sliver whose steps are rows p0..p0+kc of x (rows ldx
// apart), each read across columns c0..c0+n: d[p·w+j] = alpha·x[p0+p][c0+j],
// zero for n ≤ j < w.
func packAcross(d, x []float64, ldx, c0, n, p0, kc, w int, alpha float64) {
	d = d[:kc*w]
	for p := 0; p < kc; p++ {
		base := (p0+p)*ldx + c0
		src := x[base : base+n]
		dp := d[p*w : p*w+w]
		for j, v := range src {
			dp[j] = alpha * v
		}
		if n < w {
			clear(dp[n:])
		}
	}
}
