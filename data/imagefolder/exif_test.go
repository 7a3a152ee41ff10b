package imagefolder

import (
	"fmt"
	"image/color"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEXIFOrientation writes the six-block test image (rows R G B / Y C M)
// as a JPEG with each EXIF orientation and checks that Get returns it
// upright. The expected block layouts are worked out by hand from the EXIF
// specification (and agree with Pillow's ImageOps.exif_transpose).
func TestEXIFOrientation(t *testing.T) {
	quad, cols := quadrants()
	R, G, B := cols[0][0], cols[0][1], cols[0][2]
	Y, C, M := cols[1][0], cols[1][1], cols[1][2]
	want := map[uint16][][]color.NRGBA{
		0: {{R, G, B}, {Y, C, M}}, // no EXIF segment at all
		1: {{R, G, B}, {Y, C, M}},
		2: {{B, G, R}, {M, C, Y}},
		3: {{M, C, Y}, {B, G, R}},
		4: {{Y, C, M}, {R, G, B}},
		5: {{R, Y}, {G, C}, {B, M}},
		6: {{Y, R}, {C, G}, {M, B}},
		7: {{M, B}, {C, G}, {Y, R}},
		8: {{B, M}, {G, C}, {R, Y}},
		9: {{R, G, B}, {Y, C, M}}, // invalid: ignored
	}
	jpg := encJPEG(t, quad)
	files := map[string][]byte{"b/x.png": pngOf(t, 0)}
	for o := range want {
		name := fmt.Sprintf("a/%d.jpg", o)
		files[name] = jpg
		if o > 0 {
			files[name] = withExif(jpg, o, o%2 == 0) // both byte orders
		}
	}
	f, err := Open(writeTree(t, files), Options{})
	require.NoError(t, err)
	for i := range len(want) {
		s, err := f.Get(i)
		require.NoError(t, err)
		var o uint16
		path, _ := f.Path(i)
		_, err = fmt.Sscanf(path[len(path)-5:], "%d.jpg", &o)
		require.NoError(t, err)
		grid := want[o]
		require.Equal(t, [2]int{8 * len(grid), 8 * len(grid[0])}, [2]int{s.H, s.W}, "orientation %d", o)
		for by, row := range grid {
			for bx, c := range row {
				got := pixelAt(s.Image, 3, s.H, s.W, 8*by+4, 8*bx+4)
				assert.InDeltaSlice(t, u8(c.R, c.G, c.B), got, 0.02, "orientation %d, block %d,%d", o, by, bx)
			}
		}
	}
}

func TestTIFFOrientation(t *testing.T) {
	// 2×3 gray, values 0..5 row by row; orientation 6 turns it clockwise.
	pix := []byte{0, 10, 20, 30, 40, 50}
	root := writeTree(t, map[string][]byte{"a/turned.tif": handTIFF(3, 2, 1, 1, pix, 6), "b/x.png": pngOf(t, 0)})
	f, err := Open(root, Options{Channels: 1})
	require.NoError(t, err)
	s, err := f.Get(0)
	require.NoError(t, err)
	require.Equal(t, [2]int{3, 2}, [2]int{s.H, s.W})
	assert.Equal(t, u8(30, 0, 40, 10, 50, 20), s.Image)
}

func TestJPEGOrientationParsing(t *testing.T) {
	jpg := encJPEG(t, solid(2, 2, color.NRGBA{1, 2, 3, 255}))
	good := withExif(jpg, 6, false)
	assert.Equal(t, 6, jpegOrientation(good))
	assert.Equal(t, 8, jpegOrientation(withExif(jpg, 8, true)))
	assert.Equal(t, 1, jpegOrientation(jpg))

	// LONG instead of SHORT, as some tools write it.
	long := withExif(jpg, 0, false)
	i := indexOf(long, []byte{0x01, 0x12, 0x00, 0x03})
	require.Positive(t, i)
	copy(long[i+2:], []byte{0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 3})
	assert.Equal(t, 3, jpegOrientation(long))

	// Damaged data never panics and means upright.
	for _, bad := range [][]byte{
		nil, {0xff}, {0xff, 0xd8}, {0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff},
		good[:12], good[:20], good[:30],
		append([]byte{0xff, 0xd8, 0x00}, good[2:]...),
	} {
		assert.Equal(t, 1, jpegOrientation(bad), "% x", bad)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := append([]byte(nil), good...)
		for range 1 + rng.IntN(4) {
			b[rng.IntN(len(b))] = byte(rng.Uint32())
		}
		o := jpegOrientation(b[:rng.IntN(len(b)+1)])
		assert.True(t, o >= 1 && o <= 8)
	}
}

func indexOf(b, sub []byte) int {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == string(sub) {
			return i
		}
	}
	return -1
}
