package imagefolder

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gray.png")
	img := image.NewGray(image.Rect(0, 0, 3, 2))
	img.SetGray(2, 1, color.Gray{Y: 255})
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, png.Encode(f, img))
	require.NoError(t, f.Close())

	s, err := LoadFile(path, Options{Channels: 3})
	require.NoError(t, err)
	assert.Equal(t, []int{3, 2, 3, 0}, []int{s.C, s.H, s.W, s.Label})
	for ch := 0; ch < 3; ch++ {
		assert.Equal(t, float32(1), s.Image[ch*6+1*3+2], "channel %d", ch)
		assert.Equal(t, float32(0), s.Image[ch*6], "channel %d", ch)
	}

	_, err = LoadFile(path, Options{Channels: 1, MaxPixels: 5})
	assert.ErrorContains(t, err, "gray.png")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.png"), []byte("\x89PNG\r\n\x1a\nnonsense"), 0o644))
	_, err = LoadFile(filepath.Join(dir, "bad.png"), Options{})
	assert.ErrorContains(t, err, "bad.png")
}
