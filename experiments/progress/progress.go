// Package progress shows how a training run is going, on a terminal or in
// a log: a bar redrawn in place, or one plain line per recording of the
// metrics. IsTerminal tells which of the two a writer wants.
package progress

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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

// Bar shows the progress of one training run on W.
//
// On a terminal (Terminal true) it is one line redrawn in place with a
// carriage return, at most every Interval: a bar, step/total, η, the latest
// training and validation costs and an estimated time to completion. Without
// a terminal it writes one plain line per recording of the metrics, which
// reads well in a CI log. A nil *Bar shows nothing (-quiet).
type Bar struct {
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

// New returns a progress display for the run called label on w, or nil
// when quiet. terminal selects the redrawn bar.
func New(w io.Writer, terminal, quiet bool, label string) *Bar {
	if quiet || w == nil {
		return nil
	}
	return &Bar{W: w, Terminal: terminal, Label: label}
}

// Update is the progress callback of network.MiniBatchGD.
func (b *Bar) Update(p network.Progress) {
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
func (b *Bar) Done() {
	if b == nil || !b.Terminal || !b.drawn {
		return
	}
	fmt.Fprintln(b.W)
	b.drawn = false
	b.width = 0
}

func (b *Bar) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// maxLine is the most runes a redrawn line may have: a line longer than the
// terminal wraps, and every redraw then leaves a line behind. 79 fits the
// smallest common terminal (80 columns) without touching its last column.
const maxLine = 79

// line formats the bar, at most maxLine runes:
// "run [####......] 40/100 η 8.0e-02 cost 1.768/1.885 acc 0.416/0.386 ETA 12s",
// costs and accuracies as training/validation. What does not fit is left
// out, in this order: the bar, the accuracies, then the end of the label;
// step/total, η, the costs and the ETA always show.
func (b *Bar) line(p network.Progress, now time.Time) string {
	const cells = 10
	frac := 0.0
	if p.Total > 0 {
		frac = min(1, float64(p.Step)/float64(p.Total))
	}
	full := int(frac * cells)
	bar := " [" + strings.Repeat("#", full) + strings.Repeat(".", cells-full) + "]"
	eta := " ETA --"
	if elapsed := now.Sub(b.start); p.Step > 0 && elapsed > 0 {
		left := time.Duration(float64(elapsed) * float64(p.Total-p.Step) / float64(p.Step))
		eta = " ETA " + left.Round(time.Second).String()
	}
	// step is padded to the width of total, and the layout is chosen as if
	// the ETA were at least etaWidth runes, so that it stays put during a run
	etaWidth := max(utf8.RuneCountInString(eta), len(" ETA 59m59s"))
	step := fmt.Sprintf(" %*d/%d η %.1e", len(strconv.Itoa(p.Total)), p.Step, p.Total, p.Eta)
	cost, acc := "", ""
	if r := b.latest; r != nil {
		cost = fmt.Sprintf(" cost %.3f/%.3f", r.Train.Cost, r.Val.Cost)
		acc = fmt.Sprintf(" acc %.3f/%.3f", r.Train.Accuracy, r.Val.Accuracy)
	}
	label := []rune(b.Label)
	for _, s := range []string{bar + step + cost + acc, step + cost + acc, bar + step + cost} {
		if len(label)+utf8.RuneCountInString(s)+etaWidth <= maxLine {
			return string(label) + s + eta
		}
	}
	s := step + cost + eta
	if n := maxLine - utf8.RuneCountInString(s); n < len(label) {
		label = label[:max(0, n)]
	}
	return string(label) + s
}

// costs formats the metrics of a recording.
func costs(r *network.Record) string {
	return fmt.Sprintf("cost %.4f/%.4f  acc %.4f/%.4f (train/val)", r.Train.Cost, r.Val.Cost, r.Train.Accuracy, r.Val.Accuracy)
}
