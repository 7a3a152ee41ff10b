package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// makeFolder writes an image folder: for each class, n 28×28 images with a
// bright square whose position tells the class, on noise. RGB JPEGs for odd
// classes, grayscale PNGs for even ones.
func makeFolder(t *testing.T, dir string, classes []string, n int, seed uint64) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 3))
	for k, name := range classes {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, name), 0o755))
		for i := 0; i < n; i++ {
			gray := image.NewGray(image.Rect(0, 0, 28, 28))
			for p := range gray.Pix {
				gray.Pix[p] = uint8(rng.IntN(60))
			}
			x0, y0 := 3+(k%3)*8, 3+(k/3)*8
			for y := y0; y < y0+7; y++ {
				for x := x0; x < x0+7; x++ {
					gray.SetGray(x, y, color.Gray{Y: uint8(200 + rng.IntN(55))})
				}
			}
			var buf bytes.Buffer
			ext := ".png"
			if k%2 == 1 {
				ext = ".jpg"
				rgb := image.NewRGBA(gray.Bounds())
				for p, v := range gray.Pix {
					rgb.Pix[4*p], rgb.Pix[4*p+1], rgb.Pix[4*p+2], rgb.Pix[4*p+3] = v, v, v, 255
				}
				require.NoError(t, jpeg.Encode(&buf, rgb, &jpeg.Options{Quality: 95}))
			} else {
				require.NoError(t, png.Encode(&buf, gray))
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, name, "img"+string(rune('a'+i%26))+string(rune('a'+i/26))+ext), buf.Bytes(), 0o644))
		}
	}
	return dir
}

// invoke runs the command and returns its exit code and output.
func invoke(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}
