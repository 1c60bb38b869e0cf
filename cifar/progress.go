package cifar

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// progress is an io.Writer that counts the bytes written to it and reports
// them on w: as a bar redrawn in place on a terminal, as a line at every
// 10 % (or 16 MB when the total is unknown) otherwise.
type progress struct {
	w           io.Writer
	total, done int64 // total < 0 when unknown
	bar         bool
	shown       int64 // last reported step: percent on a bar, else tenths or 16 MB units
}

func newProgress(w io.Writer, total int64) *progress {
	return &progress{w: w, total: total, bar: isTerminal(w), shown: -1}
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

const mb = 1 << 20

func (p *progress) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	var step int64
	switch {
	case p.total <= 0:
		step = p.done / (16 * mb)
	case p.bar:
		step = 100 * p.done / p.total
	default:
		step = 10 * p.done / p.total
	}
	if step != p.shown {
		p.shown = step
		p.report()
	}
	return len(b), nil
}

// report writes the current state.
func (p *progress) report() {
	switch {
	case p.total <= 0 && p.bar:
		fmt.Fprintf(p.w, "\r%6.1f MB", float64(p.done)/mb)
	case p.total <= 0:
		fmt.Fprintf(p.w, "%.1f MB\n", float64(p.done)/mb)
	case p.bar:
		const width = 40
		filled := int(width * p.done / p.total)
		fmt.Fprintf(p.w, "\r[%s%s] %3d%% %6.1f/%.1f MB", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
			100*p.done/p.total, float64(p.done)/mb, float64(p.total)/mb)
	default:
		fmt.Fprintf(p.w, "%3d%% %6.1f/%.1f MB\n", 100*p.done/p.total, float64(p.done)/mb, float64(p.total)/mb)
	}
}

// finish ends the bar's line.
func (p *progress) finish() {
	if p.bar {
		fmt.Fprintln(p.w)
	}
}
