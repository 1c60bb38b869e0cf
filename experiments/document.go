package experiments

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
)

// A document is the generated report before it is rendered as Markdown
// (report.md, plots linked) or HTML (report.html, plots inline).
type document struct {
	title  string
	blocks []block
}

// block is one part of a document: exactly one field is set.
type block struct {
	heading string     // a section heading
	para    string     // a paragraph of plain text
	note    string     // a highlighted paragraph (an explanation)
	pre     string     // preformatted text
	table   [][]string // a table; the first row is the header
	svg     string     // an SVG file, relative to the output directory
}

func (d *document) h(s string) { d.blocks = append(d.blocks, block{heading: s}) }
func (d *document) p(format string, a ...any) {
	d.blocks = append(d.blocks, block{para: fmt.Sprintf(format, a...)})
}
func (d *document) note(s string)         { d.blocks = append(d.blocks, block{note: s}) }
func (d *document) pre(s string)          { d.blocks = append(d.blocks, block{pre: s}) }
func (d *document) table(rows [][]string) { d.blocks = append(d.blocks, block{table: rows}) }
func (d *document) svg(path string)       { d.blocks = append(d.blocks, block{svg: path}) }

// markdown renders d as Markdown; plots are image links relative to the
// output directory.
func (d *document) markdown() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", d.title)
	for _, bl := range d.blocks {
		switch {
		case bl.heading != "":
			fmt.Fprintf(&b, "## %s\n\n", bl.heading)
		case bl.para != "":
			fmt.Fprintf(&b, "%s\n\n", bl.para)
		case bl.note != "":
			fmt.Fprintf(&b, "> %s\n\n", bl.note)
		case bl.pre != "":
			fmt.Fprintf(&b, "```\n%s```\n\n", bl.pre)
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
		}
	}
	return []byte(b.String())
}

// html renders d as a self-contained HTML page: the SVG files under dir are
// read and inlined (a missing one is replaced by a note).
func (d *document) html(dir string) []byte {
	var b strings.Builder
	e := html.EscapeString
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<style>
body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.3em .6em;text-align:left}
th{background:#f0f0f0}blockquote{border-left:4px solid #e0a000;background:#fff8e0;margin:1em 0;padding:.5em 1em}
pre{background:#f6f6f6;padding:.8em;overflow-x:auto}.plots{display:flex;flex-wrap:wrap;gap:8px}
.plots svg{max-width:540px;height:auto;border:1px solid #ddd}
</style></head><body>
<h1>%s</h1>
`, e(d.title), e(d.title))
	inPlots := false
	for _, bl := range d.blocks {
		if bl.svg == "" && inPlots {
			b.WriteString("</div>\n")
			inPlots = false
		}
		switch {
		case bl.heading != "":
			fmt.Fprintf(&b, "<h2>%s</h2>\n", e(bl.heading))
		case bl.para != "":
			fmt.Fprintf(&b, "<p>%s</p>\n", e(bl.para))
		case bl.note != "":
			fmt.Fprintf(&b, "<blockquote>%s</blockquote>\n", e(bl.note))
		case bl.pre != "":
			fmt.Fprintf(&b, "<pre>%s</pre>\n", e(bl.pre))
		case bl.table != nil:
			b.WriteString("<table>\n")
			for i, row := range bl.table {
				tag := "td"
				if i == 0 {
					tag = "th"
				}
				b.WriteString("<tr>")
				for _, c := range row {
					fmt.Fprintf(&b, "<%s>%s</%s>", tag, e(c), tag)
				}
				b.WriteString("</tr>\n")
			}
			b.WriteString("</table>\n")
		case bl.svg != "":
			if !inPlots {
				b.WriteString(`<div class="plots">` + "\n")
				inPlots = true
			}
			data, err := os.ReadFile(filepath.Join(dir, bl.svg))
			if err != nil {
				fmt.Fprintf(&b, "<p>(plot %s missing)</p>\n", e(bl.svg))
				continue
			}
			b.Write(data)
		}
	}
	if inPlots {
		b.WriteString("</div>\n")
	}
	b.WriteString("</body></html>\n")
	return []byte(b.String())
}
