package network

import (
	"math"
	"strings"
	"testing"
)

func TestCyclicEta(t *testing.T) {
	const lo, hi, ns = 1e-5, 0.1, 500
	mid := (lo + hi) / 2
	q1 := lo + 0.25*(hi-lo) // a quarter of the way up
	for _, tc := range []struct {
		t    int
		want float64
	}{
		{0, lo}, {125, q1}, {250, mid}, {500, hi}, {625, hi - 0.25*(hi-lo)}, {750, mid}, {999, lo + (hi-lo)/ns},
		{1000, lo}, {1250, mid}, {1500, hi}, {1750, mid}, // cycle 2
		{2000, lo}, {2500, hi}, {2999, lo + (hi-lo)/ns}, {3000, lo}, // cycle 3, start of 4
		{4 * ns * 10, lo}, {4*ns*10 + ns, hi},
	} {
		if got := CyclicEta(tc.t, lo, hi, ns); !(math.Abs(got-tc.want) <= 1e-15) {
			t.Errorf("CyclicEta(%d) = %.17g, want %.17g", tc.t, got, tc.want)
		}
	}
	// With n_s = 1 it alternates η_min, η_max.
	for step := 0; step < 6; step++ {
		want := lo
		if step%2 == 1 {
			want = hi
		}
		if got := CyclicEta(step, lo, hi, 1); got != want {
			t.Errorf("n_s=1: CyclicEta(%d) = %g, want %g", step, got, want)
		}
	}
	// η_min = η_max: constant.
	for _, step := range []int{0, 3, 7, 100} {
		if got := CyclicEta(step, 0.01, 0.01, 7); got != 0.01 {
			t.Errorf("constant: CyclicEta(%d) = %g", step, got)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	good := defaultConfig()
	if err := good.Validate(10000); err != nil {
		t.Fatalf("default config: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Config)
		n      int
		want   string // a part of the message
	}{
		{"negative λ", func(c *Config) { c.Lambda = -0.1 }, 10000, "λ"},
		{"NaN λ", func(c *Config) { c.Lambda = math.NaN() }, 10000, "λ"},
		{"η_min zero", func(c *Config) { c.EtaMin = 0 }, 10000, "η_min = 0 must be positive"},
		{"η_min > η_max", func(c *Config) { c.EtaMin, c.EtaMax = 0.2, 0.1 }, 10000, "swap"},
		{"η infinite", func(c *Config) { c.EtaMax = math.Inf(1) }, 10000, "finite"},
		{"n_s zero", func(c *Config) { c.StepSize = 0 }, 10000, "step size"},
		{"no cycles", func(c *Config) { c.Cycles = 0 }, 10000, "cycles"},
		{"batch zero", func(c *Config) { c.BatchSize = 0 }, 10000, "batch size (0)"},
		{"batch too big", func(c *Config) { c.BatchSize = 101 }, 100, "larger than the training set"},
		{"no records", func(c *Config) { c.RecordsPerCycle = 0 }, 10000, "recordings"},
		{"empty training set", func(c *Config) {}, 0, "empty"},
	} {
		c := good
		tc.change(&c)
		err := c.Validate(tc.n)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q, want one line containing %q", tc.name, msg, tc.want)
		}
	}
	// Several problems are all reported.
	c := Config{}
	if msg := c.Validate(10).Error(); strings.Count(msg, ";") < 4 {
		t.Errorf("zero config: %q reports fewer than 5 problems", msg)
	}
}
