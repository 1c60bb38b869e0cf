//go:build amd64 && !purego

#include "textflag.h"

// The AVX-512F dot-product kernel for C = A·Bᵀ with A and B read along
// their rows (see dot5x5AVX512 in kernel_dot_amd64.go, and dotFn in
// dot.go for the contract):
//
//	out[5·i+j] = Σ_{p<kc} A_i[p]·B_j[p],   0 ≤ i, j < 5.
//
// Register use:
//	R8–R12   the five rows of A; R13, AX, BX, SI, DI the five rows of B
//	DX       byte offset of the current eight p from the row starts
//	CX       loop counter (groups of eight p)
//	Z0–Z24   the accumulators, Z(5i+j) for (i, j): lane l holds the sum of
//	         A_i[p]·B_j[p] over the p ≡ l (mod 8)
//	Z25–Z29  eight values of each A row; Z30, Z31 eight values of a B row
//	K1       the lanes of the last, partial group of p (mask argument)
//
// Each lane takes one fused multiply-add per group of p, in increasing p;
// the eight lanes of an accumulator are then summed in a fixed tree (see
// REDUCE8), so the result depends only on the inputs.

// LOADA loads eight values of the five A rows (LOADAM: under K1, zeroing).
#define LOADA \
	VMOVUPD (R8)(DX*1), Z25; \
	VMOVUPD (R9)(DX*1), Z26; \
	VMOVUPD (R10)(DX*1), Z27; \
	VMOVUPD (R11)(DX*1), Z28; \
	VMOVUPD (R12)(DX*1), Z29

#define LOADAM \
	VMOVUPD.Z (R8)(DX*1), K1, Z25; \
	VMOVUPD.Z (R9)(DX*1), K1, Z26; \
	VMOVUPD.Z (R10)(DX*1), K1, Z27; \
	VMOVUPD.Z (R11)(DX*1), K1, Z28; \
	VMOVUPD.Z (R12)(DX*1), K1, Z29

// COLUMN multiplies the B row values in zb with the five A rows and adds
// the products to the accumulators of column j: c0..c4 = Z(j), Z(5+j), ….
#define COLUMN(zb, c0, c1, c2, c3, c4) \
	VFMADD231PD zb, Z25, c0; \
	VFMADD231PD zb, Z26, c1; \
	VFMADD231PD zb, Z27, c2; \
	VFMADD231PD zb, Z28, c3; \
	VFMADD231PD zb, Z29, c4

// COLUMNS runs COLUMN for the five B rows, loading them with the macro ld.
#define COLUMNS(ld) \
	ld(R13, Z30); \
	COLUMN(Z30, Z0, Z5, Z10, Z15, Z20); \
	ld(AX, Z31); \
	COLUMN(Z31, Z1, Z6, Z11, Z16, Z21); \
	ld(BX, Z30); \
	COLUMN(Z30, Z2, Z7, Z12, Z17, Z22); \
	ld(SI, Z31); \
	COLUMN(Z31, Z3, Z8, Z13, Z18, Z23); \
	ld(DI, Z30); \
	COLUMN(Z30, Z4, Z9, Z14, Z19, Z24)

#define LDB(r, z) VMOVUPD (r)(DX*1), z
#define LDBM(r, z) VMOVUPD.Z (r)(DX*1), K1, z

// PAIR, QUAD and OCT reduce eight accumulators v0..v7 to one vector of
// their sums, in place in v0 (Z25, Z26 scratch): PAIR(a, b) sums the
// neighbouring lanes of a and b and interleaves them, (a0+a1, b0+b1, a2+a3,
// b2+b3, …); QUAD(a, c) and then OCT(a, e) add the 128-bit lanes of two
// such vectors pairwise, so that at the end lane t of v0 is Σ v_t.
#define PAIR(a, b) \
	VUNPCKLPD b, a, Z25; \
	VUNPCKHPD b, a, Z26; \
	VADDPD    Z26, Z25, a

#define HALVES(a, c) \
	VSHUFF64X2 $0x88, c, a, Z25; \
	VSHUFF64X2 $0xDD, c, a, Z26; \
	VADDPD     Z26, Z25, a

#define REDUCE8(v0, v1, v2, v3, v4, v5, v6, v7, off) \
	PAIR(v0, v1); \
	PAIR(v2, v3); \
	PAIR(v4, v5); \
	PAIR(v6, v7); \
	HALVES(v0, v2); \
	HALVES(v4, v6); \
	HALVES(v0, v4); \
	VMOVUPD v0, off(DX)

// func dot5x5AVX512(kc int, rows *[10]*float64, out *[32]float64, mask uint64)
TEXT ·dot5x5AVX512(SB), NOSPLIT, $0-32
	MOVQ   kc+0(FP), CX
	MOVQ   rows+8(FP), DX
	MOVQ   0(DX), R8
	MOVQ   8(DX), R9
	MOVQ   16(DX), R10
	MOVQ   24(DX), R11
	MOVQ   32(DX), R12
	MOVQ   40(DX), R13
	MOVQ   48(DX), AX
	MOVQ   56(DX), BX
	MOVQ   64(DX), SI
	MOVQ   72(DX), DI
	MOVQ   mask+24(FP), DX
	KMOVW  DX, K1
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14
	VPXORQ Z15, Z15, Z15
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
	VPXORQ Z20, Z20, Z20
	VPXORQ Z21, Z21, Z21
	VPXORQ Z22, Z22, Z22
	VPXORQ Z23, Z23, Z23
	VPXORQ Z24, Z24, Z24
	XORQ   DX, DX
	SHRQ   $3, CX
	JZ     tail

loop:
	LOADA
	COLUMNS(LDB)
	ADDQ $64, DX
	DECQ CX
	JNZ  loop

tail:
	KORTESTW K1, K1
	JZ       reduce
	LOADAM
	COLUMNS(LDBM)

reduce:
	MOVQ out+16(FP), DX
	REDUCE8(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, 0)
	REDUCE8(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, 64)
	REDUCE8(Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, 128)

	// The last accumulator alone: add the 256-bit halves, then the
	// 128-bit lanes, then the two values of a lane.
	VSHUFF64X2 $0x4E, Z24, Z24, Z25
	VADDPD     Z25, Z24, Z24
	VSHUFF64X2 $0xB1, Z24, Z24, Z25
	VADDPD     Z25, Z24, Z24
	VPERMILPD  $1, Z24, Z25
	VADDPD     Z25, Z24, Z24
	VMOVSD     X24, 192(DX)
	VZEROUPPER
	RET
