package experiments

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"twolayer/network"
)

func TestProgressBarPlainLines(t *testing.T) {
	var out bytes.Buffer
	b := NewProgressBar(&out, false, false, "run")
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

func TestProgressBarTerminalThrottled(t *testing.T) {
	var out bytes.Buffer
	clock := time.Unix(0, 0)
	b := NewProgressBar(&out, true, false, "run")
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

func TestProgressBarQuiet(t *testing.T) {
	var out bytes.Buffer
	b := NewProgressBar(&out, true, true, "run")
	b.Update(network.Progress{Step: 1, Total: 2})
	b.Println("hello")
	b.Done()
	if out.Len() != 0 {
		t.Errorf("quiet progress wrote %q", out.String())
	}
}
