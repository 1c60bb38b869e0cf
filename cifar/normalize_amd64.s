//go:build amd64 && !purego

#include "textflag.h"

// The normalisation kernels: x[j] = fastValue(pix[j], mean[j], std[j],
// recip[j]) for j < n (pixels.go), the same six operations lane by lane, each
// correctly rounded, so that every lane gives the bits of the scalar formula:
//
//	x = float64(v)                 VPMOVZXBD (byte → int32), VCVTDQ2PD (exact)
//	p = RN(x·hi + RN(x·lo))        VMULPD, VFMADD231PD   (= v/255 rounded)
//	d = RN(p − μ)                  VSUBPD
//	q = RN(d·r)                    VMULPD
//	e = RN(d − q·σ)                VFNMADD231PD
//	y = RN(q + e·r)                VFMADD231PD           (= d/σ rounded)
//
// Registers: DI x, SI pix, BX n, R8 mean, R9 std, R10 recip, AX the index j;
// hi and lo broadcast in Z30/Z31 (AVX-512) or Y14/Y15 (AVX2). Per eight
// values the AVX-512 kernel loads 8 bytes and three vectors of statistics,
// does five multiplications or FMAs, and stores a vector: a few cycles per
// image's cache line of output, well under what memory takes to accept it.

// NORM8 normalises the eight values at j+boff: YB/ZB holds x, then r (x is
// dead by then), ZP p, d and e, ZQ q and y. foff = 8·boff.
#define NORM8(boff, foff, YB, ZB, ZP, ZQ) \
	VPMOVZXBD    boff(SI)(AX*1), YB; \
	VCVTDQ2PD    YB, ZB; \
	VMULPD       Z31, ZB, ZP; \
	VFMADD231PD  Z30, ZB, ZP; \
	VSUBPD       foff(R8)(AX*8), ZP, ZP; \
	VMOVUPD      foff(R10)(AX*8), ZB; \
	VMULPD       ZB, ZP, ZQ; \
	VFNMADD231PD foff(R9)(AX*8), ZQ, ZP; \
	VFMADD231PD  ZB, ZP, ZQ; \
	VMOVUPD      ZQ, foff(DI)(AX*8)

// func normalizeAVX512(x *float64, pix *byte, n int, mean, std, recip *float64, hi, lo float64)
TEXT ·normalizeAVX512(SB), NOSPLIT, $0-64
	MOVQ         x+0(FP), DI
	MOVQ         pix+8(FP), SI
	MOVQ         n+16(FP), BX
	MOVQ         mean+24(FP), R8
	MOVQ         std+32(FP), R9
	MOVQ         recip+40(FP), R10
	VBROADCASTSD hi+48(FP), Z30
	VBROADCASTSD lo+56(FP), Z31
	XORQ         AX, AX

	// 32 values per iteration, in four independent chains.
	MOVQ BX, DX
	ANDQ $-32, DX
	JZ   by8

loop32:
	NORM8(0, 0, Y0, Z0, Z1, Z2)
	NORM8(8, 64, Y3, Z3, Z4, Z5)
	NORM8(16, 128, Y6, Z6, Z7, Z8)
	NORM8(24, 192, Y9, Z9, Z10, Z11)
	ADDQ $32, AX
	CMPQ AX, DX
	JLT  loop32

	// Then eight at a time.
by8:
	MOVQ BX, DX
	ANDQ $-8, DX

loop8:
	CMPQ AX, DX
	JGE  tail
	NORM8(0, 0, Y0, Z0, Z1, Z2)
	ADDQ $8, AX
	JMP  loop8

	// The last n mod 8 values under the mask K1 = 2^(n−j) − 1: masked-off
	// bytes and statistics are neither read (no fault past the end) nor
	// written, and compute as 0.
tail:
	MOVQ  BX, CX
	SUBQ  AX, CX
	JZ    done
	MOVL  $1, DX
	SHLL  CX, DX
	DECL  DX
	KMOVW DX, K1

	VPMOVZXBD.Z  (SI)(AX*1), K1, Z0
	VCVTDQ2PD    Y0, Z0
	VMULPD       Z31, Z0, Z1
	VFMADD231PD  Z30, Z0, Z1
	VMOVUPD.Z    (R8)(AX*8), K1, Z2
	VSUBPD       Z2, Z1, Z1
	VMOVUPD.Z    (R10)(AX*8), K1, Z0
	VMULPD       Z0, Z1, Z2
	VMOVUPD.Z    (R9)(AX*8), K1, Z3
	VFNMADD231PD Z3, Z2, Z1
	VFMADD231PD  Z0, Z1, Z2
	VMOVUPD      Z2, K1, (DI)(AX*8)

done:
	VZEROUPPER
	RET

// DIV8 is NORM8 with the division itself, in the CPU's divider: d/σ in one
// VDIVPD, correctly rounded in each lane as the scalar division is. It
// reads μ and σ (16 bytes a value) where NORM8 reads μ, σ and 1/σ (24).
#define DIV8(boff, foff, YB, ZB, ZP) \
	VPMOVZXBD   boff(SI)(AX*1), YB; \
	VCVTDQ2PD   YB, ZB; \
	VMULPD      Z31, ZB, ZP; \
	VFMADD231PD Z30, ZB, ZP; \
	VSUBPD      foff(R8)(AX*8), ZP, ZP; \
	VDIVPD      foff(R9)(AX*8), ZP, ZP; \
	VMOVUPD     ZP, foff(DI)(AX*8)

// func normalizeDivAVX512(x *float64, pix *byte, n int, mean, std, recip *float64, hi, lo float64)
TEXT ·normalizeDivAVX512(SB), NOSPLIT, $0-64
	MOVQ         x+0(FP), DI
	MOVQ         pix+8(FP), SI
	MOVQ         n+16(FP), BX
	MOVQ         mean+24(FP), R8
	MOVQ         std+32(FP), R9
	VBROADCASTSD hi+48(FP), Z30
	VBROADCASTSD lo+56(FP), Z31
	XORQ         AX, AX

	MOVQ BX, DX
	ANDQ $-32, DX
	JZ   by8

loop32:
	DIV8(0, 0, Y0, Z0, Z1)
	DIV8(8, 64, Y2, Z2, Z3)
	DIV8(16, 128, Y4, Z4, Z5)
	DIV8(24, 192, Y6, Z6, Z7)
	ADDQ $32, AX
	CMPQ AX, DX
	JLT  loop32

by8:
	MOVQ BX, DX
	ANDQ $-8, DX

loop8:
	CMPQ AX, DX
	JGE  tail
	DIV8(0, 0, Y0, Z0, Z1)
	ADDQ $8, AX
	JMP  loop8

	// The last n mod 8 values under the mask K1, as in normalizeAVX512;
	// the masked-off lanes are not computed at all.
tail:
	MOVQ  BX, CX
	SUBQ  AX, CX
	JZ    done
	MOVL  $1, DX
	SHLL  CX, DX
	DECL  DX
	KMOVW DX, K1

	VPMOVZXBD.Z (SI)(AX*1), K1, Z0
	VCVTDQ2PD   Y0, Z0
	VMULPD      Z31, Z0, Z1
	VFMADD231PD Z30, Z0, Z1
	VSUBPD.Z    (R8)(AX*8), Z1, K1, Z1
	VDIVPD.Z    (R9)(AX*8), Z1, K1, Z1
	VMOVUPD     Z1, K1, (DI)(AX*8)

done:
	VZEROUPPER
	RET

// NORM4 is NORM8 on four values in YMM registers (XB is YB's lower half).
#define NORM4(boff, foff, XB, YB, YP, YQ) \
	VPMOVZXBD    boff(SI)(AX*1), XB; \
	VCVTDQ2PD    XB, YB; \
	VMULPD       Y15, YB, YP; \
	VFMADD231PD  Y14, YB, YP; \
	VSUBPD       foff(R8)(AX*8), YP, YP; \
	VMOVUPD      foff(R10)(AX*8), YB; \
	VMULPD       YB, YP, YQ; \
	VFNMADD231PD foff(R9)(AX*8), YQ, YP; \
	VFMADD231PD  YB, YP, YQ; \
	VMOVUPD      YQ, foff(DI)(AX*8)

// func normalizeAVX2(x *float64, pix *byte, n int, mean, std, recip *float64, hi, lo float64)
TEXT ·normalizeAVX2(SB), NOSPLIT, $0-64
	MOVQ         x+0(FP), DI
	MOVQ         pix+8(FP), SI
	MOVQ         n+16(FP), BX
	MOVQ         mean+24(FP), R8
	MOVQ         std+32(FP), R9
	MOVQ         recip+40(FP), R10
	VBROADCASTSD hi+48(FP), Y14
	VBROADCASTSD lo+56(FP), Y15
	XORQ         AX, AX

	// 16 values per iteration, in four independent chains.
	MOVQ BX, DX
	ANDQ $-16, DX
	JZ   by4

loop16:
	NORM4(0, 0, X0, Y0, Y1, Y2)
	NORM4(4, 32, X3, Y3, Y4, Y5)
	NORM4(8, 64, X6, Y6, Y7, Y8)
	NORM4(12, 96, X9, Y9, Y10, Y11)
	ADDQ $16, AX
	CMPQ AX, DX
	JLT  loop16

	// Then four at a time.
by4:
	MOVQ BX, DX
	ANDQ $-4, DX

loop4:
	CMPQ AX, DX
	JGE  tail
	NORM4(0, 0, X0, Y0, Y1, Y2)
	ADDQ $4, AX
	JMP  loop4

	// The last n mod 4 values one at a time, with the scalar forms of the
	// same instructions (the lowest lane of Y14 and Y15 holds hi and lo).
tail:
	CMPQ         AX, BX
	JGE          done
	MOVBLZX      (SI)(AX*1), DX
	VCVTSI2SDL   DX, X0, X0
	VMULSD       X15, X0, X1
	VFMADD231SD  X14, X0, X1
	VSUBSD       (R8)(AX*8), X1, X1
	VMOVSD       (R10)(AX*8), X0
	VMULSD       X0, X1, X2
	VFNMADD231SD (R9)(AX*8), X2, X1
	VFMADD231SD  X0, X1, X2
	VMOVSD       X2, (DI)(AX*8)
	INCQ         AX
	JMP          tail

done:
	VZEROUPPER
	RET

// The statistics kernels (images.go's ComputeStats), in AVX2: for a row of
// bytes, acc[j] = RN(acc[j] + p) or acc[j] = RN(acc[j] + RN(d·d)) with
// d = RN(p − μ_j), p = v_j/255 computed as above; each lane is one feature,
// so each feature's sum runs over the images in order, as in Go. They are
// bound by reading the bytes from memory, for which AVX2 suffices.

// SUM4 adds the four values at j+boff to acc (DI).
#define SUM4(boff, foff, XB, YB, YP) \
	VPMOVZXBD   boff(SI)(AX*1), XB; \
	VCVTDQ2PD   XB, YB; \
	VMULPD      Y15, YB, YP; \
	VFMADD231PD Y14, YB, YP; \
	VADDPD      foff(DI)(AX*8), YP, YP; \
	VMOVUPD     YP, foff(DI)(AX*8)

// func sumPixelsAVX2(acc *float64, pix *byte, n int, hi, lo float64)
TEXT ·sumPixelsAVX2(SB), NOSPLIT, $0-40
	MOVQ         acc+0(FP), DI
	MOVQ         pix+8(FP), SI
	MOVQ         n+16(FP), BX
	VBROADCASTSD hi+24(FP), Y14
	VBROADCASTSD lo+32(FP), Y15
	XORQ         AX, AX
	MOVQ         BX, DX
	ANDQ         $-16, DX
	JZ           tail

loop16:
	SUM4(0, 0, X0, Y0, Y1)
	SUM4(4, 32, X2, Y2, Y3)
	SUM4(8, 64, X4, Y4, Y5)
	SUM4(12, 96, X6, Y6, Y7)
	ADDQ $16, AX
	CMPQ AX, DX
	JLT  loop16

tail:
	CMPQ        AX, BX
	JGE         done
	MOVBLZX     (SI)(AX*1), DX
	VCVTSI2SDL  DX, X0, X0
	VMULSD      X15, X0, X1
	VFMADD231SD X14, X0, X1
	VADDSD      (DI)(AX*8), X1, X1
	VMOVSD      X1, (DI)(AX*8)
	INCQ        AX
	JMP         tail

done:
	VZEROUPPER
	RET

// SQ4 adds the squares of the four deviations at j+boff to acc (DI).
#define SQ4(boff, foff, XB, YB, YP) \
	VPMOVZXBD   boff(SI)(AX*1), XB; \
	VCVTDQ2PD   XB, YB; \
	VMULPD      Y15, YB, YP; \
	VFMADD231PD Y14, YB, YP; \
	VSUBPD      foff(R8)(AX*8), YP, YP; \
	VMULPD      YP, YP, YP; \
	VADDPD      foff(DI)(AX*8), YP, YP; \
	VMOVUPD     YP, foff(DI)(AX*8)

// func sumSquaresAVX2(acc *float64, pix *byte, n int, mean *float64, hi, lo float64)
TEXT ·sumSquaresAVX2(SB), NOSPLIT, $0-48
	MOVQ         acc+0(FP), DI
	MOVQ         pix+8(FP), SI
	MOVQ         n+16(FP), BX
	MOVQ         mean+24(FP), R8
	VBROADCASTSD hi+32(FP), Y14
	VBROADCASTSD lo+40(FP), Y15
	XORQ         AX, AX
	MOVQ         BX, DX
	ANDQ         $-16, DX
	JZ           tail

loop16:
	SQ4(0, 0, X0, Y0, Y1)
	SQ4(4, 32, X2, Y2, Y3)
	SQ4(8, 64, X4, Y4, Y5)
	SQ4(12, 96, X6, Y6, Y7)
	ADDQ $16, AX
	CMPQ AX, DX
	JLT  loop16

tail:
	CMPQ        AX, BX
	JGE         done
	MOVBLZX     (SI)(AX*1), DX
	VCVTSI2SDL  DX, X0, X0
	VMULSD      X15, X0, X1
	VFMADD231SD X14, X0, X1
	VSUBSD      (R8)(AX*8), X1, X1
	VMULSD      X1, X1, X1
	VADDSD      (DI)(AX*8), X1, X1
	VMOVSD      X1, (DI)(AX*8)
	INCQ        AX
	JMP         tail

done:
	VZEROUPPER
	RET
