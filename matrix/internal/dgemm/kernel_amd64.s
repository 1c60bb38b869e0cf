//go:build amd64 && !purego

#include "textflag.h"

// The AVX2 + FMA micro-kernel; see kernel_amd64.go for the contract it
// implements and microKernel in kernel.go for the panel layout.
//
// Register use:
//	SI   packed A panel, advancing mr·8 bytes per p
//	DI   packed B panel, advancing nr·8 bytes per p
//	DX   C, advancing one row (R8 = ldc·8 bytes) at a time at the end
//	CX   p loop counter; R9 counts groups of four p
//	Y0–Y11  the twelve accumulators (the mr×nr tile, four columns per register)
//	Y12–Y15 the current row of the B panel and broadcasts of A[i][p]
//
// Each accumulator starts at zero and gets Σ_p A[i][p]·B[p][j] by one fused
// multiply-add per p, in increasing p; the tile is then added to beta·C (or,
// with beta = 0, stored over C). The p loop
// runs four steps per iteration, then single steps for the kc mod 4 rest.

// STEP4x12 is one p of the 4×12 kernel: ao and bo are the byte offsets of
// A[·][p] and B[p][·] from SI and DI. 3 loads of B, 4 broadcasts, 12 FMAs.
#define STEP4x12(ao, bo) \
	VMOVUPD      (bo)(DI), Y12; \
	VMOVUPD      (bo+32)(DI), Y13; \
	VMOVUPD      (bo+64)(DI), Y14; \
	VBROADCASTSD (ao)(SI), Y15; \
	VFMADD231PD  Y12, Y15, Y0; \
	VFMADD231PD  Y13, Y15, Y1; \
	VFMADD231PD  Y14, Y15, Y2; \
	VBROADCASTSD (ao+8)(SI), Y15; \
	VFMADD231PD  Y12, Y15, Y3; \
	VFMADD231PD  Y13, Y15, Y4; \
	VFMADD231PD  Y14, Y15, Y5; \
	VBROADCASTSD (ao+16)(SI), Y15; \
	VFMADD231PD  Y12, Y15, Y6; \
	VFMADD231PD  Y13, Y15, Y7; \
	VFMADD231PD  Y14, Y15, Y8; \
	VBROADCASTSD (ao+24)(SI), Y15; \
	VFMADD231PD  Y12, Y15, Y9; \
	VFMADD231PD  Y13, Y15, Y10; \
	VFMADD231PD  Y14, Y15, Y11

#define ZERO12 \
	VXORPD Y0, Y0, Y0; \
	VXORPD Y1, Y1, Y1; \
	VXORPD Y2, Y2, Y2; \
	VXORPD Y3, Y3, Y3; \
	VXORPD Y4, Y4, Y4; \
	VXORPD Y5, Y5, Y5; \
	VXORPD Y6, Y6, Y6; \
	VXORPD Y7, Y7, Y7; \
	VXORPD Y8, Y8, Y8; \
	VXORPD Y9, Y9, Y9; \
	VXORPD Y10, Y10, Y10; \
	VXORPD Y11, Y11, Y11

// PREFETCHC96 asks for the cache lines of one row of the C tile (96 bytes
// from DX plus the index ix) at the start of the kernel: the kernel only
// reads C after its p loop, and by then the lines are in L1 instead of L2,
// L3 or memory. Offsets 0, 48 and 88 touch every line that 96 bytes can span.
#define PREFETCHC96(ix) \
	PREFETCHT0 (DX)(ix); \
	PREFETCHT0 48(DX)(ix); \
	PREFETCHT0 88(DX)(ix)

// ADDTO adds the accumulator r to beta·C, the four values of C at off(DX)
// times beta (in Y12): beta·C rounded, then the sum (no FMA).
#define ADDTO(r, off) \
	VMULPD  (off)(DX), Y12, Y13; \
	VADDPD  Y13, r, r; \
	VMOVUPD r, (off)(DX)

// STTO stores the accumulator r over the four values of C at off(DX).
#define STTO(r, off) \
	VMOVUPD r, (off)(DX)

// STORE4x12 writes the four rows of the tile with the macro op.
#define STORE4x12(op) \
	op(Y0, 0); \
	op(Y1, 32); \
	op(Y2, 64); \
	ADDQ R8, DX; \
	op(Y3, 0); \
	op(Y4, 32); \
	op(Y5, 64); \
	ADDQ R8, DX; \
	op(Y6, 0); \
	op(Y7, 32); \
	op(Y8, 64); \
	ADDQ R8, DX; \
	op(Y9, 0); \
	op(Y10, 32); \
	op(Y11, 64)

// func kernel4x12AVX2(kc int, a, b, c *float64, ldc int, beta float64)
TEXT ·kernel4x12AVX2(SB), NOSPLIT, $0-48
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $3, R8
	LEAQ (R8)(R8*2), R10
	XORQ R12, R12
	PREFETCHC96(R12*1)
	PREFETCHC96(R8*1)
	PREFETCHC96(R8*2)
	PREFETCHC96(R10*1)
	ZERO12
	MOVQ CX, R9
	SHRQ $2, R9
	JZ   rest4x12

loop4x12:
	STEP4x12(0, 0)
	STEP4x12(32, 96)
	STEP4x12(64, 192)
	STEP4x12(96, 288)
	ADDQ $128, SI
	ADDQ $384, DI
	DECQ R9
	JNZ  loop4x12

rest4x12:
	ANDQ $3, CX
	JZ   store4x12

loop1x12:
	STEP4x12(0, 0)
	ADDQ $32, SI
	ADDQ $96, DI
	DECQ CX
	JNZ  loop1x12

store4x12:
	MOVQ         beta+40(FP), AX
	SHLQ         $1, AX
	JZ           store4x12set
	VBROADCASTSD beta+40(FP), Y12
	STORE4x12(ADDTO)
	VZEROUPPER
	RET

store4x12set:
	STORE4x12(STTO)
	VZEROUPPER
	RET

// Packing helpers for the AVX2 kernels; see packRows4 and packPanelAcross
// in kernel_amd64.go.

// func packRows4AVX2(kc int, dst *float64, ldd int, src *float64, lds int, alpha float64)
//
// dst[p*ldd+i] = alpha·src[i*lds+p] for p < kc, i < 4: four rows of the
// source become kc groups of four. Four p at a time: load a 4×4 block (one
// YMM per source row), transpose it in registers, scale, store four YMMs.
// The same columns of the next four rows are prefetched (a hint, which never
// faults): the packing code packs the rows of a sliver four by four, and
// with images as rows the rows are far apart in memory, so that the hardware
// prefetcher does not see the next group coming (measured: see
// docs/performance.md).
TEXT ·packRows4AVX2(SB), NOSPLIT, $0-48
	MOVQ         kc+0(FP), CX
	MOVQ         dst+8(FP), DI
	MOVQ         ldd+16(FP), R13
	MOVQ         src+24(FP), SI
	MOVQ         lds+32(FP), R8
	VBROADCASTSD alpha+40(FP), Y15
	SHLQ         $3, R13             // ldd in bytes
	SHLQ         $3, R8              // lds in bytes
	LEAQ         (R13)(R13*2), R14   // 3·ldd bytes
	LEAQ         (R8)(R8*2), R9      // 3·lds bytes
	LEAQ         (SI)(R8*4), R12     // the four rows below, for prefetching
	MOVQ         CX, R10
	SHRQ         $2, R10
	JZ           rest

loop4:
	VMOVUPD    (SI), Y0              // a0 a1 a2 a3  (row 0, p..p+3)
	VMOVUPD    (SI)(R8*1), Y1        // b0 b1 b2 b3
	VMOVUPD    (SI)(R8*2), Y2        // c0 c1 c2 c3
	VMOVUPD    (SI)(R9*1), Y3        // d0 d1 d2 d3
	VUNPCKLPD  Y1, Y0, Y4            // a0 b0 a2 b2
	VUNPCKHPD  Y1, Y0, Y5            // a1 b1 a3 b3
	VUNPCKLPD  Y3, Y2, Y6            // c0 d0 c2 d2
	VUNPCKHPD  Y3, Y2, Y7            // c1 d1 c3 d3
	VPERM2F128 $0x20, Y6, Y4, Y0     // a0 b0 c0 d0
	VPERM2F128 $0x20, Y7, Y5, Y1     // a1 b1 c1 d1
	VPERM2F128 $0x31, Y6, Y4, Y2     // a2 b2 c2 d2
	VPERM2F128 $0x31, Y7, Y5, Y3     // a3 b3 c3 d3
	VMULPD     Y15, Y0, Y0
	VMULPD     Y15, Y1, Y1
	VMULPD     Y15, Y2, Y2
	VMULPD     Y15, Y3, Y3
	VMOVUPD    Y0, (DI)
	VMOVUPD    Y1, (DI)(R13*1)
	VMOVUPD    Y2, (DI)(R13*2)
	VMOVUPD    Y3, (DI)(R14*1)
	PREFETCHT0 (R12)
	PREFETCHT0 (R12)(R8*1)
	PREFETCHT0 (R12)(R8*2)
	PREFETCHT0 (R12)(R9*1)
	ADDQ       $32, R12
	ADDQ       $32, SI
	LEAQ       (DI)(R13*4), DI
	DECQ       R10
	JNZ        loop4

rest:
	ANDQ $3, CX
	JZ   done

loop1:
	VMOVSD (SI), X0
	VMOVSD (SI)(R8*1), X1
	VMOVSD (SI)(R8*2), X2
	VMOVSD (SI)(R9*1), X3
	VMULSD X15, X0, X0
	VMULSD X15, X1, X1
	VMULSD X15, X2, X2
	VMULSD X15, X3, X3
	VMOVSD X0, (DI)
	VMOVSD X1, 8(DI)
	VMOVSD X2, 16(DI)
	VMOVSD X3, 24(DI)
	ADDQ   $8, SI
	ADDQ   R13, DI
	DECQ   CX
	JNZ    loop1

done:
	VZEROUPPER
	RET

// func packAcrossAVX2(kc int, dst *float64, src *float64, lds int, w4 int, ns int, alpha float64)
//
// dst[s*kc*w + p*w + j] = alpha·src[p*lds + s*w + j] for p < kc, s < ns,
// j < w = 4·w4: ns whole slivers at once, one source row p after another,
// so that the source is read sequentially (the order that hardware
// prefetching follows) while the stores fill ns·w values of the slivers.
TEXT ·packAcrossAVX2(SB), NOSPLIT, $0-56
	MOVQ         kc+0(FP), CX
	MOVQ         dst+8(FP), DI
	MOVQ         src+16(FP), SI
	MOVQ         lds+24(FP), R8
	MOVQ         w4+32(FP), R11
	MOVQ         ns+40(FP), R12
	VBROADCASTSD alpha+48(FP), Y15
	TESTQ        CX, CX
	JZ           adone
	TESTQ        R11, R11
	JZ           adone
	TESTQ        R12, R12
	JZ           adone
	SHLQ         $3, R8              // lds in bytes
	MOVQ         R11, R14
	SHLQ         $5, R14             // w in bytes
	MOVQ         R14, R13
	IMULQ        CX, R13             // sliver in bytes: kc·w·8

arow:
	MOVQ SI, AX                      // source cursor along row p
	MOVQ DI, BX                      // step p of sliver s
	MOVQ R12, R9

asliver:
	XORQ DX, DX
	MOVQ R11, R10

avec:
	VMOVUPD (AX)(DX*1), Y0
	VMULPD  Y15, Y0, Y0
	VMOVUPD Y0, (BX)(DX*1)
	ADDQ    $32, DX
	DECQ    R10
	JNZ     avec
	ADDQ    R14, AX
	ADDQ    R13, BX
	DECQ    R9
	JNZ     asliver
	ADDQ    R8, SI
	ADDQ    R14, DI
	DECQ    CX
	JNZ     arow

adone:
	VZEROUPPER
	RET
