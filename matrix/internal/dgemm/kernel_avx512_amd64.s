//go:build amd64 && !purego

#include "textflag.h"

// AVX-512F micro-kernels; see kernelAVX512x10x16 and the declarations
// after it in kernel_amd64.go for the contract they implement, and
// microKernel in kernel.go for the panel layout.
//
// Register use:
//	SI   packed A sliver, advancing 10·8 = 80 bytes per p
//	DI   B, advancing one row (R8 = ldb·8 bytes) per p; R10 = 3·ldb·8
//	DX   C, advancing one row (R9 = ldc·8 bytes) at a time at the end
//	CX   p loop counter; R11 counts groups of four p
//	Z0–Z19   the accumulators: row i of the tile in Z(2i) (columns 0–7)
//	         and Z(2i+1) (columns 8–15)
//	Z20, Z21 the current row of B (16 values)
//	Z22–Z31  broadcasts of A[i][p], i = 0..9
//	K1   the columns of the last vector that lie inside C (masked kernels)
//
// Each accumulator starts at zero and gets Σ_p A[i][p]·B[p][j] by one fused
// multiply-add per p, in increasing p; the tile is then added to C. The p loop
// runs four steps per iteration, then single steps for the kc mod 4 rest.
// Masked loads and stores never touch memory outside the mask, so a tile at
// the right edge of C (or of an unpacked B) reads and writes nothing beyond it.
// The tile is added to beta·C; with beta = 0 the kernels store it over C
// instead, so that C need not be cleared first (NaNs in it do not survive).

// ROW2 is one row of one p step of a 16-wide tile: broadcast A[i][p] (at ao
// from SI) into bc, and add it times the B row to the row's accumulators.
#define ROW2(ao, bc, acc0, acc1) \
	VBROADCASTSD ao(SI), bc; \
	VFMADD231PD  Z20, bc, acc0; \
	VFMADD231PD  Z21, bc, acc1

#define ROWS2(ao) \
	ROW2((ao), Z22, Z0, Z1); \
	ROW2((ao+8), Z23, Z2, Z3); \
	ROW2((ao+16), Z24, Z4, Z5); \
	ROW2((ao+24), Z25, Z6, Z7); \
	ROW2((ao+32), Z26, Z8, Z9); \
	ROW2((ao+40), Z27, Z10, Z11); \
	ROW2((ao+48), Z28, Z12, Z13); \
	ROW2((ao+56), Z29, Z14, Z15); \
	ROW2((ao+64), Z30, Z16, Z17); \
	ROW2((ao+72), Z31, Z18, Z19)

// STEP16 is one p of the 10×16 kernel, B[p][0..15] at b0 and b1.
#define STEP16(ao, b0, b1) \
	VMOVUPD b0, Z20; \
	VMOVUPD b1, Z21; \
	ROWS2(ao)

// STEP16M is STEP16 with the second B vector loaded under the mask K1
// (zeroing the other lanes).
#define STEP16M(ao, b0, b1) \
	VMOVUPD   b0, Z20; \
	VMOVUPD.Z b1, K1, Z21; \
	ROWS2(ao)

// ROW1 and STEP8M: one p of the 10×8 kernel, B[p][0..7] under the mask K1.
#define ROW1(ao, bc, acc) \
	VBROADCASTSD ao(SI), bc; \
	VFMADD231PD  Z20, bc, acc

#define STEP8M(ao, b0) \
	VMOVUPD.Z b0, K1, Z20; \
	ROW1((ao), Z22, Z0); \
	ROW1((ao+8), Z23, Z1); \
	ROW1((ao+16), Z24, Z2); \
	ROW1((ao+24), Z25, Z3); \
	ROW1((ao+32), Z26, Z4); \
	ROW1((ao+40), Z27, Z5); \
	ROW1((ao+48), Z28, Z6); \
	ROW1((ao+56), Z29, Z7); \
	ROW1((ao+64), Z30, Z8); \
	ROW1((ao+72), Z31, Z9)

// Zeroing the accumulators: VPXORQ of a register with itself.
#define ZERO10 \
	VPXORQ Z0, Z0, Z0; \
	VPXORQ Z1, Z1, Z1; \
	VPXORQ Z2, Z2, Z2; \
	VPXORQ Z3, Z3, Z3; \
	VPXORQ Z4, Z4, Z4; \
	VPXORQ Z5, Z5, Z5; \
	VPXORQ Z6, Z6, Z6; \
	VPXORQ Z7, Z7, Z7; \
	VPXORQ Z8, Z8, Z8; \
	VPXORQ Z9, Z9, Z9

#define ZERO20 \
	ZERO10; \
	VPXORQ Z10, Z10, Z10; \
	VPXORQ Z11, Z11, Z11; \
	VPXORQ Z12, Z12, Z12; \
	VPXORQ Z13, Z13, Z13; \
	VPXORQ Z14, Z14, Z14; \
	VPXORQ Z15, Z15, Z15; \
	VPXORQ Z16, Z16, Z16; \
	VPXORQ Z17, Z17, Z17; \
	VPXORQ Z18, Z18, Z18; \
	VPXORQ Z19, Z19, Z19

// PREFETCHC asks for the cache lines of the C row at R13 (up to 128 bytes,
// spanning at most three lines) and moves R13 to the next row, so that the
// tile is in L1 when the p loop ends.
#define PREFETCHC \
	PREFETCHT0 (R13); \
	PREFETCHT0 64(R13); \
	PREFETCHT0 127(R13); \
	ADDQ       R9, R13

// Adding the accumulators to beta·C, one row of C, and moving DX to the
// next row: ADD16 both vectors, ADD16M the second under K1, ADD8M one
// under K1. beta is broadcast in Z22; beta·C is rounded, then the sum (no
// FMA: with beta = 1 the row gets C + acc, exactly an addition).
#define ADD16(acc0, acc1) \
	VMULPD  (DX), Z22, Z20; \
	VADDPD  Z20, acc0, acc0; \
	VMOVUPD acc0, (DX); \
	VMULPD  64(DX), Z22, Z21; \
	VADDPD  Z21, acc1, acc1; \
	VMOVUPD acc1, 64(DX); \
	ADDQ    R9, DX

#define ADD16M(acc0, acc1) \
	VMULPD    (DX), Z22, Z20; \
	VADDPD    Z20, acc0, acc0; \
	VMOVUPD   acc0, (DX); \
	VMOVUPD.Z 64(DX), K1, Z21; \
	VMULPD    Z21, Z22, Z21; \
	VADDPD    Z21, acc1, acc1; \
	VMOVUPD   acc1, K1, 64(DX); \
	ADDQ      R9, DX

#define ADD8M(acc) \
	VMOVUPD.Z (DX), K1, Z20; \
	VMULPD    Z20, Z22, Z20; \
	VADDPD    Z20, acc, acc; \
	VMOVUPD   acc, K1, (DX); \
	ADDQ      R9, DX

// ISZERO sets the flags for a test of beta against 0: ZF is set when beta
// is +0 or −0 (its bits shifted left by one are zero), and the kernel then
// stores over C instead of reading it.
#define ISZERO \
	MOVQ beta+48(FP), AX; \
	SHLQ $1, AX

// Storing the accumulators over one row of C (when the kernel overwrites C)
// and moving DX to the next row: ST16, ST16M and ST8M as the ADD macros.
#define ST16(acc0, acc1) \
	VMOVUPD acc0, (DX); \
	VMOVUPD acc1, 64(DX); \
	ADDQ    R9, DX

#define ST16M(acc0, acc1) \
	VMOVUPD acc0, (DX); \
	VMOVUPD acc1, K1, 64(DX); \
	ADDQ    R9, DX

#define ST8M(acc) \
	VMOVUPD acc, K1, (DX); \
	ADDQ    R9, DX

// STORE10x2 and STORE10x1 write the ten rows with the macro op.
#define STORE10x2(op) \
	op(Z0, Z1); \
	op(Z2, Z3); \
	op(Z4, Z5); \
	op(Z6, Z7); \
	op(Z8, Z9); \
	op(Z10, Z11); \
	op(Z12, Z13); \
	op(Z14, Z15); \
	op(Z16, Z17); \
	op(Z18, Z19)

#define STORE10x1(op) \
	op(Z0); \
	op(Z1); \
	op(Z2); \
	op(Z3); \
	op(Z4); \
	op(Z5); \
	op(Z6); \
	op(Z7); \
	op(Z8); \
	op(Z9)

// PROLOGUE loads the arguments common to the kernels, prefetches the ten
// rows of C and sets R11 to ⌊kc/4⌋.
#define PROLOGUE \
	MOVQ kc+0(FP), CX; \
	MOVQ a+8(FP), SI; \
	MOVQ b+16(FP), DI; \
	MOVQ ldb+24(FP), R8; \
	MOVQ c+32(FP), DX; \
	MOVQ ldc+40(FP), R9; \
	SHLQ $3, R8; \
	SHLQ $3, R9; \
	LEAQ (R8)(R8*2), R10; \
	MOVQ DX, R13; \
	PREFETCHC; PREFETCHC; PREFETCHC; PREFETCHC; PREFETCHC; \
	PREFETCHC; PREFETCHC; PREFETCHC; PREFETCHC; PREFETCHC; \
	MOVQ CX, R11; \
	SHRQ $2, R11

// func kernel10x16AVX512(kc int, a, b *float64, ldb int, c *float64, ldc int, beta float64)
TEXT ·kernel10x16AVX512(SB), NOSPLIT, $0-56
	PROLOGUE
	ZERO20
	TESTQ R11, R11
	JZ    rest16

loop16:
	STEP16(0, (DI), 64(DI))
	STEP16(80, (DI)(R8*1), 64(DI)(R8*1))
	STEP16(160, (DI)(R8*2), 64(DI)(R8*2))
	STEP16(240, (DI)(R10*1), 64(DI)(R10*1))
	ADDQ $320, SI
	LEAQ (DI)(R8*4), DI
	DECQ R11
	JNZ  loop16

rest16:
	ANDQ $3, CX
	JZ   store16

loop1x16:
	STEP16(0, (DI), 64(DI))
	ADDQ $80, SI
	ADDQ R8, DI
	DECQ CX
	JNZ  loop1x16

store16:
	ISZERO
	JZ           store16set
	VBROADCASTSD beta+48(FP), Z22
	STORE10x2(ADD16)
	VZEROUPPER
	RET

store16set:
	STORE10x2(ST16)
	VZEROUPPER
	RET

// func kernel10x16MaskAVX512(kc int, a, b *float64, ldb int, c *float64, ldc int, beta float64, mask uint64)
//
// As kernel10x16AVX512, for columns 0..7 and those of 8..15 that mask
// (bit j for column 8+j) selects.
TEXT ·kernel10x16MaskAVX512(SB), NOSPLIT, $0-64
	PROLOGUE
	MOVQ  mask+56(FP), AX
	KMOVW AX, K1
	ZERO20
	TESTQ R11, R11
	JZ    rest16m

loop16m:
	STEP16M(0, (DI), 64(DI))
	STEP16M(80, (DI)(R8*1), 64(DI)(R8*1))
	STEP16M(160, (DI)(R8*2), 64(DI)(R8*2))
	STEP16M(240, (DI)(R10*1), 64(DI)(R10*1))
	ADDQ $320, SI
	LEAQ (DI)(R8*4), DI
	DECQ R11
	JNZ  loop16m

rest16m:
	ANDQ $3, CX
	JZ   store16m

loop1x16m:
	STEP16M(0, (DI), 64(DI))
	ADDQ $80, SI
	ADDQ R8, DI
	DECQ CX
	JNZ  loop1x16m

store16m:
	ISZERO
	JZ           store16mset
	VBROADCASTSD beta+48(FP), Z22
	STORE10x2(ADD16M)
	VZEROUPPER
	RET

store16mset:
	STORE10x2(ST16M)
	VZEROUPPER
	RET

// func kernel10x8MaskAVX512(kc int, a, b *float64, ldb int, c *float64, ldc int, beta float64, mask uint64)
//
// The columns of 0..7 that mask selects (bit j for column j) of a 10-row
// tile: the right edge of C when at most eight columns are left.
TEXT ·kernel10x8MaskAVX512(SB), NOSPLIT, $0-64
	PROLOGUE
	MOVQ  mask+56(FP), AX
	KMOVW AX, K1
	ZERO10
	TESTQ R11, R11
	JZ    rest8m

loop8m:
	STEP8M(0, (DI))
	STEP8M(80, (DI)(R8*1))
	STEP8M(160, (DI)(R8*2))
	STEP8M(240, (DI)(R10*1))
	ADDQ $320, SI
	LEAQ (DI)(R8*4), DI
	DECQ R11
	JNZ  loop8m

rest8m:
	ANDQ $3, CX
	JZ   store8m

loop1x8m:
	STEP8M(0, (DI))
	ADDQ $80, SI
	ADDQ R8, DI
	DECQ CX
	JNZ  loop1x8m

store8m:
	ISZERO
	JZ           store8mset
	VBROADCASTSD beta+48(FP), Z22
	STORE10x1(ADD8M)
	VZEROUPPER
	RET

store8mset:
	STORE10x1(ST8M)
	VZEROUPPER
	RET

// func packAcrossAVX512(kc int, dst, src *float64, lds, w, ns int, alpha float64, mask uint64)
//
// dst[s*kc*w + p*w + j] = alpha·src[p*lds + s*w + j] for p < kc, s < ns,
// j < w (kc, w, ns ≥ 1): as packAcrossAVX2, for any sliver width. Each
// sliver's line of w values is moved in ⌈w/8⌉ vectors, the last under the
// mask K1 of its lanes (mask: bit l for lane l).
TEXT ·packAcrossAVX512(SB), NOSPLIT, $0-64
	MOVQ         kc+0(FP), CX
	MOVQ         dst+8(FP), DI
	MOVQ         src+16(FP), SI
	MOVQ         lds+24(FP), R8
	MOVQ         w+32(FP), R10
	MOVQ         ns+40(FP), R12
	VBROADCASTSD alpha+48(FP), Z31
	MOVQ         mask+56(FP), AX
	KMOVW        AX, K1
	LEAQ         -1(R10), R14
	SHRQ         $3, R14             // whole vectors before the last one
	SHLQ         $3, R8              // lds in bytes
	SHLQ         $3, R10             // w in bytes
	MOVQ         R10, R13
	IMULQ        CX, R13             // sliver in bytes: kc·w·8

xrow:
	MOVQ SI, AX                      // source cursor along row p
	MOVQ DI, BX                      // step p of sliver s
	MOVQ R12, R9

xsliver:
	XORQ  DX, DX
	MOVQ  R14, R11
	TESTQ R11, R11
	JZ    xlast

xvec:
	VMULPD  (AX)(DX*1), Z31, Z0
	VMOVUPD Z0, (BX)(DX*1)
	ADDQ    $64, DX
	DECQ    R11
	JNZ     xvec

xlast:
	VMOVUPD.Z (AX)(DX*1), K1, Z0
	VMULPD    Z0, Z31, Z0
	VMOVUPD   Z0, K1, (BX)(DX*1)
	ADDQ      R10, AX
	ADDQ      R13, BX
	DECQ      R9
	JNZ       xsliver
	ADDQ      R8, SI
	ADDQ      R10, DI
	DECQ      CX
	JNZ       xrow
	VZEROUPPER
	RET
