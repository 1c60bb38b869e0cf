// Package picture draws what a trained network holds as PNG-ready images,
// using nothing but the standard library: a vector of 3,072 values (a
// CIFAR-10 image, a row of W1, a row of W2·W1) as a 32×32 colour picture,
// grids of such pictures with captions, and a confusion matrix as a heat
// map. Text is drawn with a small hand-made bitmap font (see DrawText).
//
// The 3,072 values are laid out as CIFAR-10 stores an image: three planes
// of 32×32 values, red then green then blue, each plane row by row from the
// top-left pixel. Value j of a plane is the pixel in row j/32, column j%32.
package picture

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
)

// Side is the width and height of a CIFAR-10 image, Plane the number of
// values of one colour plane and Size the number of values of an image.
const (
	Side  = 32
	Plane = Side * Side
	Size  = 3 * Plane
)

// Colours used for text and backgrounds.
var (
	White = color.NRGBA{255, 255, 255, 255}
	Black = color.NRGBA{0, 0, 0, 255}
	Red   = color.NRGBA{200, 0, 0, 255}
	Grey  = color.NRGBA{90, 90, 90, 255}
)

// FromPixels draws an image stored as CIFAR-10 stores it, 3,072 values
// v = byte/255 in [0, 1]: the pixel in row r, column c is
// (v[32r+c], v[1024+32r+c], v[2048+32r+c]) · 255, rounded; values outside
// [0, 1] are clipped. It panics if len(v) is not 3,072.
func FromPixels(v []float64) *image.NRGBA {
	return fromPlanes(v, func(x float64) uint8 { return toByte(255 * x) })
}

// FromWeights draws 3,072 weights (a row of W1, the weights of one hidden
// unit, or a row of W2·W1) as a 32×32 colour image, scaled to their own
// range: the smallest of the 3,072 values becomes 0 and the largest 255,
//
//	byte = round(255 · (w − min) / (max − min)),
//
// the same map for the three planes, so that the balance of red, green and
// blue in the weights is the colour in the picture. A pixel is bright in a
// channel where the unit is excited by that colour and dark where it is
// inhibited; mid-grey is the middle of the range, not necessarily 0. If all
// values are equal the picture is mid-grey (128). Values that are not finite
// are ignored for the range and drawn as 128. It panics if len(w) is not
// 3,072.
func FromWeights(w []float64) *image.NRGBA {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range w {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	if !(hi > lo) {
		return fromPlanes(w, func(float64) uint8 { return 128 })
	}
	return fromPlanes(w, func(x float64) uint8 {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 128
		}
		return toByte(255 * (x - lo) / (hi - lo))
	})
}

// fromPlanes builds the 32×32 image whose pixel (r, c) has the channels
// f(v[j]), f(v[1024+j]), f(v[2048+j]) with j = 32r + c.
func fromPlanes(v []float64, f func(float64) uint8) *image.NRGBA {
	if len(v) != Size {
		panic(fmt.Sprintf("picture: an image has %d values, not %d", len(v), Size))
	}
	img := image.NewNRGBA(image.Rect(0, 0, Side, Side))
	for r := range Side {
		for c := range Side {
			j := r*Side + c
			img.SetNRGBA(c, r, color.NRGBA{f(v[j]), f(v[Plane+j]), f(v[2*Plane+j]), 255})
		}
	}
	return img
}

// toByte rounds x to the nearest byte, clipping it to [0, 255] (NaN → 0).
func toByte(x float64) uint8 {
	switch {
	case !(x > 0):
		return 0
	case x >= 255:
		return 255
	}
	return uint8(x + 0.5)
}

// Enlarge returns img k times wider and higher, each pixel a k×k square
// (nearest neighbour, so the pixels stay sharp).
func Enlarge(img image.Image, k int) *image.NRGBA {
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx()*k, b.Dy()*k))
	for y := range b.Dy() {
		for x := range b.Dx() {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			fillRect(out, x*k, y*k, k, k, c)
		}
	}
	return out
}

// PNG encodes img as a PNG file.
func PNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
