package results

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/tapetest/tapetest/internal/golden"
)

// TestPNGEncoderKeepsThePixels: what encodePNG writes of an opaque image
// (its own RGB path, on a sub-image and across IDAT chunks too) decodes,
// with image/png, to the pixels it was given; a translucent image is
// image/png's encoding.
func TestPNGEncoderKeepsThePixels(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	noisy := func(w, h int, alpha func() uint8) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := 0; i < len(img.Pix); i += 4 {
			a := alpha()
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(r.IntN(int(a)+1)), uint8(r.IntN(int(a)+1)), uint8(r.IntN(int(a)+1)), a
		}
		return img
	}
	opaqueAlpha := func() uint8 { return 0xff }
	big := noisy(300, 400, opaqueAlpha) // more than one 64 KiB IDAT chunk
	tests := []struct {
		name    string
		img     *image.RGBA
		wantRGB bool
	}{
		{"opaque", big, true},
		{"opaque sub-image", big.SubImage(image.Rect(7, 9, 123, 200)).(*image.RGBA), true},
		{"one pixel", noisy(1, 1, opaqueAlpha), true},
		{"translucent", noisy(40, 30, func() uint8 { return uint8(r.IntN(256)) }), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := encodePNG(&b, tc.img); err != nil {
				t.Fatal(err)
			}
			if !tc.wantRGB { // image/png's own encoding, byte for byte (its premultiplied round trip is its own)
				var want bytes.Buffer
				if err := pngEncoder.Encode(&want, tc.img); err != nil || !bytes.Equal(b.Bytes(), want.Bytes()) {
					t.Fatalf("translucent image not written by image/png (%v)", err)
				}
				return
			}
			got, err := png.Decode(bytes.NewReader(b.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if _, rgb := got.(*image.RGBA); !rgb {
				t.Errorf("decoded as %T, want the RGB path's *image.RGBA", got)
			}
			bd := tc.img.Bounds()
			if got.Bounds().Dx() != bd.Dx() || got.Bounds().Dy() != bd.Dy() {
				t.Fatalf("decoded %v, want %v", got.Bounds(), bd)
			}
			for y := 0; y < bd.Dy(); y++ {
				for x := 0; x < bd.Dx(); x++ {
					want := color.RGBAModel.Convert(tc.img.At(bd.Min.X+x, bd.Min.Y+y))
					if g := color.RGBAModel.Convert(got.At(got.Bounds().Min.X+x, got.Bounds().Min.Y+y)); g != want {
						t.Fatalf("pixel (%d, %d) = %v, want %v", x, y, g, want)
					}
				}
			}
		})
	}
}

// TestPNGEncoderBytes holds encodePNG's bytes, not only its pixels, to a
// golden file: a plot-like image (lines and text-sized specks on white,
// an odd width) must encode exactly as it did, so that a faster encoder
// cannot change the result files. go test -run PNGEncoderBytes -update
// rewrites it.
func TestPNGEncoderBytes(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 241, 157))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	r := rand.New(rand.NewPCG(7, 8))
	for k := range 9 { // lines of a few colours
		c := color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 0xff}
		y0, y1 := r.IntN(157), r.IntN(157)
		for x := range 241 {
			img.SetRGBA(x, y0+(y1-y0)*x/240, c)
		}
		for range 40 * (k + 1) { // specks, as antialiased text leaves
			img.SetRGBA(r.IntN(241), r.IntN(157), color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 0xff})
		}
	}
	var b bytes.Buffer
	if err := encodePNG(&b, img); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "png_encoder_plot.png"), b.Bytes(), "the PNGs of the results would change")
}

// BenchmarkEncodePNG encodes a plot-sized opaque image (1200×800, the
// report's plots at 144 dpi): white with lines and specks, as a plot is.
func BenchmarkEncodePNG(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 1200, 800))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 30 {
		c := color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 0xff}
		y0, y1 := r.IntN(800), r.IntN(800)
		for x := range 1200 {
			img.SetRGBA(x, y0+(y1-y0)*x/1199, c)
		}
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := encodePNG(&buf, img); err != nil {
			b.Fatal(err)
		}
	}
}
