package imagefolder

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// writeTree creates the files (path relative to a new temporary folder →
// content) and returns the folder. A nil content makes an empty folder.
func writeTree(t testing.TB, files map[string][]byte) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if content == nil {
			require.NoError(t, os.MkdirAll(path, 0o755))
			continue
		}
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, content, 0o644))
	}
	return root
}

func encPNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, m))
	return b.Bytes()
}

func encJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, m, &jpeg.Options{Quality: 100}))
	return b.Bytes()
}

func encGIF(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, gif.Encode(&b, m, nil))
	return b.Bytes()
}

func encBMP(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, bmp.Encode(&b, m))
	return b.Bytes()
}

func encTIFF(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, tiff.Encode(&b, m, &tiff.Options{Compression: tiff.Deflate}))
	return b.Bytes()
}

// solid returns a w×h opaque image of one colour.
func solid(w, h int, c color.NRGBA) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetNRGBA(x, y, c)
		}
	}
	return m
}

// pngOf is a small solid PNG, the usual filler image of folder tests.
func pngOf(t testing.TB, v uint8) []byte {
	return encPNG(t, solid(3, 2, color.NRGBA{v, v, v, 255}))
}

// quadrants returns a 16×24 (h×w) image of six 8×8 blocks of distinct
// colours, in two rows of three, to check orientation after lossy JPEG.
func quadrants() (*image.NRGBA, [2][3]color.NRGBA) {
	cols := [2][3]color.NRGBA{
		{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}},
		{{255, 255, 0, 255}, {0, 255, 255, 255}, {255, 0, 255, 255}},
	}
	m := image.NewNRGBA(image.Rect(0, 0, 24, 16))
	for y := range 16 {
		for x := range 24 {
			m.SetNRGBA(x, y, cols[y/8][x/8])
		}
	}
	return m, cols
}

// withExif inserts an APP1 Exif segment holding the orientation tag right
// after the SOI marker of a JPEG, the way cameras write it (big-endian
// "MM" byte order unless little is set).
func withExif(jpg []byte, orientation uint16, little bool) []byte {
	var bo binary.ByteOrder = binary.BigEndian
	tiffHdr := []byte("MM\x00\x2a")
	if little {
		bo, tiffHdr = binary.LittleEndian, []byte("II\x2a\x00")
	}
	var t bytes.Buffer
	t.Write(tiffHdr)
	binary.Write(&t, bo, uint32(8)) // IFD0 right after the header
	binary.Write(&t, bo, uint16(2)) // two entries
	// An unrelated entry first (Make, ASCII, stored at an offset), so the
	// parser must skip it.
	binary.Write(&t, bo, []uint16{0x010f, 2})
	binary.Write(&t, bo, []uint32{4, 0})
	binary.Write(&t, bo, []uint16{orientationTag, 3})
	binary.Write(&t, bo, uint32(1))
	binary.Write(&t, bo, []uint16{orientation, 0})
	binary.Write(&t, bo, uint32(0)) // no next IFD
	body := append([]byte("Exif\x00\x00"), t.Bytes()...)
	seg := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(body)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, body...)
	return append(out, jpg[2:]...)
}

// handTIFF hand-writes an uncompressed 8-bit TIFF with the given
// photometric interpretation (1 gray, 5 CMYK, which golang.org/x/image/tiff
// does not decode) and samples per pixel, and an Orientation tag unless it
// is 0. The encoder of x/image/tiff writes neither.
func handTIFF(w, h int, photometric, samples uint16, pix []byte, orientation uint16) []byte {
	le := binary.LittleEndian
	type entry struct {
		tag, typ uint16
		value    uint32
	}
	const ifdAt = 8
	entries := []entry{
		{256, 3, uint32(w)}, {257, 3, uint32(h)}, {258, 3, 8}, {259, 3, 1},
		{262, 3, uint32(photometric)}, {273, 4, 0}, {274, 3, uint32(orientation)},
		{277, 3, uint32(samples)}, {278, 3, uint32(h)}, {279, 4, uint32(len(pix))},
	}
	if orientation == 0 {
		entries = append(entries[:6], entries[7:]...)
	}
	entries[5].value = uint32(ifdAt + 2 + 12*len(entries) + 4) // the strip follows the IFD
	b := []byte("II\x2a\x00")
	b = le.AppendUint32(b, ifdAt)
	b = le.AppendUint16(b, uint16(len(entries)))
	for _, e := range entries {
		b = le.AppendUint16(b, e.tag)
		b = le.AppendUint16(b, e.typ)
		b = le.AppendUint32(b, 1) // count
		b = le.AppendUint32(b, e.value)
	}
	b = le.AppendUint32(b, 0)
	return append(b, pix...)
}

// pixelAt returns the values of all channels of sample pixel (y, x).
func pixelAt(img []float32, c, h, w, y, x int) []float32 {
	v := make([]float32, c)
	for k := range c {
		v[k] = img[k*h*w+y*w+x]
	}
	return v
}

// u8 maps 8-bit values to the float32 a sample holds.
func u8[T uint8 | int](vs ...T) []float32 {
	out := make([]float32, len(vs))
	for i, v := range vs {
		out[i] = float32(v) / 255
	}
	return out
}
