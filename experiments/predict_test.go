package experiments

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twolayer/cifar"
)

func TestReadPNG(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, w, h int) string {
		img := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				img.Set(x, y, color.NRGBA{uint8(x), uint8(y), uint8(x + y), 255})
			}
		}
		var b bytes.Buffer
		png.Encode(&b, img)
		path := filepath.Join(dir, name)
		os.WriteFile(path, b.Bytes(), 0o644)
		return path
	}
	x, err := ReadPNG(write("ok.png", 32, 32))
	if err != nil {
		t.Fatal(err)
	}
	// pixel (row 2, column 5): red plane, green plane, blue plane, each /255
	j := 2*32 + 5
	if x[j] != 5.0/255 || x[1024+j] != 2.0/255 || x[2048+j] != 7.0/255 {
		t.Errorf("pixel (2, 5) = %g, %g, %g; want 5/255, 2/255, 7/255", x[j], x[1024+j], x[2048+j])
	}
	notPNG := filepath.Join(dir, "text.png")
	os.WriteFile(notPNG, []byte("hello"), 0o644)
	// a header claiming 100,000×100,000 pixels: decoding it would try to
	// allocate 40 GB; the size check must come first, from the header
	huge, err := os.ReadFile(write("huge.png", 32, 32))
	if err != nil {
		t.Fatal(err)
	}
	binary.BigEndian.PutUint32(huge[16:], 100000) // IHDR width
	binary.BigEndian.PutUint32(huge[20:], 100000) // IHDR height
	binary.BigEndian.PutUint32(huge[29:], crc32.ChecksumIEEE(huge[12:29]))
	hugePath := filepath.Join(dir, "huge.png")
	os.WriteFile(hugePath, huge, 0o644)
	for _, tc := range []struct{ path, want string }{
		{write("wide.png", 33, 32), "33×32"},
		{write("small.png", 16, 16), "16×16"},
		{notPNG, "not a PNG"},
		{hugePath, "100000×100000"},
		{filepath.Join(dir, "absent.png"), "absent.png"},
	} {
		if _, err := ReadPNG(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadPNG(%s): error %v, want one mentioning %q", filepath.Base(tc.path), err, tc.want)
		}
	}
}

// TestReadPNGMatchesBatch writes an image of a batch file as a PNG and
// checks that ReadPNG gives back the batch's features exactly.
func TestReadPNGMatchesBatch(t *testing.T) {
	dir := writeFakeCIFAR(t)
	b, err := cifar.LoadBatch(filepath.Join(dir, "test_batch.bin"))
	if err != nil {
		t.Fatal(err)
	}
	row := b.X.Row(3)
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for j := range 1024 {
		px := func(v float64) uint8 { return uint8(v*255 + 0.5) }
		img.Set(j%32, j/32, color.RGBA{px(row[j]), px(row[1024+j]), px(row[2048+j]), 255})
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	path := filepath.Join(t.TempDir(), "img.png")
	os.WriteFile(path, buf.Bytes(), 0o644)
	x, err := ReadPNG(path)
	if err != nil {
		t.Fatal(err)
	}
	for j := range x {
		if x[j] != row[j] {
			t.Fatalf("feature %d = %g, want the batch's %g", j, x[j], row[j])
		}
	}
}
