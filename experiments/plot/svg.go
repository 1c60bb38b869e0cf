// Package plot draws the line charts of the experiments (cost, loss and
// accuracy against update step, the learning-rate schedule) as standalone SVG
// documents, with axes, nice ticks, axis labels and a legend, using nothing
// but the standard library.
//
// Each series is drawn as one <polyline> inside a <g class="series"> element
// whose data-name attribute holds the series name, so that tests (and
// people) can find the curves in the XML.
package plot

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
)

// Series is one curve: the points (X[i], Y[i]). Points with a NaN or
// infinite coordinate are skipped and break the line.
type Series struct {
	Name   string
	X, Y   []float64
	Dashed bool // drawn with a dashed stroke (e.g. the validation curve)
}

// Chart is a line chart of one or more series sharing the same axes.
type Chart struct {
	Title          string
	XLabel, YLabel string
	Series         []Series
	Width, Height  int // pixels; 0 means 640×400
}

// palette holds the stroke colours, one per series in order (then reused).
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"}

// margins of the plot area inside the SVG canvas, in pixels.
const (
	marginLeft   = 70
	marginRight  = 20
	marginTop    = 52
	marginBottom = 50
)

// SVG returns the chart as a complete SVG document.
// It panics if a series has X and Y of different lengths.
func (c *Chart) SVG() []byte {
	var b bytes.Buffer
	c.WriteSVG(&b)
	return b.Bytes()
}

// WriteSVG writes the chart as a complete SVG document to w.
// It panics if a series has X and Y of different lengths.
func (c *Chart) WriteSVG(w io.Writer) error {
	width, height := c.Width, c.Height
	if width <= 0 || height <= 0 {
		width, height = 640, 400
	}
	xlo, xhi, ylo, yhi := c.bounds()
	xt, xstep := NiceTicks(xlo, xhi, 7)
	yt, ystep := NiceTicks(ylo, yhi, 6)
	x0, x1 := xt[0], xt[len(xt)-1]
	y0, y1 := yt[0], yt[len(yt)-1]
	pw := float64(width - marginLeft - marginRight)
	ph := float64(height - marginTop - marginBottom)
	px := func(x float64) float64 { return marginLeft + (x-x0)/(x1-x0)*pw }
	py := func(y float64) float64 { return marginTop + ph - (y-y0)/(y1-y0)*ph }

	s := &svgWriter{}
	s.printf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		width, height, width, height)
	s.printf("<title>%s</title>\n", esc(c.Title))
	s.printf(`<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	s.printf(`<text class="title" x="%d" y="22" text-anchor="middle" font-size="15">%s</text>`+"\n", width/2, esc(c.Title))

	// grid, ticks and tick labels
	s.printf(`<g class="x-axis">` + "\n")
	for _, t := range xt {
		x := px(t)
		s.printf(`<line x1="%.2f" y1="%d" x2="%.2f" y2="%.2f" stroke="#e5e5e5"/>`+"\n", x, marginTop, x, marginTop+ph)
		s.printf(`<line x1="%.2f" y1="%.2f" x2="%.2f" y2="%.2f" stroke="black"/>`+"\n", x, marginTop+ph, x, marginTop+ph+5)
		s.printf(`<text x="%.2f" y="%.2f" text-anchor="middle">%s</text>`+"\n", x, marginTop+ph+18, esc(FormatTick(t, xstep)))
	}
	s.printf(`<text class="label" x="%.2f" y="%d" text-anchor="middle">%s</text>`+"\n", marginLeft+pw/2, height-10, esc(c.XLabel))
	s.printf("</g>\n")
	s.printf(`<g class="y-axis">` + "\n")
	for _, t := range yt {
		y := py(t)
		s.printf(`<line x1="%d" y1="%.2f" x2="%.2f" y2="%.2f" stroke="#e5e5e5"/>`+"\n", marginLeft, y, marginLeft+pw, y)
		s.printf(`<line x1="%d" y1="%.2f" x2="%d" y2="%.2f" stroke="black"/>`+"\n", marginLeft-5, y, marginLeft, y)
		s.printf(`<text x="%d" y="%.2f" text-anchor="end">%s</text>`+"\n", marginLeft-8, y+4, esc(FormatTick(t, ystep)))
	}
	s.printf(`<text class="label" x="16" y="%.2f" text-anchor="middle" transform="rotate(-90 16 %.2f)">%s</text>`+"\n",
		marginTop+ph/2, marginTop+ph/2, esc(c.YLabel))
	s.printf("</g>\n")
	s.printf(`<rect x="%d" y="%d" width="%.2f" height="%.2f" fill="none" stroke="black"/>`+"\n", marginLeft, marginTop, pw, ph)

	// the curves
	for i, ser := range c.Series {
		if len(ser.X) != len(ser.Y) {
			panic(fmt.Sprintf("plot: series %q has %d x values and %d y values", ser.Name, len(ser.X), len(ser.Y)))
		}
		color := palette[i%len(palette)]
		dash := ""
		if ser.Dashed {
			dash = ` stroke-dasharray="6 3"`
		}
		s.printf(`<g class="series" data-name="%s">`+"\n", esc(ser.Name))
		for _, run := range finiteRuns(ser.X, ser.Y) {
			var pts strings.Builder
			for k, i := range run {
				if k > 0 {
					pts.WriteByte(' ')
				}
				fmt.Fprintf(&pts, "%.2f,%.2f", px(ser.X[i]), py(ser.Y[i]))
			}
			s.printf(`<polyline fill="none" stroke="%s" stroke-width="1.8"%s points="%s"/>`+"\n", color, dash, pts.String())
		}
		s.printf("</g>\n")
	}

	// the legend, in a row between the title and the plot area, where it
	// cannot hide a curve
	if len(c.Series) > 0 {
		s.printf(`<g class="legend">` + "\n")
		x := float64(marginLeft)
		y := float64(marginTop - 10)
		for i, ser := range c.Series {
			dash := ""
			if ser.Dashed {
				dash = ` stroke-dasharray="6 3"`
			}
			s.printf(`<line x1="%.2f" y1="%.2f" x2="%.2f" y2="%.2f" stroke="%s" stroke-width="2"%s/>`+"\n",
				x, y-4, x+24, y-4, palette[i%len(palette)], dash)
			s.printf(`<text x="%.2f" y="%.2f">%s</text>`+"\n", x+30, y, esc(ser.Name))
			x += 30 + 7*float64(len([]rune(ser.Name))) + 20
		}
		s.printf("</g>\n")
	}
	s.printf("</svg>\n")
	_, err := w.Write(s.buf.Bytes())
	return err
}

// bounds returns the range of the finite data values over all series,
// [0, 1] on an axis without any.
func (c *Chart) bounds() (xlo, xhi, ylo, yhi float64) {
	xlo, ylo = math.Inf(1), math.Inf(1)
	xhi, yhi = math.Inf(-1), math.Inf(-1)
	for _, ser := range c.Series {
		for i := range min(len(ser.X), len(ser.Y)) {
			x, y := ser.X[i], ser.Y[i]
			if !finite(x) || !finite(y) {
				continue
			}
			xlo, xhi = math.Min(xlo, x), math.Max(xhi, x)
			ylo, yhi = math.Min(ylo, y), math.Max(yhi, y)
		}
	}
	if xlo > xhi {
		xlo, xhi = 0, 1
	}
	if ylo > yhi {
		ylo, yhi = 0, 1
	}
	return xlo, xhi, ylo, yhi
}

// finiteRuns splits the point indices into maximal runs of finite points.
func finiteRuns(xs, ys []float64) [][]int {
	var runs [][]int
	var cur []int
	for i := range xs {
		if finite(xs[i]) && finite(ys[i]) {
			cur = append(cur, i)
			continue
		}
		if len(cur) > 0 {
			runs = append(runs, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// esc escapes text for use in XML character data and attribute values.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// svgWriter accumulates the document in memory.
type svgWriter struct {
	buf bytes.Buffer
}

func (s *svgWriter) printf(format string, args ...any) {
	fmt.Fprintf(&s.buf, format, args...)
}
