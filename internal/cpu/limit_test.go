package cpu

import (
	"strings"
	"testing"
)

// TestLimit checks what each value of $TWOLAYER_CPU gives: the limit, or
// for any other value an error naming the variable and no limit.
func TestLimit(t *testing.T) {
	for _, tc := range []struct {
		value, want string
		bad         bool
	}{
		{"", "", false},
		{"avx2", "avx2", false},
		{"none", "none", false},
		{"AVX2", "", true},
		{"sse", "", true},
		{" avx2", "", true},
	} {
		t.Setenv(LimitVar, tc.value)
		got, err := Limit()
		if got != tc.want || (err != nil) != tc.bad {
			t.Errorf("%s=%q: Limit() = %q, %v; want %q and an error %v", LimitVar, tc.value, got, err, tc.want, tc.bad)
		}
		if err != nil && (!strings.Contains(err.Error(), LimitVar) || strings.Contains(err.Error(), "\n")) {
			t.Errorf("%s=%q: error %q should be one line naming the variable", LimitVar, tc.value, err)
		}
	}
}
