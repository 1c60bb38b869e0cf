//go:build amd64 && !purego

package cpu

// cpuid executes the CPUID instruction with EAX = leaf and ECX = subleaf and
// returns the four result registers. It is implemented in cpu_amd64.s.
//
//go:noescape
func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// xgetbv returns the low and high halves of the extended control register
// XCR0, which says which register states the operating system saves on a
// context switch. Only call it when CPUID reports OSXSAVE. It is implemented
// in cpu_amd64.s.
//
//go:noescape
func xgetbv() (eax, edx uint32)

// HasAVX2FMA reports whether the CPU and the operating system together
// support the AVX2 and FMA instructions on 256-bit YMM registers:
//
//   - CPUID leaf 1, ECX: FMA (bit 12), OSXSAVE (bit 27) and AVX (bit 28);
//   - XCR0 bits 1 and 2: the OS saves the SSE and the upper YMM state;
//   - CPUID leaf 7 subleaf 0, EBX: AVX2 (bit 5).
func HasAVX2FMA() bool {
	const fma, avx, avx2 = 1 << 12, 1 << 28, 1 << 5
	return has(fma|avx, sseAndYMMState, avx2)
}

// HasAVX512F reports whether the CPU and the operating system together
// support the AVX-512 Foundation instructions on the 32 ZMM registers and
// the opmask registers:
//
//   - CPUID leaf 1, ECX: OSXSAVE (bit 27), so that XGETBV may be used;
//   - XCR0 bits 1 and 2 (SSE and upper YMM state) and 5, 6 and 7 (opmask
//     state, the upper 256 bits of ZMM0–15, and ZMM16–31): the OS saves
//     all of them on a context switch;
//   - CPUID leaf 7 subleaf 0, EBX: AVX512F (bit 16).
func HasAVX512F() bool {
	const zmmState, avx512f = 1<<5 | 1<<6 | 1<<7, 1 << 16
	return has(0, sseAndYMMState|zmmState, avx512f)
}

// sseAndYMMState is XCR0's bits 1 and 2: the OS saves the SSE and the
// upper YMM state.
const sseAndYMMState = 1<<1 | 1<<2

// has reports whether CPUID reaches leaf 7, leaf 1's ECX has OSXSAVE (bit
// 27, so that XGETBV may be used) and all the bits of ecx1, XCR0 all the
// bits of xcr0, and leaf 7 subleaf 0's EBX all the bits of ebx7.
func has(ecx1, xcr0, ebx7 uint32) bool {
	if maxLeaf, _, _, _ := cpuid(0, 0); maxLeaf < 7 {
		return false
	}
	const osxsave = 1 << 27
	if _, _, c, _ := cpuid(1, 0); c&(ecx1|osxsave) != ecx1|osxsave {
		return false
	}
	if x, _ := xgetbv(); x&xcr0 != xcr0 {
		return false
	}
	_, b, _, _ := cpuid(7, 0)
	return b&ebx7 == ebx7
}

// UseAVX2FMA reports whether kernels may use AVX2 and FMA: HasAVX2FMA,
// unless $TWOLAYER_CPU is none (see LimitVar).
func UseAVX2FMA() bool {
	limit, _ := Limit()
	return limit != "none" && HasAVX2FMA()
}

// UseAVX512F reports whether kernels may use AVX-512F (with AVX2 and FMA):
// UseAVX2FMA and HasAVX512F, unless $TWOLAYER_CPU sets a limit.
func UseAVX512F() bool {
	limit, _ := Limit()
	return limit == "" && UseAVX2FMA() && HasAVX512F()
}

// AMDFamily returns the family of an AMD CPU as AMD numbers them (base plus
// extended family: 0x19 for Zen 3 and Zen 4, 0x1A for Zen 5), and 0 for a
// CPU of another vendor.
func AMDFamily() uint32 {
	_, ebx, ecx, edx := cpuid(0, 0)
	if ebx != 0x68747541 || edx != 0x69746e65 || ecx != 0x444d4163 { // "Auth" "enti" "cAMD"
		return 0
	}
	eax, _, _, _ := cpuid(1, 0)
	family := eax >> 8 & 0xf
	if family == 0xf {
		family += eax >> 20 & 0xff
	}
	return family
}
