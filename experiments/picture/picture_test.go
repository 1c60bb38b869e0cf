package picture

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"
)

// redSquare returns the weights of a unit that looks for a red square:
// 1 in the red plane for rows 4..11 and columns 20..27 (top right, so that a
// transposed or mirrored picture puts it elsewhere), 0 everywhere else.
func redSquare() []float64 {
	w := make([]float64, Size)
	for r := 4; r < 12; r++ {
		for c := 20; c < 28; c++ {
			w[r*Side+c] = 1 // red plane
		}
	}
	return w
}

func inSquare(x, y int) bool { return y >= 4 && y < 12 && x >= 20 && x < 28 }

// decode encodes img as PNG and decodes it again, as a reader of the file
// would see it.
func decode(t *testing.T, img image.Image) image.Image {
	t.Helper()
	data, err := PNG(img)
	if err != nil {
		t.Fatal(err)
	}
	out, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func rgb(img image.Image, x, y int) [3]uint8 {
	c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
	return [3]uint8{c.R, c.G, c.B}
}

func TestFromWeightsRedSquare(t *testing.T) {
	img := decode(t, FromWeights(redSquare()))
	if b := img.Bounds(); b.Dx() != Side || b.Dy() != Side {
		t.Fatalf("picture is %v, want 32×32", b)
	}
	for y := range Side {
		for x := range Side {
			want := [3]uint8{0, 0, 0}
			if inSquare(x, y) {
				want = [3]uint8{255, 0, 0}
			}
			if got := rgb(img, x, y); got != want {
				t.Fatalf("pixel (x %d, y %d) = %v, want %v", x, y, got, want)
			}
		}
	}
}

func TestFromWeightsPlanesAndScale(t *testing.T) {
	// one value in each plane at a different pixel; the range is [-2, 2]
	w := make([]float64, Size)
	w[2*Side+5] = 2            // red, row 2, column 5
	w[Plane+7*Side+1] = 2      // green, row 7, column 1
	w[2*Plane+31*Side+30] = -2 // blue, row 31, column 30: the minimum
	img := FromWeights(w)
	for _, tc := range []struct {
		x, y int
		want [3]uint8
	}{
		{5, 2, [3]uint8{255, 128, 128}},   // max red; 0 is the middle of [-2, 2]
		{1, 7, [3]uint8{128, 255, 128}},   // max green
		{30, 31, [3]uint8{128, 128, 0}},   // min blue
		{0, 0, [3]uint8{128, 128, 128}},   // zero elsewhere
		{31, 30, [3]uint8{128, 128, 128}}, // the transposed place of the blue pixel
	} {
		if got := rgb(img, tc.x, tc.y); got != tc.want {
			t.Errorf("pixel (x %d, y %d) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
	// scaling is per unit: multiplying the weights by 1000 draws the same picture
	for j := range w {
		w[j] *= 1000
	}
	if got := FromWeights(w); !bytes.Equal(got.Pix, img.Pix) {
		t.Error("the picture of 1000·w differs from that of w: not scaled to its own range")
	}
	// constant and non-finite values do not panic and draw grey
	flat := make([]float64, Size)
	flat[0] = math.NaN()
	if got := rgb(FromWeights(flat), 0, 0); got != [3]uint8{128, 128, 128} {
		t.Errorf("constant weights: pixel = %v, want grey", got)
	}
}

func TestFromPixels(t *testing.T) {
	v := make([]float64, Size)
	j := 3*Side + 9
	v[j], v[Plane+j], v[2*Plane+j] = 10.0/255, 200.0/255, 1
	v[0] = 1.7 // clipped
	img := FromPixels(v)
	if got := rgb(img, 9, 3); got != [3]uint8{10, 200, 255} {
		t.Errorf("pixel (9, 3) = %v, want [10 200 255]", got)
	}
	if got := rgb(img, 0, 0); got != [3]uint8{255, 0, 0} {
		t.Errorf("pixel (0, 0) = %v, want [255 0 0]", got)
	}
}

func TestGridPlacesEnlargedTiles(t *testing.T) {
	sq := FromWeights(redSquare())
	grey := FromWeights(make([]float64, Size))
	const k = 3
	g := decode(t, Grid([]Tile{{Image: grey}, {Image: sq}, {Image: grey}}, 2, k, 1))
	// the second tile is in the first row, second column
	x0, y0 := gap+(Side*k+gap), gap
	for _, p := range [][2]int{{20, 4}, {27, 11}, {24, 8}} {
		for dy := range k {
			for dx := range k {
				if got := rgb(g, x0+p[0]*k+dx, y0+p[1]*k+dy); got != [3]uint8{255, 0, 0} {
					t.Fatalf("grid pixel of square pixel %v + (%d, %d) = %v, want red", p, dx, dy, got)
				}
			}
		}
	}
	if got := rgb(g, x0+19*k+k-1, y0+4*k); got != [3]uint8{0, 0, 0} {
		t.Errorf("left of the square: %v, want black", got)
	}
	if b := g.Bounds(); b.Dx() != gap+2*(Side*k+gap) || b.Dy() != gap+2*(Side*k+gap) {
		t.Errorf("grid of 3 tiles in 2 columns is %v", b)
	}
}

func TestFont(t *testing.T) {
	for r, g := range glyphs {
		rows := strings.Fields(g)
		if len(rows) != glyphH {
			t.Errorf("glyph %q has %d rows, want %d", r, len(rows), glyphH)
		}
		for _, row := range rows {
			if len(row) != glyphW || strings.Trim(row, "#.") != "" {
				t.Errorf("glyph %q: row %q is not %d of '#' and '.'", r, row, glyphW)
			}
		}
	}
	// "I" at scale 2: its top bar is 3 font pixels wide, centred
	img := image.NewNRGBA(image.Rect(0, 0, 20, 20))
	DrawText(img, 1, 1, "i", 2, Black)
	for x := range 20 {
		want := x >= 1+2 && x < 1+8 // columns 1..3 of the glyph, scale 2
		if got := img.NRGBAAt(x, 1).A == 255; got != want {
			t.Errorf("top row of I at x = %d: ink %v, want %v", x, got, want)
		}
	}
	if w := TextWidth("cat", 2); w != (3*6-1)*2 {
		t.Errorf("TextWidth(cat, 2) = %d", w)
	}
	// upwards: the stem of "I" is a horizontal line, the top bar on the left
	up := image.NewNRGBA(image.Rect(0, 0, 20, 20))
	DrawTextUp(up, 2, 18, "I", 1, Black)
	// (font pixel (gx, gy) lands at (2+gy, 17−gx))
	for _, p := range [][2]int{{2, 14}, {2, 15}, {2, 16}, {3, 15}, {7, 15}, {8, 14}, {8, 16}} {
		if up.NRGBAAt(p[0], p[1]).A != 255 {
			t.Errorf("upward I: no ink at %v", p)
		}
	}
	for _, p := range [][2]int{{2, 17}, {3, 14}, {2, 13}} {
		if up.NRGBAAt(p[0], p[1]).A != 0 {
			t.Errorf("upward I: ink at %v", p)
		}
	}
}

func TestConfusionColours(t *testing.T) {
	counts := [][]int{{8, 2}, {0, 5}}
	img := Confusion(counts, []string{"cat", "dog"})
	// find the cells through their colours: the first row's cells are 80%
	// and 20% of their row, the second row's 0% and 100%
	want := map[color.NRGBA]bool{HeatColor(0.8): false, HeatColor(0.2): false, HeatColor(1): false}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, ok := want[img.NRGBAAt(x, y)]; ok {
				want[img.NRGBAAt(x, y)] = true
			}
		}
	}
	for c, seen := range want {
		if !seen {
			t.Errorf("heat map has no cell of colour %v", c)
		}
	}
	if HeatColor(0) != White || HeatColor(2) != HeatColor(1) {
		t.Errorf("HeatColor(0) = %v, HeatColor(2) = %v", HeatColor(0), HeatColor(2))
	}
}
