package plot

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
)

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi   float64
		max      int
		want     []float64
		wantStep float64
	}{
		{0, 1000, 6, []float64{0, 200, 400, 600, 800, 1000}, 200},
		{0.11, 0.49, 6, []float64{0.1, 0.2, 0.3, 0.4, 0.5}, 0.1},
		{1.3, 2.4, 6, []float64{1, 1.5, 2, 2.5}, 0.5},
		{5, 5, 6, []float64{4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6}, 0.2},
		{0, 0, 6, []float64{-1, -0.5, 0, 0.5, 1}, 0.5},
		{1e-5, 0.1, 6, []float64{0, 0.02, 0.04, 0.06, 0.08, 0.1}, 0.02},
		{math.NaN(), 1, 6, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}, 0.2},
	}
	for _, tc := range tests {
		got, step := NiceTicks(tc.lo, tc.hi, tc.max)
		if !(math.Abs(step-tc.wantStep) <= 1e-12) || len(got) != len(tc.want) {
			t.Errorf("NiceTicks(%g, %g, %d) = %v step %g, want %v step %g", tc.lo, tc.hi, tc.max, got, step, tc.want, tc.wantStep)
			continue
		}
		for i := range got {
			if !(math.Abs(got[i]-tc.want[i]) <= 1e-9) {
				t.Errorf("NiceTicks(%g, %g, %d) = %v, want %v", tc.lo, tc.hi, tc.max, got, tc.want)
				break
			}
		}
	}
}

func TestFormatTick(t *testing.T) {
	tests := []struct {
		v, step float64
		want    string
	}{
		{4000, 1000, "4000"},
		{0.25, 0.05, "0.25"},
		{0.4, 0.2, "0.4"},
		{-1e-17, 0.1, "0.0"},
		{0.0002, 0.00005, "0.0002"},
		{3e-5, 1e-5, "3e-05"},
	}
	for _, tc := range tests {
		if got := FormatTick(tc.v, tc.step); got != tc.want {
			t.Errorf("FormatTick(%g, %g) = %q, want %q", tc.v, tc.step, got, tc.want)
		}
	}
}

// parsed is what the test reads back from an SVG document.
type parsed struct {
	title  string
	series map[string]int // name -> number of points over its polylines
	texts  []string
}

func parseSVG(t *testing.T, doc []byte) parsed {
	t.Helper()
	p := parsed{series: map[string]int{}}
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var stack []string
	current := ""
	root := true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, doc)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if root {
				if el.Name.Local != "svg" || el.Name.Space != "http://www.w3.org/2000/svg" {
					t.Fatalf("root element is %v, want svg in the SVG namespace", el.Name)
				}
				root = false
			}
			stack = append(stack, el.Name.Local)
			for _, a := range el.Attr {
				if el.Name.Local == "g" && a.Name.Local == "data-name" {
					current = a.Value
					p.series[current] += 0
				}
				if el.Name.Local == "polyline" && a.Name.Local == "points" && current != "" {
					p.series[current] += len(strings.Fields(a.Value))
				}
			}
		case xml.EndElement:
			if el.Name.Local == "g" {
				current = ""
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && stack[len(stack)-1] == "title" {
				p.title = string(el)
			}
			if len(stack) > 0 && stack[len(stack)-1] == "text" {
				p.texts = append(p.texts, string(el))
			}
		}
	}
	return p
}

func TestChartSVG(t *testing.T) {
	steps := []float64{0, 100, 200, 300, 400}
	c := &Chart{
		Title:  "Cost <& λ = 0.01>",
		XLabel: "update step",
		YLabel: "cost",
		Series: []Series{
			{Name: "training", X: steps, Y: []float64{2.3, 1.9, 1.7, 1.6, 1.5}},
			{Name: "validation", X: steps, Y: []float64{2.3, 2.0, math.NaN(), 1.8, 1.7}, Dashed: true},
		},
	}
	p := parseSVG(t, c.SVG())
	if p.title != c.Title {
		t.Errorf("title = %q, want %q", p.title, c.Title)
	}
	if p.series["training"] != 5 {
		t.Errorf("training curve has %d points, want 5", p.series["training"])
	}
	if p.series["validation"] != 4 {
		t.Errorf("validation curve has %d points, want 4 (the NaN is skipped)", p.series["validation"])
	}
	for _, want := range []string{"update step", "cost", "training", "validation", "0", "400", "1.4", "2.4"} {
		found := false
		for _, s := range p.texts {
			if s == want {
				found = true
			}
		}
		if !found {
			t.Errorf("no text element %q in the chart; texts: %q", want, p.texts)
		}
	}
}

func TestChartEmptyAndConstant(t *testing.T) {
	for _, c := range []*Chart{
		{Title: "empty"},
		{Title: "one point", Series: []Series{{Name: "a", X: []float64{3}, Y: []float64{7}}}},
		{Title: "no finite point", Series: []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{math.NaN(), math.Inf(1)}}}},
	} {
		p := parseSVG(t, c.SVG())
		if p.title != c.Title {
			t.Errorf("title = %q, want %q", p.title, c.Title)
		}
		if bytes.Contains(c.SVG(), []byte("NaN")) {
			t.Errorf("chart %q writes NaN coordinates", c.Title)
		}
	}
}

func TestChartPanicsOnRaggedSeries(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a series with more x than y values")
		}
	}()
	(&Chart{Series: []Series{{Name: "bad", X: []float64{1, 2}, Y: []float64{1}}}}).SVG()
}

// TestCurvesInsidePlotArea checks that every point of every polyline lies
// inside the plot area, whatever the data range.
func TestCurvesInsidePlotArea(t *testing.T) {
	for _, ys := range [][]float64{{0.1, 0.5, 0.3}, {-3, 1e5, 7}, {1e-7, 2e-7, 3e-7}, {2.3, 2.3, 2.3}} {
		c := &Chart{Series: []Series{{Name: "s", X: []float64{0, 10, 4000}, Y: ys}}}
		var pts []string
		dec := xml.NewDecoder(bytes.NewReader(c.SVG()))
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "polyline" {
				for _, a := range el.Attr {
					if a.Name.Local == "points" {
						pts = append(pts, strings.Fields(a.Value)...)
					}
				}
			}
		}
		if len(pts) != 3 {
			t.Fatalf("y = %v: %d points drawn, want 3", ys, len(pts))
		}
		for _, p := range pts {
			var x, y float64
			if _, err := fmt.Sscanf(p, "%g,%g", &x, &y); err != nil {
				t.Fatalf("bad point %q", p)
			}
			if x < marginLeft-0.01 || x > 640-marginRight+0.01 || y < marginTop-0.01 || y > 400-marginBottom+0.01 {
				t.Errorf("y = %v: point (%g, %g) outside the plot area", ys, x, y)
			}
		}
	}
}
