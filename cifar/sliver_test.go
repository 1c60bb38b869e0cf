package cifar

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSliver checks Images.Sliver against Image, bit for bit: for raw
// images, images with statistics where the kernels' formula is exact, and
// statistics where some features need the division (TestKernelsFallback's);
// slivers 8, 16 and 24 wide; every tail length kc mod 8 at several offsets
// j, and the whole image. It also checks that nothing past the sliver is
// written.
func TestSliver(t *testing.T) {
	if sliverKernel == nil {
		t.Skip("no Sliver kernel in this build or on this CPU (it needs AVX-512): Sliver declines, and products read images with Image")
	}
	const n = 30
	r := rand.New(rand.NewPCG(3, 4))
	pix, labels := make([]byte, n*ImageSize), make([]byte, n)
	for i := range pix {
		pix[i] = byte(r.IntN(256))
	}
	raw, err := NewImages(pix, labels)
	if err != nil {
		t.Fatal(err)
	}
	odd := syntheticStats(ImageSize, 8)
	for k, o := range []struct{ m, s float64 }{{0.5, 0}, {0.5, 1e-310}, {0.5, 1e308}, {math.Inf(1), 0.2}, {0.3, math.Inf(1)}} {
		odd.Mean[2+9*k], odd.Std[2+9*k] = o.m, o.s
	}
	if len(newNormalizer(odd).divide) == 0 {
		t.Fatal("no feature needs the division: the fallback is not tested")
	}
	sets := map[string]Images{"raw": raw, "stats": raw.WithStats(syntheticStats(ImageSize, 9)), "fallback": raw.WithStats(odd)}
	type block struct{ j, kc int }
	var blocks []block
	for kc := range 18 {
		for _, j := range []int{0, 1, 5, 40} {
			blocks = append(blocks, block{j, kc})
		}
	}
	blocks = append(blocks, block{0, 237}, block{2835, 237}, block{3070, 2}, block{0, ImageSize})
	row := make([]float64, ImageSize)
	for name, m := range sets {
		for _, w := range []int{8, 16, 24} {
			for _, b := range blocks {
				for _, i0 := range []int{0, n - w} {
					dst := make([]float64, b.kc*w+5)
					for i := range dst {
						dst[i] = -7
					}
					if !m.Sliver(dst[:b.kc*w], w, i0, b.j, b.kc) {
						t.Fatalf("%s: Sliver(w %d) declined", name, w)
					}
					for rr := range w {
						m.Image(row[:b.kc], i0+rr, b.j)
						for p := range b.kc {
							got, want := dst[p*w+rr], row[p]
							if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
								t.Fatalf("%s: w %d, images %d.., values %d..%d: image %d value %d is %v, Image gives %v",
									name, w, i0, b.j, b.j+b.kc, i0+rr, b.j+p, got, want)
							}
						}
					}
					for i := b.kc * w; i < len(dst); i++ {
						if dst[i] != -7 {
							t.Fatalf("%s: w %d, values %d..%d: dst[%d] past the sliver written", name, w, b.j, b.j+b.kc, i)
						}
					}
				}
			}
		}
	}
}

// TestSliverDeclines checks that Sliver writes nothing and reports false for
// a width that is not a multiple of 8, and panics, naming the call, for
// images or values that do not exist and for a dst too short.
func TestSliverDeclines(t *testing.T) {
	m, err := NewImages(make([]byte, 16*ImageSize), make([]byte, 16))
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float64, 12*10)
	if m.Sliver(dst, 12, 0, 0, 10) {
		t.Error("Sliver of a width of 12 reported true")
	}
	if sliverKernel == nil {
		t.Skip("no Sliver kernel in this build or on this CPU: the panics are not reached")
	}
	for _, tc := range []struct {
		name             string
		dst, w, i0, j, k int
	}{
		{"images past the end", 160, 16, 8, 0, 10},
		{"negative first image", 160, 8, -1, 0, 10},
		{"values past the image", 160, 8, 0, ImageSize - 5, 10},
		{"negative value", 160, 8, 0, -1, 10},
		{"negative kc", 160, 8, 0, 0, -1},
		{"dst too short", 79, 8, 0, 0, 10},
	} {
		func() {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(v.(string), "Images.Sliver") {
					t.Errorf("%s: recovered %v, want a panic naming Images.Sliver", tc.name, v)
				}
			}()
			m.Sliver(make([]float64, tc.dst), tc.w, tc.i0, tc.j, tc.k)
		}()
	}
}
