package augment

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRandomResizedCropWholeImage: with Scale and Ratio pinned to 1 the
// region is the whole (square) image and resizing to the same size is the
// identity, so a marked pixel stays where it is.
func TestRandomResizedCropWholeImage(t *testing.T) {
	out, err := RandomResizedCrop{Scale: [2]float64{1, 1}, Ratio: [2]float64{1, 1}}.Apply(rngOf(1), marked(2, 6, 6, 1, 4))
	require.NoError(t, err)
	assert.Equal(t, [][2]int{{1, 4}}, where(out, 1))
	assert.Len(t, where(out, 0), 35)
}

// TestRandomResizedCropUpscale: the whole 4×4 image resized to 8×8 puts a
// marked pixel (r, c) at output rows and columns 2r−1..2r+2 with bilinear
// weights; its peak is the 2×2 block (2r, 2c)..(2r+1, 2c+1) at 0.75² each.
func TestRandomResizedCropUpscale(t *testing.T) {
	out, err := RandomResizedCrop{Height: 8, Width: 8, Scale: [2]float64{1, 1}, Ratio: [2]float64{1, 1}}.Apply(rngOf(1), marked(1, 4, 4, 1, 2))
	require.NoError(t, err)
	require.Equal(t, []int{8, 8}, []int{out.H, out.W})
	assert.Equal(t, [][2]int{{2, 4}, {2, 5}, {3, 4}, {3, 5}}, where(out, 0.5625))
	assert.InDelta(t, 0.25*0.75, out.Image[1*8+4], 1e-7)
}

// TestRandomResizedCropFallback: no region of the whole area can have a
// ratio in [2, 3] inside a square, so the central crop of ratio 2 is used.
func TestRandomResizedCropFallback(t *testing.T) {
	top, left, h, w := cropBox(rngOf(1), 8, 8, [2]float64{1, 1}, [2]float64{2, 3})
	assert.Equal(t, [4]int{2, 0, 4, 8}, [4]int{top, left, h, w})
	top, left, h, w = cropBox(rngOf(1), 8, 8, [2]float64{1, 1}, [2]float64{0.25, 0.5})
	assert.Equal(t, [4]int{0, 2, 8, 4}, [4]int{top, left, h, w})
}

// TestCropBoxDistribution: boxes lie inside the image, their area and
// ratio are within the ranges (up to rounding), and they vary.
func TestCropBoxDistribution(t *testing.T) {
	const H, W = 60, 80
	scale, ratio := [2]float64{0.08, 1}, [2]float64{3.0 / 4, 4.0 / 3}
	boxes := map[[4]int]bool{}
	for seed := range uint64(500) {
		top, left, h, w := cropBox(rngOf(seed), H, W, scale, ratio)
		require.True(t, top >= 0 && left >= 0 && top+h <= H && left+w <= W, "box %d,%d %d×%d", top, left, h, w)
		area := float64(h*w) / (H * W)
		assert.True(t, area >= 0.08*0.8 && area <= 1, "area fraction %v", area)
		r := float64(w) / float64(h)
		assert.True(t, r >= 0.75*0.9 && r <= 4.0/3*1.1 || h == H || w == W, "ratio %v", r)
		boxes[[4]int{top, left, h, w}] = true
	}
	assert.Greater(t, len(boxes), 400)
}

func TestRandomResizedCropErrors(t *testing.T) {
	for _, r := range []RandomResizedCrop{{Scale: [2]float64{0.5, 0.2}}, {Ratio: [2]float64{-1, 1}}, {Scale: [2]float64{0.1, math.Inf(1)}}, {Height: -2}} {
		_, err := r.Apply(rngOf(1), ramp(1, 4, 4))
		assert.Error(t, err, "%+v", r)
	}
}
