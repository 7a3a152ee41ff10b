package imagefolder

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"image/color"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/data"
)

// hugePNG is a PNG signature and a valid IHDR chunk declaring w×h RGB
// pixels, followed by garbage instead of image data: decoding it would
// fail (or exhaust memory), so a TooLarge verdict proves the size was
// checked before decoding.
func hugePNG(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB
	b := []byte("\x89PNG\r\n\x1a\n")
	b = binary.BigEndian.AppendUint32(b, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b = append(b, chunk...)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(chunk))
	return append(b, "garbage, not a chunk"...)
}

// hugeJPEG is a JPEG whose frame header declares w×h, without image data.
func hugeJPEG(w, h uint16) []byte {
	sof := []byte{0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 1, 1, 0x11, 0}
	sos := []byte{0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0}
	return append(append(sof, sos...), "garbage"...)
}

func dirtyFolder(t *testing.T) (string, map[string]string) {
	good := encJPEG(t, solid(8, 8, color.NRGBA{100, 150, 200, 255}))
	goodPNG := encPNG(t, solid(16, 16, color.NRGBA{1, 2, 3, 255}))
	damaged := append([]byte(nil), goodPNG...)
	for i := 50; i < len(damaged)-20; i++ { // inside the compressed data
		damaged[i] ^= 0x5a
	}
	root := writeTree(t, map[string][]byte{
		"a/good.jpg":         good,
		"a/truncated.jpg":    good[:len(good)/2],
		"a/truncated.png":    goodPNG[:60],
		"a/damaged.png":      damaged,
		"a/webpage.jpg":      []byte("<!DOCTYPE html><html>404</html>"),
		"a/empty.png":        {},
		"a/huge.png":         hugePNG(100_000, 100_000),
		"b/good.png":         goodPNG,
		"b/huge.jpg":         hugeJPEG(60_000, 60_000),
		"b/not really.gif":   []byte("GIF89a\x01"),
		"b/unsupported.heic": []byte("ftypheic"),
	})
	return root, map[string]string{
		"a/truncated.jpg":    "corrupt: truncated JPEG: the file ends early (unexpected EOF)",
		"a/truncated.png":    "corrupt: truncated or damaged PNG: the image data ends early (png: invalid format: not enough pixel data)",
		"a/damaged.png":      "corrupt: corrupt PNG:",
		"a/webpage.jpg":      `corrupt: not a JPEG, PNG, GIF, BMP, WebP or TIFF image: its content starts with "<!DOCTYP"`,
		"a/empty.png":        "corrupt: the file is empty",
		"a/huge.png":         "too large: PNG of 100000×100000 = 10000000000 pixels exceeds the limit of 89478485 pixels",
		"b/huge.jpg":         "too large: JPEG of 60000×60000 = 3600000000 pixels exceeds the limit of 89478485 pixels",
		"b/not really.gif":   "corrupt: truncated GIF",
		"b/unsupported.heic": "unsupported: HEIC images cannot be decoded",
	}
}

func TestCorruptSkipped(t *testing.T) {
	root, want := dirtyFolder(t)
	f, err := Open(root, Options{Workers: 2})
	require.NoError(t, err)
	assert.Equal(t, 2, f.Len())
	got := map[string]string{}
	for _, s := range f.Skipped() {
		rel, _ := filepath.Rel(root, s.Path)
		got[filepath.ToSlash(rel)] = s.Reason.String() + ": " + s.Detail
		assert.True(t, s.Reason.Warning())
	}
	require.Len(t, got, len(want))
	for path, w := range want {
		assert.Contains(t, got[path], w, path)
	}
	assert.Equal(t, "2 images in 2 classes (a 1, b 1); skipped 1 unsupported, 6 corrupt, 2 too large", f.Summary())
	for i := range f.Len() {
		_, err := f.Get(i)
		assert.NoError(t, err)
	}
}

func TestCorruptStrict(t *testing.T) {
	root, _ := dirtyFolder(t)
	_, err := Open(root, Options{Strict: true})
	require.Error(t, err)
	// Files are listed first, then decoded; the unsupported HEIC is found
	// by listing.
	assert.Equal(t, "imagefolder: "+filepath.Join(root, "b", "unsupported.heic")+": HEIC images cannot be decoded; convert it to JPEG, PNG, GIF, BMP, WebP or TIFF, or remove it, or open without strict mode to skip it", err.Error())

	root = writeTree(t, map[string][]byte{
		"a/1.png": pngOf(t, 1), "a/2.png": pngOf(t, 2)[:40], "b/1.png": pngOf(t, 3),
	})
	_, err = Open(root, Options{Strict: true, Workers: 1})
	assert.EqualError(t, err, "imagefolder: "+filepath.Join(root, "a", "2.png")+": truncated PNG: the file ends early (unexpected EOF); replace or remove it, or open without strict mode to skip it")

	root = writeTree(t, map[string][]byte{"a/1.png": pngOf(t, 1), "a/big.png": hugePNG(5000, 5000), "b/1.png": pngOf(t, 3)})
	_, err = Open(root, Options{Strict: true, MaxPixels: 1_000_000})
	assert.ErrorContains(t, err, "big.png: PNG of 5000×5000 = 25000000 pixels exceeds the limit of 1000000 pixels; downscale it, raise Options.MaxPixels, or remove it")
}

func TestMaxPixels(t *testing.T) {
	root := writeTree(t, map[string][]byte{
		"a/small.png": pngOf(t, 1), // 3×2
		"a/big.png":   encPNG(t, solid(4, 2, color.NRGBA{A: 255})),
		"b/x.png":     pngOf(t, 2),
	})
	f, err := Open(root, Options{MaxPixels: 6})
	require.NoError(t, err)
	assert.Equal(t, 2, f.Len())
	require.Len(t, f.Skipped(), 1)
	assert.Equal(t, TooLarge, f.Skipped()[0].Reason)

	f, err = Open(writeTree(t, map[string][]byte{"a/h.png": hugePNG(100_000, 100_000), "a/1.png": pngOf(t, 1), "b/1.png": pngOf(t, 1)}), Options{MaxPixels: -1})
	require.NoError(t, err, "no limit: the huge PNG is decoded and found corrupt")
	require.Len(t, f.Skipped(), 1)
	assert.Equal(t, Corrupt, f.Skipped()[0].Reason)
}

// TestLazy checks that Lazy opens a folder whose damaged image passes the
// header check, and that the damage is reported by Get, naming the file,
// and stops a Loader.
func TestLazy(t *testing.T) {
	good := pngOf(t, 1)
	big := encPNG(t, solid(64, 64, color.NRGBA{9, 9, 9, 255}))
	root := writeTree(t, map[string][]byte{
		"a/1.png": good, "a/2.png": big[:len(big)-30], "b/1.png": good, "b/h.png": hugePNG(20_000, 20_000),
	})
	f, err := Open(root, Options{Lazy: true, MaxPixels: 1 << 20})
	require.NoError(t, err)
	assert.Equal(t, 3, f.Len(), "the truncated body is not noticed; the header of h.png is")
	require.Len(t, f.Skipped(), 1)
	assert.Equal(t, TooLarge, f.Skipped()[0].Reason)
	n, _ := f.Cached()
	assert.Zero(t, n, "Lazy decodes nothing at Open")

	_, err = f.Get(1)
	require.Error(t, err)
	assert.Equal(t, "imagefolder: sample 1: "+filepath.Join(root, "a", "2.png")+": truncated or damaged PNG: the image data ends early (png: invalid format: not enough pixel data); replace or remove it, and open the folder again", err.Error())

	it, err := (&data.Loader{Dataset: f, BatchSize: 3, Workers: 1, Transform: data.Resize{H: 4, W: 4}}).Epoch(context.Background(), 0)
	require.NoError(t, err)
	defer it.Close()
	_, err = it.Next()
	require.Error(t, err)
	assert.NotEqual(t, io.EOF, err)
	assert.Contains(t, err.Error(), filepath.Join("a", "2.png"))

	// Without Lazy, the same folder opens with the file skipped, and a
	// Loader gets through the epoch.
	f, err = Open(root, Options{MaxPixels: 1 << 20})
	require.NoError(t, err)
	assert.Equal(t, 2, f.Len())
	it2, err := (&data.Loader{Dataset: f, BatchSize: 3, Workers: 1, Transform: data.Resize{H: 4, W: 4}}).Epoch(context.Background(), 0)
	require.NoError(t, err)
	defer it2.Close()
	b, err := it2.Next()
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1}, b.Labels)
}

func TestOpenCancelled(t *testing.T) {
	root := writeTree(t, map[string][]byte{"a/1.png": pngOf(t, 1), "b/1.png": pngOf(t, 2)})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := OpenContext(ctx, root, Options{})
	assert.ErrorIs(t, err, context.Canceled)

	var calls [][2]int
	_, err = Open(root, Options{Workers: 2, Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	require.NoError(t, err)
	assert.Equal(t, [][2]int{{1, 2}, {2, 2}}, calls)

	_, err = Open(root, Options{Progress: func(int, int) { panic("boom") }})
	assert.ErrorContains(t, err, "Options.Progress panicked: boom")
}

func TestSkipMessages(t *testing.T) {
	root := writeTree(t, map[string][]byte{"a/bad\nname.png": []byte("nope"), "a/1.png": pngOf(t, 1), "b/1.png": pngOf(t, 2)})
	f, err := Open(root, Options{})
	require.NoError(t, err)
	require.Len(t, f.Skipped(), 1)
	s := f.Skipped()[0]
	assert.Equal(t, `"`+root+`/a/bad\nname.png": corrupt: not a JPEG, PNG, GIF, BMP, WebP or TIFF image: its content starts with "nope"`, s.String())
	assert.Equal(t, "replace or remove it", s.Advice())
	_, err = Open(root, Options{Strict: true})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "\n")

	for r, want := range map[Reason][2]string{
		Hidden:      {"hidden", ""},
		NotImage:    {"non-image", ""},
		Unsupported: {"unsupported", "convert it to JPEG, PNG, GIF, BMP, WebP or TIFF, or remove it"},
		TooLarge:    {"too large", "downscale it, raise Options.MaxPixels, or remove it"},
		Unreadable:  {"unreadable", "check its permissions, or remove it"},
		Reason(0):   {"Reason(0)", ""},
	} {
		assert.Equal(t, want[0], r.String())
		assert.Equal(t, want[1], Skip{Reason: r}.Advice())
		assert.Equal(t, want[1] != "", r.Warning(), r.String())
	}
}
