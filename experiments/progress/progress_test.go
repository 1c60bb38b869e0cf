package progress

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"twolayer/network"
)

func TestBarPlainLines(t *testing.T) {
	var out bytes.Buffer
	b := New(&out, false, false, "run")
	rec := network.Record{Step: 10, Eta: 0.05, Train: network.Metrics{Cost: 1.5, Accuracy: 0.4}, Val: network.Metrics{Cost: 1.6, Accuracy: 0.38}}
	for step := 1; step <= 20; step++ {
		p := network.Progress{Step: step, Total: 20, Eta: 0.05}
		if step%10 == 0 {
			r := rec
			r.Step = step
			p.Record = &r
		}
		b.Update(p)
	}
	b.Done()
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want one per recording (2):\n%s", len(lines), out.String())
	}
	if strings.Contains(out.String(), "\r") {
		t.Error("plain output contains a carriage return")
	}
	if !strings.HasPrefix(lines[1], "run: step 20/20") || !strings.Contains(lines[1], "1.5000/1.6000") {
		t.Errorf("last line = %q", lines[1])
	}
}

func TestBarTerminalThrottled(t *testing.T) {
	var out bytes.Buffer
	clock := time.Unix(0, 0)
	b := New(&out, true, false, "run")
	b.Now = func() time.Time { return clock }
	for step := 1; step <= 100; step++ {
		clock = clock.Add(10 * time.Millisecond) // 10 updates per 100ms redraw interval
		b.Update(network.Progress{Step: step, Total: 100, Eta: 0.01})
	}
	b.Done()
	s := out.String()
	redraws := strings.Count(s, "\r")
	if redraws < 5 || redraws > 15 {
		t.Errorf("%d redraws for 100 updates over 1s, want about 10", redraws)
	}
	if !strings.Contains(s, "100/100") || !strings.HasSuffix(s, "\n") {
		t.Errorf("final state not drawn or line not ended: %q", s[max(0, len(s)-120):])
	}
	if !strings.Contains(s, "ETA") {
		t.Error("no ETA in the bar")
	}
}

func TestBarQuiet(t *testing.T) {
	var out bytes.Buffer
	b := New(&out, true, true, "run")
	b.Update(network.Progress{Step: 1, Total: 2})
	b.Done()
	if out.Len() != 0 {
		t.Errorf("quiet progress wrote %q", out.String())
	}
}

func TestBarFitsEightyColumns(t *testing.T) {
	rec := network.Record{Train: network.Metrics{Cost: 1.7681, Accuracy: 0.4567}, Val: network.Metrics{Cost: 12.3456, Accuracy: 0.3456}}
	long := strings.Repeat("a-label-far-too-long-", 5)
	tests := []struct {
		label   string
		total   int
		wantBar bool // the bar fits beside everything else
		wantAcc bool
	}{
		{"run", 100, true, true},
		{"train", 1000, false, true},
		{"one-cycle", 1000, false, true},
		{"three-cycles", 4800, false, true},
		{"final", 14700, false, true},
		{"x", 10, true, true},
		{long, 1000, false, false},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		clock := time.Unix(0, 0)
		b := New(&out, true, false, tt.label)
		b.Now = func() time.Time { return clock }
		r := rec
		b.Update(network.Progress{Step: 0, Total: tt.total, Eta: 1e-5, Record: &r})
		for _, step := range []int{1, tt.total / 3, tt.total} {
			clock = clock.Add(time.Second) // ETAs of minutes and seconds
			b.Update(network.Progress{Step: step, Total: tt.total, Eta: 0.0123})
		}
		b.Done()
		for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\r")[1:] {
			if n := utf8.RuneCountInString(line); n > maxLine {
				t.Errorf("%.12s: line of %d runes (> %d) wraps on an 80-column terminal: %q", tt.label, n, maxLine, line)
			}
			for _, want := range []string{"/" + strconv.Itoa(tt.total) + " η", "η", "cost 1.768/12.346", "ETA"} {
				if !strings.Contains(line, want) {
					t.Errorf("%.12s: line %q lacks %q", tt.label, line, want)
				}
			}
			if got := strings.Contains(line, "acc 0.457/0.346"); got != tt.wantAcc {
				t.Errorf("%.12s: line %q shows the accuracies: %v, want %v", tt.label, line, got, tt.wantAcc)
			}
			if got := strings.Contains(line, "#") || strings.Contains(line, "[."); got != tt.wantBar {
				t.Errorf("%.12s: line %q shows the bar: %v, want %v", tt.label, line, got, tt.wantBar)
			}
		}
	}
}
