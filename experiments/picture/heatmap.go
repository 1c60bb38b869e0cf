package picture

import (
	"fmt"
	"image"
	"image/color"
)

// HeatColor is the colour of a fraction f in [0, 1] in the heat maps: white
// for 0 to dark blue for 1, linearly in each channel (values outside [0, 1]
// are clipped).
func HeatColor(f float64) color.NRGBA {
	f = max(0, min(1, f))
	mix := func(a, b float64) uint8 { return toByte(a + f*(b-a)) }
	return color.NRGBA{mix(255, 8), mix(255, 48), mix(255, 107), 255}
}

// Confusion draws a K×K confusion matrix as a heat map: counts[i][j] is
// the number of images of true class i that the network put in class j.
// Row i is true class i (its name on the left), column j predicted class j
// (its name written upwards above the column). Each cell shows its count,
// coloured by HeatColor of its share of the row (count / images of class
// i), so the diagonal is the accuracy of each class. The picture is drawn
// at scale 2 (each font pixel 2×2). It panics if counts is not square or
// names has another length.
func Confusion(counts [][]int, names []string) *image.NRGBA {
	const cell, k = 26, 2 // cell size and scale
	n := len(counts)
	if len(names) != n {
		panic(fmt.Sprintf("picture.Confusion: %d names for %d classes", len(names), n))
	}
	label := 0
	for _, s := range names {
		label = max(label, TextWidth(s, 1))
	}
	title := "ROWS: TRUE CLASS, COLUMNS: PREDICTED"
	left := gap + label + gap
	top := gap + LineHeight + gap + label + gap
	w := max(left+n*cell, TextWidth(title, 1)+gap) + gap
	h := top + n*cell + gap
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	fillRect(img, 0, 0, w, h, White)
	DrawText(img, gap, gap, title, 1, Grey)
	for i, row := range counts {
		if len(row) != n {
			panic(fmt.Sprintf("picture.Confusion: row %d has %d counts for %d classes", i, len(row), n))
		}
		y := top + i*cell
		DrawText(img, left-gap-TextWidth(names[i], 1), y+(cell-glyphH)/2, names[i], 1, Black)
		DrawTextUp(img, left+i*cell+(cell-glyphH)/2, top-gap, names[i], 1, Black)
		total := 0
		for _, c := range row {
			total += c
		}
		for j, c := range row {
			f := 0.0
			if total > 0 {
				f = float64(c) / float64(total)
			}
			x := left + j*cell
			fillRect(img, x, y, cell, cell, HeatColor(f))
			ink := Black
			if f > 0.5 {
				ink = White
			}
			s := fmt.Sprint(c)
			DrawText(img, x+(cell-TextWidth(s, 1)+1)/2, y+(cell-glyphH)/2, s, 1, ink)
		}
	}
	// thin grey lines between the cells
	for i := 0; i <= n; i++ {
		fillRect(img, left+i*cell, top, 1, n*cell+1, color.NRGBA{200, 200, 200, 255})
		fillRect(img, left, top+i*cell, n*cell+1, 1, color.NRGBA{200, 200, 200, 255})
	}
	return Enlarge(img, k)
}
