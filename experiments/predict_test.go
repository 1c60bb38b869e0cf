package experiments

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"twolayer/cifar"
	"twolayer/matrix"
	"twolayer/network"
)

// writeImage writes img to dir/name with encode and returns the path.
func writeImage(t *testing.T, dir, name string, img image.Image, encode func(io.Writer, image.Image) error) string {
	t.Helper()
	var b bytes.Buffer
	if err := encode(&b, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadImage(t *testing.T) {
	dir := t.TempDir()
	gradient := func(w, h int) image.Image {
		img := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				img.Set(x, y, color.NRGBA{uint8(x), uint8(y), uint8(x + y), 255})
			}
		}
		return img
	}
	x, err := ReadImage(writeImage(t, dir, "ok.png", gradient(32, 32), png.Encode))
	if err != nil {
		t.Fatal(err)
	}
	// pixel (row 2, column 5): red plane, green plane, blue plane, each /255
	j := 2*32 + 5
	if x[j] != 5.0/255 || x[1024+j] != 2.0/255 || x[2048+j] != 7.0/255 {
		t.Errorf("pixel (2, 5) = %g, %g, %g; want 5/255, 2/255, 7/255", x[j], x[1024+j], x[2048+j])
	}
	// any size is taken: 34×32 is centre-cropped to columns 1..32
	x, err = ReadImage(writeImage(t, dir, "wide.png", gradient(34, 32), png.Encode))
	if err != nil {
		t.Fatal(err)
	}
	if x[j] != 6.0/255 || x[1024+j] != 2.0/255 {
		t.Errorf("34×32, pixel (2, 5) = %g, %g; want 6/255, 2/255 (one column cropped on the left)", x[j], x[1024+j])
	}

	notImage := filepath.Join(dir, "text.png")
	os.WriteFile(notImage, []byte("hello"), 0o644)
	// a header claiming 100,000×100,000 pixels: decoding it would try to
	// allocate 40 GB; the size check must come first, from the header
	huge, err := os.ReadFile(writeImage(t, dir, "huge.png", gradient(32, 32), png.Encode))
	if err != nil {
		t.Fatal(err)
	}
	binary.BigEndian.PutUint32(huge[16:], 100000) // IHDR width
	binary.BigEndian.PutUint32(huge[20:], 100000) // IHDR height
	binary.BigEndian.PutUint32(huge[29:], crc32.ChecksumIEEE(huge[12:29]))
	hugePath := filepath.Join(dir, "huge.png")
	os.WriteFile(hugePath, huge, 0o644)
	// a PNG cut short after its header
	good, _ := os.ReadFile(filepath.Join(dir, "ok.png"))
	cut := filepath.Join(dir, "cut.png")
	os.WriteFile(cut, good[:60], 0o644)
	gifPath := writeImage(t, dir, "a.gif", gradient(8, 8), func(w io.Writer, m image.Image) error { return gif.Encode(w, m, nil) })
	for _, tc := range []struct{ path, want string }{
		{notImage, "text.png is not a PNG or JPEG image"},
		{hugePath, "100000×100000"},
		{cut, "cut.png: damaged PNG image"},
		{gifPath, "a GIF image; give a PNG or JPEG"},
		{filepath.Join(dir, "absent.png"), "absent.png"},
	} {
		_, err := ReadImage(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ReadImage(%s): error %v, want one line mentioning %q", filepath.Base(tc.path), err, tc.want)
		}
	}
}

// TestReadImageJPEG reads a JPEG photo-like image that is wider than high:
// three vertical bands, red, green and blue, of 32 columns each, 64 rows.
// The centre crop keeps columns 16..79, so after halving, columns 0..7 are
// red, 8..23 green and 24..31 blue (within JPEG's loss, away from the edges).
func TestReadImageJPEG(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 96, 64))
	bands := []color.NRGBA{{220, 20, 20, 255}, {20, 200, 20, 255}, {20, 20, 220, 255}}
	for y := range 64 {
		for x := range 96 {
			img.SetNRGBA(x, y, bands[x/32])
		}
	}
	path := writeImage(t, t.TempDir(), "photo.jpg", img, func(w io.Writer, m image.Image) error {
		return jpeg.Encode(w, m, &jpeg.Options{Quality: 95})
	})
	x, err := ReadImage(path)
	if err != nil {
		t.Fatal(err)
	}
	for row := 2; row < 30; row++ {
		for col := range 32 {
			band := 1
			switch {
			case col < 6:
				band = 0
			case col >= 26:
				band = 2
			case col < 10 || col >= 22:
				continue // the edges between bands, blurred by JPEG
			}
			want := bands[band]
			j := row*32 + col
			for ch, v := range []uint8{want.R, want.G, want.B} {
				if got := x[ch*1024+j] * 255; !(math.Abs(got-float64(v)) <= 12) {
					t.Fatalf("pixel (%d, %d) channel %d = %.1f, want %d ± 12 (band %d)", row, col, ch, got, v, band)
				}
			}
		}
	}
}

// TestReadImageMatchesBatch writes an image of a batch file as a PNG and
// checks that ReadImage gives back the batch's features exactly.
func TestReadImageMatchesBatch(t *testing.T) {
	dir := writeFakeCIFAR(t)
	b, err := cifar.LoadBatch(filepath.Join(dir, "test_batch.bin"))
	if err != nil {
		t.Fatal(err)
	}
	row := b.Slice(3, 4).Matrix().Row(0)
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for j := range 1024 {
		px := func(v float64) uint8 { return uint8(v*255 + 0.5) }
		img.Set(j%32, j/32, color.RGBA{px(row[j]), px(row[1024+j]), px(row[2048+j]), 255})
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	path := filepath.Join(t.TempDir(), "img.png")
	os.WriteFile(path, buf.Bytes(), 0o644)
	x, err := ReadImage(path)
	if err != nil {
		t.Fatal(err)
	}
	for j := range x {
		if x[j] != row[j] {
			t.Fatalf("feature %d = %g, want the batch's %g", j, x[j], row[j])
		}
	}
}

// TestReadImageKinds reads the other kinds of PNG and JPEG a user may
// have: grey, paletted, 16 bits a channel, a single pixel; each gives the
// expected uniform colour.
func TestReadImageKinds(t *testing.T) {
	dir := t.TempDir()
	gray := image.NewGray(image.Rect(0, 0, 40, 30))
	pal := image.NewPaletted(image.Rect(0, 0, 7, 9), color.Palette{color.NRGBA{10, 20, 30, 255}})
	deep := image.NewNRGBA64(image.Rect(0, 0, 64, 64))
	one := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	for y := range 64 {
		for x := range 64 {
			deep.SetNRGBA64(x, y, color.NRGBA64{0xffff, 0x8080, 0, 0xffff})
		}
	}
	for y := range 30 {
		for x := range 40 {
			gray.SetGray(x, y, color.Gray{77})
		}
	}
	one.SetNRGBA(0, 0, color.NRGBA{200, 100, 50, 255})
	jpegGray := func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, &jpeg.Options{Quality: 100}) }
	for _, tc := range []struct {
		name    string
		img     image.Image
		encode  func(io.Writer, image.Image) error
		r, g, b float64 // bytes
	}{
		{"gray.png", gray, png.Encode, 77, 77, 77},
		{"gray.jpg", gray, jpegGray, 77, 77, 77},
		{"paletted.png", pal, png.Encode, 10, 20, 30},
		{"deep.png", deep, png.Encode, 255, 128, 0},
		{"one.png", one, png.Encode, 200, 100, 50},
	} {
		x, err := ReadImage(writeImage(t, dir, tc.name, tc.img, tc.encode))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		for j := range 1024 {
			for ch, want := range []float64{tc.r, tc.g, tc.b} {
				if got := 255 * x[ch*1024+j]; !(math.Abs(got-want) <= 1) {
					t.Fatalf("%s: pixel %d channel %d = %.2f, want %g", tc.name, j, ch, got, want)
				}
			}
		}
	}
}

// TestPredictTopClasses: a prediction lists the TopClasses most probable
// classes, most probable first, starting with the predicted class, each with
// its probability; ties go to the lower label. The model's output is known:
// with zero weights every image gets softmax(b2).
func TestPredictTopClasses(t *testing.T) {
	p := network.NewParams(cifar.ImageSize, 4, cifar.NumClasses)
	copy(p.B2, []float64{0.1, 2, -1, 3, 0.5, 2, 0, -2, 2.5, 1})
	m := &network.Model{Params: p, Classes: cifar.DefaultClassNames()}
	X := matrix.New(2, cifar.ImageSize)
	preds := predict([]*network.Model{m}, X, []string{"a", "b"}, []int{-1, 3})
	probs := make([]float64, len(p.B2))
	sum := 0.0
	for k, b := range p.B2 {
		probs[k] = math.Exp(b)
		sum += probs[k]
	}
	for i, pr := range preds {
		var labels []int
		for _, g := range pr.Top {
			labels = append(labels, g.Label)
			if want := probs[g.Label] / sum; math.Abs(g.Probability-want) > 1e-12 || g.Class != m.Classes[g.Label] {
				t.Errorf("image %d: class %d (%s) with probability %g, want %s with %g", i, g.Label, g.Class, g.Probability, m.Classes[g.Label], want)
			}
		}
		// 3 (b = 3), then 8 (2.5), then 1 and 5 tie (2): the lower label
		if want := []int{3, 8, 1}; !slices.Equal(labels, want) {
			t.Errorf("image %d: top classes %v, want %v (most probable first)", i, labels, want)
		}
		if pr.Label != 3 || pr.Class != m.Classes[3] || pr.Probability != pr.Top[0].Probability {
			t.Errorf("image %d: predicted %d (%s, %g), want the first of the top classes", i, pr.Label, pr.Class, pr.Probability)
		}
	}
	if preds[0].TrueLabel != -1 || preds[1].TrueLabel != 3 || preds[1].Source != "b" {
		t.Errorf("sources and true labels: %+v", preds)
	}
	// the predicted class comes first even when another ties with it
	if got := topClasses([]float64{0.4, 0.1, 0.4, 0.1}, 2, 3); !slices.Equal(got, []int{2, 0, 1}) {
		t.Errorf("topClasses with the predicted class 2 tied with 0: %v, want [2 0 1]", got)
	}
}
