package experiments

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"twolayer/network"
)

// IsTerminal reports whether f is a character device (a terminal), using
// only the standard library: pipes, files and /dev/null-like redirections
// in CI are not terminals... except /dev/null itself, which is a character
// device too; that is harmless, since nobody reads it.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// ProgressBar shows the progress of one training run on w.
//
// On a terminal (Terminal true) it is one line redrawn in place with a
// carriage return, at most every Interval: a bar, step/total, η, the latest
// training and validation costs and an estimated time to completion. Without
// a terminal it writes one plain line per recording of the metrics, which
// reads well in a CI log. A nil *ProgressBar shows nothing (-quiet).
type ProgressBar struct {
	W        io.Writer
	Terminal bool
	Label    string        // what is being trained, e.g. "one-cycle"
	Interval time.Duration // minimum time between redraws; 0 means 100ms
	Now      func() time.Time

	start, last time.Time
	latest      *network.Record
	drawn       bool
	width       int // length of the last line drawn, to blank it out
}

// NewProgressBar returns a progress display for the run called label on
// w, or nil when quiet. terminal selects the redrawn bar.
func NewProgressBar(w io.Writer, terminal, quiet bool, label string) *ProgressBar {
	if quiet || w == nil {
		return nil
	}
	return &ProgressBar{W: w, Terminal: terminal, Label: label}
}

// Update is the progress callback of network.MiniBatchGD.
func (b *ProgressBar) Update(p network.Progress) {
	if b == nil {
		return
	}
	now := b.now()
	if b.start.IsZero() {
		b.start = now
	}
	if p.Record != nil {
		r := *p.Record
		b.latest = &r
	}
	if !b.Terminal {
		if p.Record != nil {
			fmt.Fprintf(b.W, "%s: step %d/%d  η %.2e  %s\n", b.Label, p.Step, p.Total, p.Eta, costs(p.Record))
		}
		return
	}
	interval := b.Interval
	if interval == 0 {
		interval = 100 * time.Millisecond
	}
	if b.drawn && now.Sub(b.last) < interval && p.Step < p.Total {
		return
	}
	b.last = now
	line := b.line(p, now)
	pad := ""
	if n := len([]rune(line)); n < b.width {
		pad = strings.Repeat(" ", b.width-n)
	}
	b.width = len([]rune(line))
	fmt.Fprintf(b.W, "\r%s%s", line, pad)
	b.drawn = true
}

// Done ends the display: on a terminal it moves past the bar's line.
func (b *ProgressBar) Done() {
	if b == nil || !b.Terminal || !b.drawn {
		return
	}
	fmt.Fprintln(b.W)
	b.drawn = false
	b.width = 0
}

// Println writes a line of text, moving past the bar first if needed.
func (b *ProgressBar) Println(a ...any) {
	if b == nil {
		return
	}
	b.Done()
	fmt.Fprintln(b.W, a...)
}

func (b *ProgressBar) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// line formats the bar, short enough for an 80-column terminal:
// "one-cycle [######..........] 400/1000 η 8.0e-02 cost 1.768/1.885 acc 0.416/0.386 ETA 12s",
// costs and accuracies as training/validation.
func (b *ProgressBar) line(p network.Progress, now time.Time) string {
	const cells = 16
	frac := 0.0
	if p.Total > 0 {
		frac = min(1, float64(p.Step)/float64(p.Total))
	}
	full := int(frac * cells)
	bar := strings.Repeat("#", full) + strings.Repeat(".", cells-full)
	eta := "ETA --"
	if elapsed := now.Sub(b.start); p.Step > 0 && elapsed > 0 {
		left := time.Duration(float64(elapsed) * float64(p.Total-p.Step) / float64(p.Step))
		eta = "ETA " + left.Round(time.Second).String()
	}
	s := fmt.Sprintf("%s [%s] %d/%d η %.1e", b.Label, bar, p.Step, p.Total, p.Eta)
	if r := b.latest; r != nil {
		s += fmt.Sprintf(" cost %.3f/%.3f acc %.3f/%.3f", r.Train.Cost, r.Val.Cost, r.Train.Accuracy, r.Val.Accuracy)
	}
	return s + " " + eta
}

// costs formats the metrics of a recording.
func costs(r *network.Record) string {
	return fmt.Sprintf("cost %.4f/%.4f  acc %.4f/%.4f (train/val)", r.Train.Cost, r.Val.Cost, r.Train.Accuracy, r.Val.Accuracy)
}
