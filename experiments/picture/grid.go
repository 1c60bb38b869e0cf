package picture

import (
	"image"
	"image/color"
)

// A Tile is one picture of a grid with the lines of its caption.
type Tile struct {
	Image   image.Image
	Caption []Line
}

// A Line is a line of a caption and its colour.
type Line struct {
	Text  string
	Color color.NRGBA
}

// gap is the white space between the cells of a grid, and around it, in
// pixels.
const gap = 6

// Grid lays tiles out on a white background in rows of cols, left to right
// and top to bottom: each picture enlarged k times (see Enlarge), its
// caption centred under it with the font at scale textScale. Every cell has
// the size of the largest picture and caption.
func Grid(tiles []Tile, cols, k, textScale int) *image.NRGBA {
	if cols < 1 {
		cols = 1
	}
	cellW, imgH, lines := 0, 0, 0
	for _, t := range tiles {
		b := t.Image.Bounds()
		cellW, imgH = max(cellW, b.Dx()*k), max(imgH, b.Dy()*k)
		lines = max(lines, len(t.Caption))
		for _, l := range t.Caption {
			cellW = max(cellW, TextWidth(l.Text, textScale))
		}
	}
	capH := 0
	if lines > 0 {
		capH = textScale + lines*LineHeight*textScale
	}
	cellH := imgH + capH
	cols = min(cols, max(len(tiles), 1))
	rows := (len(tiles) + cols - 1) / cols
	out := image.NewNRGBA(image.Rect(0, 0, gap+cols*(cellW+gap), gap+rows*(cellH+gap)))
	fillRect(out, 0, 0, out.Bounds().Dx(), out.Bounds().Dy(), White)
	for i, t := range tiles {
		x0, y0 := gap+(i%cols)*(cellW+gap), gap+(i/cols)*(cellH+gap)
		big := Enlarge(t.Image, k)
		bw := big.Bounds().Dx()
		paste(out, big, x0+(cellW-bw)/2, y0)
		for j, l := range t.Caption {
			w := TextWidth(l.Text, textScale)
			DrawText(out, x0+(cellW-w)/2, y0+imgH+textScale+j*LineHeight*textScale, l.Text, textScale, l.Color)
		}
	}
	return out
}

// paste copies src onto dst with src's top-left corner at (x, y).
func paste(dst, src *image.NRGBA, x, y int) {
	b := src.Bounds()
	for sy := b.Min.Y; sy < b.Max.Y; sy++ {
		for sx := b.Min.X; sx < b.Max.X; sx++ {
			dst.SetNRGBA(x+sx-b.Min.X, y+sy-b.Min.Y, src.NRGBAAt(sx, sy))
		}
	}
}
