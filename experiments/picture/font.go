package picture

import (
	"image"
	"image/color"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The font is a hand-made 5×7 bitmap font: capitals, digits and a little
// punctuation, enough for class names, counts and probabilities (the
// standard library has no fonts). Each glyph is 7 rows of 5 pixels, written
// top to bottom, '#' for ink; a character advances 6 pixels (one blank
// column) and a line is 8 pixels high (one blank row). Lower-case letters
// are drawn as capitals; a character without a glyph is drawn as '?'.
const (
	glyphW  = 5
	glyphH  = 7
	advance = glyphW + 1
	// LineHeight is the height of a line of text at scale 1, in pixels.
	LineHeight = glyphH + 1
)

// glyphs holds the font: each string is the 7 rows of a glyph, separated by
// spaces.
var glyphs = map[rune]string{
	'A': ".###. #...# #...# ##### #...# #...# #...#",
	'B': "####. #...# #...# ####. #...# #...# ####.",
	'C': ".###. #...# #.... #.... #.... #...# .###.",
	'D': "####. #...# #...# #...# #...# #...# ####.",
	'E': "##### #.... #.... ####. #.... #.... #####",
	'F': "##### #.... #.... ####. #.... #.... #....",
	'G': ".###. #...# #.... #.### #...# #...# .####",
	'H': "#...# #...# #...# ##### #...# #...# #...#",
	'I': ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
	'J': "..### ...#. ...#. ...#. ...#. #..#. .##..",
	'K': "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
	'L': "#.... #.... #.... #.... #.... #.... #####",
	'M': "#...# ##.## #.#.# #.#.# #...# #...# #...#",
	'N': "#...# #...# ##..# #.#.# #..## #...# #...#",
	'O': ".###. #...# #...# #...# #...# #...# .###.",
	'P': "####. #...# #...# ####. #.... #.... #....",
	'Q': ".###. #...# #...# #...# #.#.# #..#. .##.#",
	'R': "####. #...# #...# ####. #.#.. #..#. #...#",
	'S': ".#### #.... #.... .###. ....# ....# ####.",
	'T': "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
	'U': "#...# #...# #...# #...# #...# #...# .###.",
	'V': "#...# #...# #...# #...# #...# .#.#. ..#..",
	'W': "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
	'X': "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
	'Y': "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
	'Z': "##### ....# ...#. ..#.. .#... #.... #####",
	'0': ".###. #...# #..## #.#.# ##..# #...# .###.",
	'1': "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
	'2': ".###. #...# ....# ...#. ..#.. .#... #####",
	'3': "##### ...#. ..#.. ...#. ....# #...# .###.",
	'4': "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
	'5': "##### #.... ####. ....# ....# #...# .###.",
	'6': "..##. .#... #.... ####. #...# #...# .###.",
	'7': "##### ....# ...#. ..#.. .#... .#... .#...",
	'8': ".###. #...# #...# .###. #...# #...# .###.",
	'9': ".###. #...# #...# .#### ....# ...#. .##..",
	' ': "..... ..... ..... ..... ..... ..... .....",
	'.': "..... ..... ..... ..... ..... .##.. .##..",
	',': "..... ..... ..... ..... .##.. ..#.. .#...",
	':': "..... .##.. .##.. ..... .##.. .##.. .....",
	'=': "..... ..... ##### ..... ##### ..... .....",
	'-': "..... ..... ..... ##### ..... ..... .....",
	'+': "..... ..#.. ..#.. ##### ..#.. ..#.. .....",
	'%': "##... ##..# ...#. ..#.. .#... #..## ...##",
	'(': "...#. ..#.. .#... .#... .#... ..#.. ...#.",
	')': ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",
	'/': "..... ....# ...#. ..#.. .#... #.... .....",
	'<': "...#. ..#.. .#... #.... .#... ..#.. ...#.",
	'>': ".#... ..#.. ...#. ....# ...#. ..#.. .#...",
	'_': "..... ..... ..... ..... ..... ..... #####",
	'?': ".###. #...# ....# ...#. ..#.. ..... ..#..",
	'×': "..... #...# .#.#. ..#.. .#.#. #...# .....",
}

// glyph returns the rows of r's glyph.
func glyph(r rune) []string {
	g, ok := glyphs[unicode.ToUpper(r)]
	if !ok {
		g = glyphs['?']
	}
	return strings.Fields(g)
}

// TextWidth returns the width in pixels of s drawn at scale k.
func TextWidth(s string, k int) int {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return 0
	}
	return (n*advance - 1) * k
}

// DrawText draws s on dst with its top-left corner at (x, y), each pixel of
// the font a k×k square of colour c. What falls outside dst is clipped.
func DrawText(dst *image.NRGBA, x, y int, s string, k int, c color.NRGBA) {
	i := 0
	for _, r := range s {
		for gy, row := range glyph(r) {
			for gx := range row {
				if row[gx] == '#' {
					fillRect(dst, x+(i*advance+gx)*k, y+gy*k, k, k, c)
				}
			}
		}
		i++
	}
}

// DrawTextUp draws s turned a quarter turn anticlockwise, reading from bottom
// to top, with the bottom-left corner of its first character at (x, y) (the
// tops of the letters face left). It is used for column labels.
func DrawTextUp(dst *image.NRGBA, x, y int, s string, k int, c color.NRGBA) {
	i := 0
	for _, r := range s {
		for gy, row := range glyph(r) {
			for gx := range row {
				if row[gx] == '#' {
					// font pixel (gx, gy) of character i: gx runs upwards, gy rightwards
					fillRect(dst, x+gy*k, y-(i*advance+gx+1)*k, k, k, c)
				}
			}
		}
		i++
	}
}

// fillRect paints the w×h rectangle with top-left corner (x, y), clipped to dst.
func fillRect(dst *image.NRGBA, x, y, w, h int, c color.NRGBA) {
	r := image.Rect(x, y, x+w, y+h).Intersect(dst.Bounds())
	for py := r.Min.Y; py < r.Max.Y; py++ {
		for px := r.Min.X; px < r.Max.X; px++ {
			dst.SetNRGBA(px, py, c)
		}
	}
}
