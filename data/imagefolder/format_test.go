package imagefolder

import (
	"encoding/json"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixtures is testdata/image_fixtures.json: what Pillow reads from the
// files Go cannot encode.
type fixtures map[string]struct {
	Mode  string  `json:"mode"`
	Size  [2]int  `json:"size"` // W, H
	RGB   [][]int `json:"rgb"`
	Inks  [][]int `json:"inks"`
	Exact [][]int `json:"exact"`
}

func readFixtures(t *testing.T) (fixtures, func(name string) []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "image_fixtures.json"))
	require.NoError(t, err, "regenerate with testdata/gen/image_fixtures.py")
	var fx fixtures
	require.NoError(t, json.Unmarshal(raw, &fx))
	return fx, func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err, "regenerate with testdata/gen/image_fixtures.py")
		return b
	}
}

// twelve is a 4×3 opaque image of distinct colours.
func twelve() (*image.NRGBA, []color.NRGBA) {
	cols := []color.NRGBA{
		{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {10, 20, 30, 255},
		{200, 100, 50, 255}, {1, 2, 3, 255}, {255, 255, 255, 255}, {0, 0, 0, 255},
		{90, 180, 45, 255}, {128, 128, 128, 255}, {33, 66, 99, 255}, {250, 5, 125, 255},
	}
	m := image.NewNRGBA(image.Rect(0, 0, 4, 3))
	for i, c := range cols {
		m.SetNRGBA(i%4, i/4, c)
	}
	return m, cols
}

func TestEveryFormat(t *testing.T) {
	fx, file := readFixtures(t)
	m, cols := twelve()
	pal := image.NewPaletted(m.Bounds(), nil)
	for _, c := range cols {
		pal.Palette = append(pal.Palette, c)
	}
	for i := range cols {
		pal.Pix[i] = uint8(i)
	}
	quad, qcols := quadrants()
	root := writeTree(t, map[string][]byte{
		"a/1.png":     encPNG(t, m),
		"a/2.gif":     encGIF(t, pal),
		"a/3.bmp":     encBMP(t, m),
		"a/4.tiff":    encTIFF(t, m),
		"a/5.webp":    file("lossless.webp"),
		"a/6.jpg":     encJPEG(t, quad),
		"a/7.webp":    file("lossy.webp"),
		"a/8.JPEG":    encJPEG(t, quad), // extensions in any case
		"a/9.jpg":     encPNG(t, m),     // the content decides the decoder
		"b/other.png": pngOf(t, 7),
	})
	f, err := Open(root, Options{})
	require.NoError(t, err)
	require.Equal(t, 10, f.Len())
	assert.Empty(t, f.Skipped())

	exact := map[string][]color.NRGBA{"1.png": cols, "2.gif": cols, "3.bmp": cols, "4.tiff": cols, "9.jpg": cols}
	for i := range 9 {
		path, err := f.Path(i)
		require.NoError(t, err)
		s, err := f.Get(i)
		require.NoError(t, err, path)
		require.Equal(t, 3, s.C)
		name := filepath.Base(path)
		switch name {
		case "1.png", "2.gif", "3.bmp", "4.tiff", "9.jpg":
			require.Equal(t, [2]int{3, 4}, [2]int{s.H, s.W}, name)
			for k, c := range exact[name] {
				assert.Equal(t, u8(c.R, c.G, c.B), pixelAt(s.Image, 3, 3, 4, k/4, k%4), "%s pixel %d", name, k)
			}
		case "5.webp":
			want := fx["lossless.webp"]
			for k, c := range want.RGB {
				assert.Equal(t, u8(c...), pixelAt(s.Image, 3, 3, 4, k/4, k%4), "%s pixel %d (alpha dropped like Pillow)", name, k)
			}
		case "6.jpg", "8.JPEG":
			require.Equal(t, [2]int{16, 24}, [2]int{s.H, s.W})
			for by := range 2 {
				for bx := range 3 {
					c := qcols[by][bx]
					assert.InDeltaSlice(t, u8(c.R, c.G, c.B), pixelAt(s.Image, 3, 16, 24, 8*by+4, 8*bx+4), 0.02, "%s block %d,%d", name, by, bx)
				}
			}
		case "7.webp":
			require.Equal(t, [2]int{16, 16}, [2]int{s.H, s.W})
			for k, want := range fx["lossy.webp"].RGB {
				got := pixelAt(s.Image, 3, 16, 16, 8*(k/2)+4, 8*(k%2)+4)
				// libwebp's video-range YUV: a full-range conversion would
				// be off by up to 20 levels.
				assert.InDeltaSlice(t, u8(want...), got, 1.0/255, "block %d: Pillow reads %v, got %v", k, want, got)
			}
		default:
			t.Fatalf("unexpected file %s", path)
		}
	}
}

func TestCMYKJPEG(t *testing.T) {
	fx, file := readFixtures(t)
	want := fx["cmyk.jpg"]
	require.Equal(t, "CMYK", want.Mode)
	root := writeTree(t, map[string][]byte{"a/cmyk.jpg": file("cmyk.jpg"), "b/x.png": pngOf(t, 1)})
	f, err := Open(root, Options{})
	require.NoError(t, err)
	s, err := f.Get(0)
	require.NoError(t, err)
	for k := range 4 {
		y, x := 8*(k/2)+4, 8*(k%2)+4
		// Pillow's own decode of the file, and the exact conversion of the
		// inks, which must agree up to JPEG's rounding.
		assert.InDeltaSlice(t, u8(want.RGB[k]...), pixelAt(s.Image, 3, 16, 16, y, x), 2.0/255, "ink %v", want.Inks[k])
		assert.InDeltaSlice(t, u8(want.Exact[k]...), pixelAt(s.Image, 3, 16, 16, y, x), 2.0/255, "ink %v", want.Inks[k])
	}
}
