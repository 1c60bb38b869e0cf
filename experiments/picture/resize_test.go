package picture

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"
)

// randomImage returns a w×h image of random colours and the colour of
// each pixel.
func randomImage(w, h int, seed uint64) *image.NRGBA {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255})
		}
	}
	return img
}

// wantPixels returns the CIFAR-10 values of the 32×32 region of img with
// top-left corner (x0, y0), each pixel v as v/255.
func wantPixels(img *image.NRGBA, x0, y0 int) []float64 {
	v := make([]float64, Size)
	for r := range Side {
		for c := range Side {
			p := img.NRGBAAt(x0+c, y0+r)
			j := r*Side + c
			v[j], v[Plane+j], v[2*Plane+j] = float64(p.R)/255, float64(p.G)/255, float64(p.B)/255
		}
	}
	return v
}

func same(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for j := range want {
		if got[j] != want[j] {
			t.Fatalf("%s: value %d (plane %d, row %d, column %d) = %v, want %v exactly",
				what, j, j/Plane, j%Plane/Side, j%Side, got[j], want[j])
		}
	}
}

func TestToCIFARIdentity(t *testing.T) {
	img := randomImage(32, 32, 1)
	same(t, "32×32", ToCIFAR(img), wantPixels(img, 0, 0))
	// a sub-image whose bounds do not start at (0, 0)
	big := randomImage(50, 40, 2)
	sub := big.SubImage(image.Rect(10, 4, 42, 36))
	same(t, "32×32 sub-image", ToCIFAR(sub), wantPixels(big, 10, 4))
}

func TestToCIFARBlocks(t *testing.T) {
	small := randomImage(32, 32, 3)
	// 64×64 made of 2×2 blocks of small's pixels
	big := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			big.SetNRGBA(x, y, small.NRGBAAt(x/2, y/2))
		}
	}
	same(t, "64×64 of 2×2 blocks", ToCIFAR(big), wantPixels(small, 0, 0))
	// and back: 16×16 enlarged, each pixel a 2×2 square
	tiny := randomImage(16, 16, 4)
	up := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	for y := range 32 {
		for x := range 32 {
			up.SetNRGBA(x, y, tiny.NRGBAAt(x/2, y/2))
		}
	}
	same(t, "16×16 enlarged", ToCIFAR(tiny), wantPixels(up, 0, 0))
}

func TestToCIFARCentreCrop(t *testing.T) {
	// 40×32: the 4 columns on each side are dropped
	wide := randomImage(40, 32, 5)
	same(t, "40×32", ToCIFAR(wide), wantPixels(wide, 4, 0))
	// 32×49: 8 rows dropped at the top, 9 at the bottom
	tall := randomImage(32, 49, 6)
	same(t, "32×49", ToCIFAR(tall), wantPixels(tall, 0, 8))
}

func TestToCIFARAreaWeights(t *testing.T) {
	// 48×48 to 32: output pixel 0 covers source pixels 0 and half of 1,
	// weights 2/3 and 1/3; output 1 the other half of 1 and all of 2
	img := image.NewNRGBA(image.Rect(0, 0, 48, 48))
	for y := range 48 {
		for x := range 48 {
			img.SetNRGBA(x, y, color.NRGBA{uint8(30 * (x % 3)), 0, 0, 255}) // red 0, 30, 60, 0, 30, 60, ...
		}
	}
	v := ToCIFAR(img)
	for c, want := range []float64{(2.0/3*0 + 1.0/3*30) / 255, (1.0/3*30 + 2.0/3*60) / 255} {
		if got := v[5*Side+c]; !(abs(got-want) < 1e-12) {
			t.Errorf("column %d: %v, want %v", c, got, want)
		}
	}
	// the weights of every output pixel sum to 1
	for _, s := range []int{1, 7, 31, 32, 33, 48, 64, 1000, 4033} {
		for i, tp := range boxTaps(s) {
			sum := 0.0
			for _, x := range tp {
				sum += x.w
			}
			if !(abs(sum-1) < 1e-12) {
				t.Errorf("s = %d, output %d: weights sum to %v", s, i, sum)
			}
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
