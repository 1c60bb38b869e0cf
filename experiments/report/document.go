package report

import (
	"fmt"
	"path/filepath"
	"strings"
)

// A document is the generated report before it is rendered as Markdown
// (report.md, plots linked) or HTML (report.html, self-contained: plots and
// pictures inline, a table of contents, readable on a narrow screen).
type document struct {
	title  string
	blocks []block
}

// block is one part of a document: exactly one of heading, para, note,
// table, svg and png is set.
type block struct {
	heading string     // a section heading
	level   int        // its level: 2 (section) or 3 (subsection)
	code    []string   // the Go functions that produced the section, e.g. "experiments.OneCycle"
	para    string     // a paragraph of plain text
	note    string     // a highlighted paragraph (an explanation)
	table   [][]string // a table; the first row is the header
	styles  [][]string // optional CSS of each cell of table (same shape; "" for none)
	svg     string     // an SVG file, relative to the output directory
	png     string     // a PNG file, relative to the output directory
	alt     string     // the PNG's description
}

// h starts a section; code names the Go functions that produced it.
func (d *document) h(s string, code ...string) {
	d.blocks = append(d.blocks, block{heading: s, level: 2, code: code})
}

// h3 starts a subsection.
func (d *document) h3(s string, code ...string) {
	d.blocks = append(d.blocks, block{heading: s, level: 3, code: code})
}

func (d *document) p(format string, a ...any) {
	d.blocks = append(d.blocks, block{para: fmt.Sprintf(format, a...)})
}
func (d *document) note(s string)         { d.blocks = append(d.blocks, block{note: s}) }
func (d *document) table(rows [][]string) { d.blocks = append(d.blocks, block{table: rows}) }
func (d *document) svg(path string)       { d.blocks = append(d.blocks, block{svg: path}) }

// styledTable is a table whose cells have their own CSS (a heat map).
func (d *document) styledTable(rows, styles [][]string) {
	d.blocks = append(d.blocks, block{table: rows, styles: styles})
}

// png adds the picture at path (relative to the output directory).
func (d *document) png(path, alt string) { d.blocks = append(d.blocks, block{png: path, alt: alt}) }

// markdown renders d as Markdown; plots and pictures are image links
// relative to the output directory.
func (d *document) markdown() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", d.title)
	for _, bl := range d.blocks {
		switch {
		case bl.heading != "":
			fmt.Fprintf(&b, "%s %s\n\n", strings.Repeat("#", bl.level), bl.heading)
			if len(bl.code) > 0 {
				fmt.Fprintf(&b, "*Code:* `%s`\n\n", strings.Join(bl.code, "`, `"))
			}
		case bl.para != "":
			fmt.Fprintf(&b, "%s\n\n", bl.para)
		case bl.note != "":
			fmt.Fprintf(&b, "> %s\n\n", bl.note)
		case bl.table != nil:
			for i, row := range bl.table {
				cells := make([]string, len(row))
				for j, c := range row {
					cells[j] = strings.ReplaceAll(c, "|", `\|`)
				}
				fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | "))
				if i == 0 {
					fmt.Fprintf(&b, "|%s\n", strings.Repeat("---|", len(row)))
				}
			}
			b.WriteByte('\n')
		case bl.svg != "":
			fmt.Fprintf(&b, "![%s](%s)\n\n", bl.svg, filepath.ToSlash(bl.svg))
		case bl.png != "":
			fmt.Fprintf(&b, "![%s](%s)\n\n", bl.alt, filepath.ToSlash(bl.png))
		}
	}
	return []byte(b.String())
}
