package imagefolder

import (
	"image"
	"image/color"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// u16 maps 16-bit values to the float32 a sample holds.
func u16(vs ...uint16) []float32 {
	out := make([]float32, len(vs))
	for i, v := range vs {
		out[i] = float32(v) / 65535
	}
	return out
}

// TestConversions decodes files of every pixel layout and checks known
// values with 3 and with 1 channels. The gray values are Pillow's
// convert("L"), e.g. RGB (10, 200, 30) → 124 and (200, 100, 50) → 124.
func TestConversions(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 2, 1))
	gray.Pix = []uint8{0, 200}

	gray16 := image.NewGray16(image.Rect(0, 0, 2, 1))
	gray16.SetGray16(0, 0, color.Gray16{Y: 1000})
	gray16.SetGray16(1, 0, color.Gray16{Y: 65535})

	rgba := image.NewNRGBA(image.Rect(0, 0, 2, 1)) // PNG with transparency
	rgba.SetNRGBA(0, 0, color.NRGBA{10, 200, 30, 0})
	rgba.SetNRGBA(1, 0, color.NRGBA{200, 100, 50, 128})

	rgb16 := image.NewRGBA64(image.Rect(0, 0, 2, 1)) // opaque 16-bit RGB PNG
	rgb16.SetRGBA64(0, 0, color.RGBA64{1000, 2000, 3000, 65535})
	rgb16.SetRGBA64(1, 0, color.RGBA64{65535, 0, 32768, 65535})

	grayAlpha := image.NewNRGBA(image.Rect(0, 0, 2, 1)) // PNG encodes it as gray+alpha
	grayAlpha.SetNRGBA(0, 0, color.NRGBA{77, 77, 77, 10})
	grayAlpha.SetNRGBA(1, 0, color.NRGBA{5, 5, 5, 255})

	pal := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{
		color.NRGBA{10, 200, 30, 255}, color.NRGBA{200, 100, 50, 40},
	})
	pal.Pix = []uint8{1, 0}
	opaquePal := image.NewPaletted(pal.Rect, color.Palette{ // TIFF palettes have no alpha
		color.NRGBA{10, 200, 30, 255}, color.NRGBA{200, 100, 50, 255},
	})
	opaquePal.Pix = pal.Pix

	l16 := func(r, g, b uint16) uint16 { // Pillow's integer luma at 16 bits
		return uint16((19595*uint64(r) + 38470*uint64(g) + 7471*uint64(b) + 1<<15) >> 16)
	}
	for _, tc := range []struct {
		name      string
		file      []byte
		rgb, gray [2][]float32 // pixels (0,0) and (0,1)
	}{
		{"gray.png", encPNG(t, gray), [2][]float32{u8(0, 0, 0), u8(200, 200, 200)}, [2][]float32{u8(0), u8(200)}},
		{"gray16.png", encPNG(t, gray16), [2][]float32{u16(1000, 1000, 1000), u16(65535, 65535, 65535)}, [2][]float32{u16(1000), u16(65535)}},
		{"rgba.png", encPNG(t, rgba), [2][]float32{u8(10, 200, 30), u8(200, 100, 50)}, [2][]float32{u8(124), u8(124)}},
		{"rgb16.png", encPNG(t, rgb16), [2][]float32{u16(1000, 2000, 3000), u16(65535, 0, 32768)}, [2][]float32{u16(l16(1000, 2000, 3000)), u16(l16(65535, 0, 32768))}},
		{"grayalpha.png", encPNG(t, grayAlpha), [2][]float32{u8(77, 77, 77), u8(5, 5, 5)}, [2][]float32{u8(77), u8(5)}},
		{"paletted.png", encPNG(t, pal), [2][]float32{u8(200, 100, 50), u8(10, 200, 30)}, [2][]float32{u8(124), u8(124)}},
		{"paletted.tiff", encTIFF(t, opaquePal), [2][]float32{u8(200, 100, 50), u8(10, 200, 30)}, [2][]float32{u8(124), u8(124)}},
		{"gray.tiff", encTIFF(t, gray), [2][]float32{u8(0, 0, 0), u8(200, 200, 200)}, [2][]float32{u8(0), u8(200)}},
		{"rgba.tiff", encTIFF(t, rgba), [2][]float32{u8(10, 200, 30), u8(200, 100, 50)}, [2][]float32{u8(124), u8(124)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := writeTree(t, map[string][]byte{"a/" + tc.name: tc.file, "b/x.png": pngOf(t, 1)})
			for _, channels := range []int{3, 1} {
				f, err := Open(root, Options{Channels: channels})
				require.NoError(t, err)
				s, err := f.Get(0)
				require.NoError(t, err)
				require.Equal(t, [3]int{channels, 1, 2}, [3]int{s.C, s.H, s.W})
				want := tc.rgb
				if channels == 1 {
					want = tc.gray
				}
				for x := range 2 {
					assert.Equal(t, want[x], pixelAt(s.Image, channels, 1, 2, 0, x), "channels %d, pixel %d", channels, x)
				}
			}
		})
	}
}

// TestPixelLayouts covers decoder outputs that test files cannot produce
// on demand: premultiplied alpha, CMYK, and the generic path.
func TestPixelLayouts(t *testing.T) {
	prem := image.NewRGBA(image.Rect(0, 0, 3, 1))
	prem.Pix = []uint8{100, 50, 25, 128, 0, 0, 0, 0, 9, 8, 7, 255}

	cmyk := image.NewCMYK(image.Rect(0, 0, 4, 1))
	cmyk.Pix = []uint8{0, 0, 0, 0, 255, 0, 0, 0, 100, 0, 0, 50, 10, 200, 30, 7}

	rgba64 := image.NewRGBA64(image.Rect(0, 0, 1, 1)) // premultiplied, 16-bit
	rgba64.SetRGBA64(0, 0, color.RGBA64{16000, 8000, 0, 32000})

	sub := image.NewGray(image.Rect(0, 0, 4, 4)).SubImage(image.Rect(1, 2, 3, 3)).(*image.Gray)
	sub.SetGray(1, 2, color.Gray{11})
	sub.SetGray(2, 2, color.Gray{22})

	for _, tc := range []struct {
		name string
		m    image.Image
		want [][]float32 // pixels of row 0
	}{
		// Un-premultiplied: 100·255/128 = 199, as color.NRGBAModel gives.
		{"premultiplied", prem, [][]float32{u8(199, 99, 49), u8(0, 0, 0), u8(9, 8, 7)}},
		// Pillow's Image.new("CMYK", …).convert("RGB") values.
		{"cmyk", cmyk, [][]float32{u8(255, 255, 255), u8(0, 255, 255), u8(125, 205, 205), u8(238, 53, 219)}},
		{"rgba64", rgba64, [][]float32{u16(32767, 16383, 0)}},
		{"subimage", sub, [][]float32{u8(11, 11, 11), u8(22, 22, 22)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := toPixels(tc.m, 3, false)
			require.Equal(t, [3]int{3, 1, len(tc.want)}, [3]int{p.c, p.h, p.w})
			s := p.sample(0)
			for x, want := range tc.want {
				assert.Equal(t, want, pixelAt(s.Image, 3, 1, p.w, 0, x), "pixel %d", x)
			}
		})
	}
}

func TestCMYKTIFFUnsupported(t *testing.T) {
	root := writeTree(t, map[string][]byte{"a/cmyk.tif": handTIFF(2, 2, 5, 4, make([]byte, 16), 0), "a/ok.png": pngOf(t, 1), "b/x.png": pngOf(t, 2)})
	f, err := Open(root, Options{})
	require.NoError(t, err)
	require.Len(t, f.Skipped(), 1)
	s := f.Skipped()[0]
	assert.Equal(t, filepath.Join(root, "a", "cmyk.tif"), s.Path)
	assert.Equal(t, Unsupported, s.Reason)
	assert.Contains(t, s.Detail, "TIFF variant not supported")

	_, err = Open(root, Options{Strict: true})
	assert.ErrorContains(t, err, "cmyk.tif: TIFF variant not supported by the decoder")
	assert.ErrorContains(t, err, "convert it to JPEG, PNG, GIF, BMP, WebP or TIFF, or remove it")
}

// TestFastPathsMatchGeneric compares each fast path with the generic
// color.NRGBA64Model conversion on random pixels, at 16 bits.
func TestFastPathsMatchGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	r := image.Rect(0, 0, 7, 5)
	fill := func(pix []uint8) {
		for i := range pix {
			pix[i] = uint8(rng.Uint32())
		}
	}
	nrgba, rgba, n64, r64, gray, g16, cmyk := image.NewNRGBA(r), image.NewRGBA(r), image.NewNRGBA64(r), image.NewRGBA64(r), image.NewGray(r), image.NewGray16(r), image.NewCMYK(r)
	for _, m := range []*[]uint8{&nrgba.Pix, &n64.Pix, &gray.Pix, &g16.Pix, &cmyk.Pix} {
		fill(*m)
	}
	// Premultiplied images need colour ≤ alpha.
	for i := 0; i < len(rgba.Pix); i += 4 {
		a := uint8(rng.Uint32())
		rgba.Pix[i], rgba.Pix[i+1], rgba.Pix[i+2], rgba.Pix[i+3] = a/2, a/3, a, a
	}
	for i := 0; i < len(r64.Pix); i += 8 {
		a := uint16(rng.Uint32())
		for k, v := range []uint16{a / 2, a / 5, a, a} {
			r64.Pix[i+2*k], r64.Pix[i+2*k+1] = uint8(v>>8), uint8(v)
		}
	}
	var yccs []image.Image
	for ratio := image.YCbCrSubsampleRatio444; ratio <= image.YCbCrSubsampleRatio410; ratio++ {
		ycc := image.NewYCbCr(image.Rect(0, 0, 9, 7), ratio)
		fill(ycc.Y)
		fill(ycc.Cb)
		fill(ycc.Cr)
		yccs = append(yccs, ycc, ycc.SubImage(image.Rect(1, 3, 8, 6))) // odd origin
	}
	pal := image.NewPaletted(r, color.Palette{color.NRGBA{1, 2, 3, 4}, color.RGBA{50, 40, 30, 60}, color.Gray{99}})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(rng.IntN(3))
	}
	for _, m := range append([]image.Image{nrgba, rgba, n64, r64, gray, g16, pal, cmyk}, yccs...) {
		for _, c := range []int{1, 3} {
			fast := toPixels(m, c, false).sample(0)
			generic := toPixels(genericImage{m}, c, false).sample(0)
			// 8-bit fast paths round where the generic path keeps 16
			// bits (twice for premultiplied gray); CMYK uses Pillow's
			// formula rather than Go's model. Layout errors are far larger.
			assert.InDeltaSlice(t, generic.Image, fast.Image, 2.0/255, "%T %v, %d channels", m, m.Bounds(), c)
		}
	}
}

// genericImage hides the concrete type of an image, forcing the generic
// conversion.
type genericImage struct{ image.Image }
