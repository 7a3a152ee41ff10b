package augment

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/data"
)

func ones(c, h, w int) data.Sample {
	s := data.Sample{Image: make([]float32, c*h*w), C: c, H: h, W: w}
	for i := range s.Image {
		s.Image[i] = 1
	}
	return s
}

// box returns the bounding box of the positions and whether they fill it.
func box(at [][2]int) (top, left, h, w int, solid bool) {
	if len(at) == 0 {
		return 0, 0, 0, 0, false
	}
	top, left = at[0][0], at[0][1]
	bottom, right := top, left
	for _, p := range at {
		top, left = min(top, p[0]), min(left, p[1])
		bottom, right = max(bottom, p[0]), max(right, p[1])
	}
	h, w = bottom-top+1, right-left+1
	return top, left, h, w, h*w == len(at)
}

// TestRandomErasingRectangle: with P = 1 a solid rectangle of the erasing
// value appears, smaller than the image, with an area fraction in Scale
// (up to rounding) and a ratio h/w in Ratio (up to rounding).
func TestRandomErasingRectangle(t *testing.T) {
	const H, W = 40, 50
	erased := 0
	for seed := range uint64(200) {
		out, err := RandomErasing{P: 1, Value: []float32{0.25}}.Apply(rngOf(seed), ones(2, H, W))
		require.NoError(t, err)
		at := where(out, 0.25)
		if len(at) == 0 {
			continue // no rectangle fitted in ten draws: image unchanged
		}
		erased++
		_, _, h, w, solid := box(at)
		require.True(t, solid, "seed %d: erased pixels form a rectangle", seed)
		assert.True(t, h < H && w < W)
		area := float64(h*w) / (H * W)
		assert.True(t, area > 0.02*0.7 && area < 0.33*1.3, "area %v", area)
		r := float64(h) / float64(w)
		assert.True(t, r > 0.3*0.7 && r < 3.3*1.4, "ratio %v", r)
		assert.Equal(t, out.Image[:H*W], out.Image[H*W:], "both channels erased alike")
	}
	assert.Greater(t, erased, 190)
}

func TestRandomErasingValues(t *testing.T) {
	out, err := RandomErasing{P: 1, Value: []float32{0.2, 0.7}, Scale: [2]float64{0.25, 0.25}, Ratio: [2]float64{1, 1}}.Apply(rngOf(2), ones(2, 8, 8))
	require.NoError(t, err)
	_, _, h, w, solid := box(where(out, 0.2))
	assert.True(t, solid)
	assert.Equal(t, [2]int{4, 4}, [2]int{h, w}, "a quarter of the area, square")
	n7 := 0
	for _, v := range out.Image[64:] {
		if v == 0.7 {
			n7++
		}
	}
	assert.Equal(t, 16, n7, "per-channel values")

	out, err = RandomErasing{P: 1, Random: true, Scale: [2]float64{0.25, 0.25}, Ratio: [2]float64{1, 1}}.Apply(rngOf(2), ones(1, 8, 8))
	require.NoError(t, err)
	assert.Len(t, where(out, 1), 48, "16 pixels replaced by noise")

	out, err = RandomErasing{P: 1, Scale: [2]float64{0.25, 0.25}, Ratio: [2]float64{1, 1}}.Apply(rngOf(2), ones(1, 8, 8))
	require.NoError(t, err)
	assert.Len(t, where(out, 0), 16, "default value 0")

	// Nothing smaller than a 1×1 image exists: unchanged.
	out, err = RandomErasing{P: 1}.Apply(rngOf(2), ones(1, 1, 1))
	require.NoError(t, err)
	assert.Equal(t, []float32{1}, out.Image)
}

func TestRandomErasingProbability(t *testing.T) {
	erased := 0
	for seed := range uint64(1000) {
		out, err := RandomErasing{}.Apply(rngOf(seed), ones(1, 20, 20))
		require.NoError(t, err)
		if len(where(out, 0)) > 0 {
			erased++
		}
	}
	assert.InDelta(t, 0.5, float64(erased)/1000, 0.05)
}

func TestRandomErasingErrors(t *testing.T) {
	for _, e := range []RandomErasing{{P: 2}, {Value: []float32{1, 2, 3}}, {Value: []float32{1}, Random: true}, {Scale: [2]float64{0.5, 0.1}}} {
		_, err := e.Apply(rngOf(1), ones(2, 4, 4))
		assert.Error(t, err, "%+v", e)
	}
}
