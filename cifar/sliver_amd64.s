//go:build amd64 && !purego

#include "textflag.h"

// sliverAVX512 normalises eight images into a sliver of a matrix product's
// packed operand: eight values of one image per register, computed lane by
// lane as normalizeAVX512 computes them (fastValue, the same operations in
// the same order), then an 8×8 transpose in registers turns the eight
// images' values of eight features into eight registers of one feature's
// value in the eight images, each stored as (half) a row of the sliver:
//
//	x = float64(v)                 VPMOVZXBQ (byte → int64), VPORQ 2^52's
//	                               bits, VSUBPD 2^52 (exact: 2^52 + v − 2^52)
//	p = RN(x·hi + RN(x·lo))        VMULPD, VFMADD231PD   (= v/255 rounded)
//	d = RN(p − μ)                  VSUBPD
//	q = RN(d·r)                    VMULPD
//	e = RN(d − q·σ)                VFNMADD231PD
//	y = RN(q + e·r)                VFMADD231PD           (= d/σ rounded)
//
// The statistics of eight features are loaded once for the eight images.
// The bytes of the next sliver's images (w further on) are prefetched
// first: each image's k block is a few cache lines of its own, new to the
// caches, and the product uses this sliver for several micro-kernel calls
// before it reads the next (docs/performance.md, "Normalising into the
// packed sliver").
//
// Registers: SI pix (image r's byte j at r·3072(SI)(AX*1)), DI dst, BX the
// sliver's row stride in bytes (8·w), R8 mean, R9 std, R10 recip, AX the
// feature j, CX kc, R13 kc rounded down to 8 (then the mask's bits); DX and
// R11 the sliver's rows j and j+4 (R11 first the next sliver's bytes, for
// the prefetch), R12 3·BX. Z0–Z7 the eight images' values
// (x, then q and y), Z8–Z15 their p, d and e; Z16–Z23 the transpose; Z26
// 2^52; Z27 μ, Z28 σ, Z29 r; Z30 hi, Z31 lo.

// ROW8 loads image r's bytes j..j+7 (at off) and computes their eight
// values into ZY, using ZP as scratch; ROW8MASKED the same under the mask
// K1: masked-off bytes are not read at all and compute as 0.
#define ROW8(off, ZY, ZP) \
	VPMOVZXBQ    off(SI)(AX*1), ZY; \
	VALUES8(ZY, ZP)

#define ROW8MASKED(off, ZY, ZP) \
	VPMOVZXBQ.Z  off(SI)(AX*1), K1, ZY; \
	VALUES8(ZY, ZP)

#define VALUES8(ZY, ZP) \
	VPORQ        Z26, ZY, ZY; \
	VSUBPD       Z26, ZY, ZY; \
	VMULPD       Z31, ZY, ZP; \
	VFMADD231PD  Z30, ZY, ZP; \
	VSUBPD       Z27, ZP, ZP; \
	VMULPD       Z29, ZP, ZY; \
	VFNMADD231PD Z28, ZY, ZP; \
	VFMADD231PD  Z29, ZP, ZY

// IMAGES8 computes the eight images' values with row, ROW8 or ROW8MASKED:
// image r's bytes at r·3072, its values into Zr, Z(8+r) as scratch.
#define IMAGES8(row) \
	row(0, Z0, Z8); \
	row(3072, Z1, Z9); \
	row(6144, Z2, Z10); \
	row(9216, Z3, Z11); \
	row(12288, Z4, Z12); \
	row(15360, Z5, Z13); \
	row(18432, Z6, Z14); \
	row(21504, Z7, Z15)

// TRANSPOSE turns Z0–Z7 (row r = image r, lane q = feature q) into the
// columns: feature q of images 0–7 in Z16+perm(q), where feature 0 is in
// Z16, 4 in Z17, 2 in Z18, 6 in Z19, 1 in Z20, 5 in Z21, 3 in Z22, 7 in Z23.
// Pairs of images are interleaved (VUNPCKLPD/HPD), then 128- and 256-bit
// lanes are gathered across pairs (VSHUFF64X2 0x88 takes lanes 0 and 2 of
// each source, 0xDD lanes 1 and 3).
#define TRANSPOSE \
	VUNPCKLPD  Z1, Z0, Z8; \
	VUNPCKHPD  Z1, Z0, Z9; \
	VUNPCKLPD  Z3, Z2, Z10; \
	VUNPCKHPD  Z3, Z2, Z11; \
	VUNPCKLPD  Z5, Z4, Z12; \
	VUNPCKHPD  Z5, Z4, Z13; \
	VUNPCKLPD  Z7, Z6, Z14; \
	VUNPCKHPD  Z7, Z6, Z15; \
	VSHUFF64X2 $0x88, Z10, Z8, Z0; \
	VSHUFF64X2 $0xDD, Z10, Z8, Z1; \
	VSHUFF64X2 $0x88, Z11, Z9, Z2; \
	VSHUFF64X2 $0xDD, Z11, Z9, Z3; \
	VSHUFF64X2 $0x88, Z14, Z12, Z4; \
	VSHUFF64X2 $0xDD, Z14, Z12, Z5; \
	VSHUFF64X2 $0x88, Z15, Z13, Z6; \
	VSHUFF64X2 $0xDD, Z15, Z13, Z7; \
	VSHUFF64X2 $0x88, Z4, Z0, Z16; \
	VSHUFF64X2 $0xDD, Z4, Z0, Z17; \
	VSHUFF64X2 $0x88, Z5, Z1, Z18; \
	VSHUFF64X2 $0xDD, Z5, Z1, Z19; \
	VSHUFF64X2 $0x88, Z6, Z2, Z20; \
	VSHUFF64X2 $0xDD, Z6, Z2, Z21; \
	VSHUFF64X2 $0x88, Z7, Z3, Z22; \
	VSHUFF64X2 $0xDD, Z7, Z3, Z23

// func sliverAVX512(dst *float64, w int, pix *byte, kc int, mean, std, recip *float64, hi, lo float64)
TEXT ·sliverAVX512(SB), NOSPLIT, $0-72
	MOVQ         dst+0(FP), DI
	MOVQ         w+8(FP), BX
	SHLQ         $3, BX
	MOVQ         pix+16(FP), SI
	MOVQ         kc+24(FP), CX
	MOVQ         mean+32(FP), R8
	MOVQ         std+40(FP), R9
	MOVQ         recip+48(FP), R10
	VBROADCASTSD hi+56(FP), Z30
	VBROADCASTSD lo+64(FP), Z31
	LEAQ         (BX)(BX*2), R12
	MOVQ         $0x4330000000000000, R11
	VPBROADCASTQ R11, Z26

	// Prefetch the same values of the eight images w further on, which the
	// next sliver of the product reads: a line every 64 bytes and the last
	// one. (A prefetch never faults, past the end of the images included.)
	MOVQ  w+8(FP), R11
	IMULQ $3072, R11
	ADDQ  SI, R11
	XORQ  AX, AX

prefetch:
	PREFETCHT0 (R11)(AX*1)
	PREFETCHT0 3072(R11)(AX*1)
	PREFETCHT0 6144(R11)(AX*1)
	PREFETCHT0 9216(R11)(AX*1)
	PREFETCHT0 12288(R11)(AX*1)
	PREFETCHT0 15360(R11)(AX*1)
	PREFETCHT0 18432(R11)(AX*1)
	PREFETCHT0 21504(R11)(AX*1)
	ADDQ       $64, AX
	CMPQ       AX, CX
	JLT        prefetch
	LEAQ       -1(R11)(CX*1), R11
	PREFETCHT0 (R11)
	PREFETCHT0 3072(R11)
	PREFETCHT0 6144(R11)
	PREFETCHT0 9216(R11)
	PREFETCHT0 12288(R11)
	PREFETCHT0 15360(R11)
	PREFETCHT0 18432(R11)
	PREFETCHT0 21504(R11)
	XORQ AX, AX
	MOVQ DI, DX

	MOVQ CX, R13
	ANDQ $-8, R13
	JZ   tail

loop:
	VMOVUPD (R8)(AX*8), Z27
	VMOVUPD (R9)(AX*8), Z28
	VMOVUPD (R10)(AX*8), Z29
	IMAGES8(ROW8)
	TRANSPOSE
	LEAQ    (DX)(BX*4), R11
	VMOVUPD Z16, (DX)
	VMOVUPD Z20, (DX)(BX*1)
	VMOVUPD Z18, (DX)(BX*2)
	VMOVUPD Z22, (DX)(R12*1)
	VMOVUPD Z17, (R11)
	VMOVUPD Z21, (R11)(BX*1)
	VMOVUPD Z19, (R11)(BX*2)
	VMOVUPD Z23, (R11)(R12*1)
	LEAQ    (R11)(BX*4), DX
	ADDQ    $8, AX
	CMPQ    AX, R13
	JLT     loop

	// The last kc mod 8 features under the mask K1 = 2^t − 1: masked-off
	// bytes and statistics are not read (no fault past the end) and
	// compute as 0; of the transposed rows, only the first t are stored.
tail:
	SUBQ  AX, CX
	JZ    done
	MOVL  $1, R13
	SHLL  CX, R13
	DECL  R13
	KMOVW R13, K1

	VMOVUPD.Z (R8)(AX*8), K1, Z27
	VMOVUPD.Z (R9)(AX*8), K1, Z28
	VMOVUPD.Z (R10)(AX*8), K1, Z29
	IMAGES8(ROW8MASKED)
	TRANSPOSE
	LEAQ    (DX)(BX*4), R11
	VMOVUPD Z16, (DX)
	CMPQ    CX, $2
	JLT     done
	VMOVUPD Z20, (DX)(BX*1)
	CMPQ    CX, $3
	JLT     done
	VMOVUPD Z18, (DX)(BX*2)
	CMPQ    CX, $4
	JLT     done
	VMOVUPD Z22, (DX)(R12*1)
	CMPQ    CX, $5
	JLT     done
	VMOVUPD Z17, (R11)
	CMPQ    CX, $6
	JLT     done
	VMOVUPD Z21, (R11)(BX*1)
	CMPQ    CX, $7
	JLT     done
	VMOVUPD Z19, (R11)(BX*2)

done:
	VZEROUPPER
	RET
