package picture

import (
	"image"
	"image/color"
)

// ToCIFAR turns an image of any size into the 3,072 values of a CIFAR-10
// record (the inverse of FromPixels): red, then green, then blue plane,
// each 32×32 row by row, each value byte/255 in [0, 1].
//
// A rectangular image is first cropped to the square in its middle (side
// s = min(width, height); the crop drops ⌊(width − s)/2⌋ columns on the
// left, ⌊(height − s)/2⌋ rows at the top), so that the picture keeps its
// proportions. The square is then scaled to 32×32 by area averaging: output
// pixel (r, c) is the mean of the source square [c·s/32, (c+1)·s/32) ×
// [r·s/32, (r+1)·s/32), each source pixel weighted by the share of its area
// inside (a box filter, exact in both directions: a 64×64 image of 2×2
// blocks becomes the 32×32 image of the blocks, a 32×32 image stays
// itself, and a smaller image is enlarged with its pixels as squares).
// Transparency is ignored (an 8-bit PNG's transparent pixels count with the
// colour stored in them).
func ToCIFAR(img image.Image) []float64 {
	b := img.Bounds()
	s := min(b.Dx(), b.Dy())
	out := make([]float64, Size)
	if s == 0 {
		return out
	}
	x0, y0 := b.Min.X+(b.Dx()-s)/2, b.Min.Y+(b.Dy()-s)/2
	taps := boxTaps(s)
	at := rgbAt(img)
	// rows first: each source row of the square becomes 32 columns
	rows := make([][3]float64, s*Side)
	for y := range s {
		for c, tc := range taps {
			var sum [3]float64
			for _, t := range tc {
				px := at(x0+t.src, y0+y)
				for ch := range 3 {
					sum[ch] += t.w * px[ch]
				}
			}
			rows[y*Side+c] = sum
		}
	}
	// then columns: 32 rows of the 32 columns
	for r, tr := range taps {
		for c := range Side {
			var sum [3]float64
			for _, t := range tr {
				v := rows[t.src*Side+c]
				for ch := range 3 {
					sum[ch] += t.w * v[ch]
				}
			}
			for ch := range 3 {
				out[ch*Plane+r*Side+c] = sum[ch] / 255
			}
		}
	}
	return out
}

// tap is one source pixel of an output pixel and its weight.
type tap struct {
	src int
	w   float64
}

// boxTaps returns, for each of the 32 output pixels along a side of s
// source pixels, the source pixels it overlaps and their weights: output i
// covers [i·s, (i+1)·s) and source j covers [32j, 32j+32), both measured in
// 1/32 of a source pixel; the weight of j is the length of the overlap
// divided by s, so the weights of an output pixel sum to 1.
func boxTaps(s int) [Side][]tap {
	var taps [Side][]tap
	for i := range Side {
		lo, hi := i*s, (i+1)*s
		for j := lo / Side; j*Side < hi; j++ {
			overlap := min(hi, (j+1)*Side) - max(lo, j*Side)
			if overlap > 0 {
				taps[i] = append(taps[i], tap{j, float64(overlap) / float64(s)})
			}
		}
	}
	return taps
}

// rgbAt returns a function giving the red, green and blue bytes (0..255,
// not premultiplied) of a pixel of img, reading the common image types
// directly (a JPEG decodes to YCbCr or Gray, a PNG to NRGBA, RGBA, Gray
// or Paletted).
func rgbAt(img image.Image) func(x, y int) [3]float64 {
	switch im := img.(type) {
	case *image.YCbCr:
		return func(x, y int) [3]float64 {
			c := im.YCbCrAt(x, y)
			r, g, b := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
			return [3]float64{float64(r), float64(g), float64(b)}
		}
	case *image.NRGBA:
		return func(x, y int) [3]float64 {
			c := im.NRGBAAt(x, y)
			return [3]float64{float64(c.R), float64(c.G), float64(c.B)}
		}
	case *image.Gray:
		return func(x, y int) [3]float64 {
			v := float64(im.GrayAt(x, y).Y)
			return [3]float64{v, v, v}
		}
	}
	return func(x, y int) [3]float64 {
		c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
		return [3]float64{float64(c.R), float64(c.G), float64(c.B)}
	}
}
