//go:build amd64 && !purego

package cpu

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// cpuinfo returns the fields of the first processor in /proc/cpuinfo, or
// skips the test where there is none.
func cpuinfo(t *testing.T) map[string]string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo to compare CPUID with:", err)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" && len(fields) > 0 {
			break
		}
		if name, value, ok := strings.Cut(line, ":"); ok {
			fields[strings.TrimSpace(name)] = strings.TrimSpace(value)
		}
	}
	if fields["flags"] == "" {
		t.Skip("/proc/cpuinfo has no flags line")
	}
	return fields
}

// TestChecksMatchProcCPUInfo compares the CPUID checks with what Linux
// reports: the flags (Linux lists avx, avx2, fma and avx512f only when the
// OS saves their registers) and the family of an AMD CPU.
func TestChecksMatchProcCPUInfo(t *testing.T) {
	info := cpuinfo(t)
	flags := strings.Fields(info["flags"])
	has := func(names ...string) bool {
		for _, n := range names {
			if !slices.Contains(flags, n) {
				return false
			}
		}
		return true
	}
	if got, want := HasAVX2FMA(), has("avx", "avx2", "fma", "xsave"); got != want {
		t.Errorf("HasAVX2FMA() = %v, but /proc/cpuinfo's flags avx, avx2, fma and xsave all present = %v", got, want)
	}
	if got, want := HasAVX512F(), has("avx512f", "xsave"); got != want {
		t.Errorf("HasAVX512F() = %v, but /proc/cpuinfo's flags avx512f and xsave present = %v", got, want)
	}
	want := uint64(0)
	if info["vendor_id"] == "AuthenticAMD" {
		f, err := strconv.ParseUint(info["cpu family"], 10, 32)
		if err != nil {
			t.Skip("/proc/cpuinfo's cpu family is not a number:", info["cpu family"])
		}
		want = f
	}
	if got := AMDFamily(); uint64(got) != want {
		t.Errorf("AMDFamily() = %#x, but /proc/cpuinfo says vendor %s, family %s", got, info["vendor_id"], info["cpu family"])
	}
}

// TestUseUnderLimit checks that UseAVX2FMA and UseAVX512F follow the CPU
// checks unless $TWOLAYER_CPU limits them.
func TestUseUnderLimit(t *testing.T) {
	for _, tc := range []struct {
		limit        string
		avx2, avx512 bool
	}{
		{"", HasAVX2FMA(), HasAVX2FMA() && HasAVX512F()},
		{"avx2", HasAVX2FMA(), false},
		{"none", false, false},
		{"bogus", HasAVX2FMA(), HasAVX2FMA() && HasAVX512F()},
	} {
		t.Setenv(LimitVar, tc.limit)
		if got := UseAVX2FMA(); got != tc.avx2 {
			t.Errorf("%s=%q: UseAVX2FMA() = %v, want %v", LimitVar, tc.limit, got, tc.avx2)
		}
		if got := UseAVX512F(); got != tc.avx512 {
			t.Errorf("%s=%q: UseAVX512F() = %v, want %v", LimitVar, tc.limit, got, tc.avx512)
		}
	}
}
