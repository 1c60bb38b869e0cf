package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// css lays the page out for any width: text in a readable column, tables
// and wide pictures scaling down or scrolling sideways on a phone.
const css = `*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:0 auto;padding:1em 1.2em 3em;line-height:1.5;color:#222}
h1{font-size:1.7em;line-height:1.25}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}h3{margin-top:1.6em}
h2,h3{scroll-margin-top:.5em}
.scroll{overflow-x:auto;margin:1em 0}
table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.3em .6em;text-align:left}
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
blockquote{border-left:4px solid #e0a000;background:#fff8e0;margin:1em 0;padding:.5em 1em}
pre{background:#f6f6f6;padding:.8em;overflow-x:auto}
code{background:#f2f2f2;padding:0 .25em;border-radius:3px;font-size:.92em}
p.code{font-size:.9em;color:#555;margin-top:-.4em}p.code code{white-space:nowrap}
nav.toc{background:#f7f7f7;border:1px solid #e2e2e2;padding:.6em 1.2em;margin:1em 0}
nav.toc ul{margin:.2em 0;padding-left:1.2em}nav.toc a{text-decoration:none}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,400px),1fr));gap:8px;margin:1em 0}
.plots svg{width:100%;height:auto;border:1px solid #ddd}
figure{margin:1em 0}img.pic{max-width:100%;height:auto;border:1px solid #ddd}
@media (max-width:600px){body{padding:.6em .7em 2em}h1{font-size:1.35em}td,th{padding:.25em .4em}}
`

// html renders d as a self-contained HTML page: the SVG files under dir
// are inlined and the PNG files embedded as data: URIs (a missing file is
// replaced by a note), so the page refers to nothing outside itself. A
// table of contents of the sections and subsections comes first.
func (d *document) html(dir string) []byte {
	var b strings.Builder
	e := html.EscapeString
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s</title>
<style>
%s</style></head><body>
<h1>%s</h1>
`, e(d.title), css, e(d.title))
	ids := headingIDs(d.blocks)
	d.toc(&b, ids)
	inPlots := false
	for i, bl := range d.blocks {
		if bl.svg == "" && inPlots {
			b.WriteString("</div>\n")
			inPlots = false
		}
		switch {
		case bl.heading != "":
			fmt.Fprintf(&b, "<h%d id=\"%s\">%s</h%d>\n", bl.level, ids[i], e(bl.heading), bl.level)
			if len(bl.code) > 0 {
				b.WriteString(`<p class="code">Code: `)
				for j, c := range bl.code {
					if j > 0 {
						b.WriteString(", ")
					}
					fmt.Fprintf(&b, "<code>%s</code>", e(c))
				}
				b.WriteString("</p>\n")
			}
		case bl.para != "":
			fmt.Fprintf(&b, "<p>%s</p>\n", e(bl.para))
		case bl.note != "":
			fmt.Fprintf(&b, "<blockquote>%s</blockquote>\n", e(bl.note))
		case bl.table != nil:
			writeTable(&b, bl.table, bl.styles)
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
		case bl.png != "":
			data, err := os.ReadFile(filepath.Join(dir, bl.png))
			cfg, cerr := png.DecodeConfig(bytes.NewReader(data))
			if err != nil || cerr != nil {
				fmt.Fprintf(&b, "<p>(picture %s missing)</p>\n", e(bl.png))
				continue
			}
			fmt.Fprintf(&b, "<figure><img class=\"pic\" width=\"%d\" height=\"%d\" alt=\"%s\" src=\"data:image/png;base64,%s\"></figure>\n",
				cfg.Width, cfg.Height, e(bl.alt), base64.StdEncoding.EncodeToString(data))
		}
	}
	if inPlots {
		b.WriteString("</div>\n")
	}
	b.WriteString("</body></html>\n")
	return []byte(b.String())
}

// toc writes the table of contents: the sections, each with its
// subsections.
func (d *document) toc(b *strings.Builder, ids map[int]string) {
	if len(ids) == 0 {
		return
	}
	b.WriteString("<nav class=\"toc\"><strong>Contents</strong>\n<ul>\n")
	level := 2
	open := false // an <li> of a section is open
	for i, bl := range d.blocks {
		if bl.heading == "" {
			continue
		}
		switch {
		case bl.level > level:
			b.WriteString("\n<ul>\n")
		case bl.level < level:
			b.WriteString("</li>\n</ul>\n</li>\n")
		case open:
			b.WriteString("</li>\n")
		}
		level, open = bl.level, true
		fmt.Fprintf(b, "<li><a href=\"#%s\">%s</a>", ids[i], html.EscapeString(bl.heading))
	}
	if level > 2 {
		b.WriteString("</li>\n</ul>\n")
	}
	b.WriteString("</li>\n</ul></nav>\n")
}

// headingIDs gives each heading (by block index) an id made of its
// lower-case letters and digits, dashes between words, unique in the page.
func headingIDs(blocks []block) map[int]string {
	ids := map[int]string{}
	seen := map[string]int{}
	for i, bl := range blocks {
		if bl.heading == "" {
			continue
		}
		var s strings.Builder
		dash := false
		for _, r := range strings.ToLower(bl.heading) {
			if r < 128 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
				if dash && s.Len() > 0 {
					s.WriteByte('-')
				}
				s.WriteRune(r)
				dash = false
			} else {
				dash = true
			}
		}
		id := s.String()
		if id == "" {
			id = "section"
		}
		seen[id]++
		if seen[id] > 1 {
			id += "-" + strconv.Itoa(seen[id])
		}
		ids[i] = id
	}
	return ids
}

// writeTable writes a table inside a box that scrolls sideways when the
// table is wider than the screen; columns of numbers are right-aligned.
func writeTable(b *strings.Builder, rows, styles [][]string) {
	e := html.EscapeString
	numeric := numericColumns(rows)
	b.WriteString("<div class=\"scroll\"><table>\n")
	for i, row := range rows {
		tag := "td"
		if i == 0 {
			tag = "th"
		}
		b.WriteString("<tr>")
		for j, c := range row {
			attr := ""
			if tag == "td" && j < len(numeric) && numeric[j] {
				attr = ` class="num"`
			}
			if i < len(styles) && j < len(styles[i]) && styles[i][j] != "" {
				attr += ` style="` + e(styles[i][j]) + `"`
			}
			fmt.Fprintf(b, "<%s%s>%s</%s>", tag, attr, e(c), tag)
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table></div>\n")
}

// numericColumns reports for each column of a table whether it holds
// numbers: every cell below the header is a number, "—" or empty, and one
// at least is a number.
func numericColumns(rows [][]string) []bool {
	var numeric []bool
	for j := 0; len(rows) > 0 && j < len(rows[0]); j++ {
		any, all := false, true
		for _, row := range rows[1:] {
			switch {
			case j >= len(row) || row[j] == "" || row[j] == "—":
			case isNumber(row[j]):
				any = true
			default:
				all = false
			}
		}
		numeric = append(numeric, any && all)
	}
	return numeric
}

// isNumber reports whether s is a number, possibly signed or followed by
// a flag like " (> 1.5)".
func isNumber(s string) bool {
	s, _, _ = strings.Cut(s, " ")
	_, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	return err == nil
}
