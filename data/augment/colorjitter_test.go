package augment

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/data"
)

func rgb(pixels ...[3]float32) data.Sample {
	n := len(pixels)
	s := data.Sample{Image: make([]float32, 3*n), C: 3, H: 1, W: n}
	for i, p := range pixels {
		s.Image[i], s.Image[n+i], s.Image[2*n+i] = p[0], p[1], p[2]
	}
	return s
}

func TestColorAdjustmentsOnKnownValues(t *testing.T) {
	cases := []struct {
		name string
		in   data.Sample
		fn   func(s data.Sample)
		want []float32
	}{
		{"brightness halves", data.Sample{Image: []float32{0.2, 0.8}, C: 1, H: 1, W: 2},
			func(s data.Sample) { adjustBrightness(s.Image, 2, 0.5) }, []float32{0.1, 0.4}},
		{"brightness clamps at 1", data.Sample{Image: []float32{0.2, 0.8}, C: 1, H: 1, W: 2},
			func(s data.Sample) { adjustBrightness(s.Image, 2, 2) }, []float32{0.4, 1}},
		{"contrast 0 gives the mean", data.Sample{Image: []float32{0.2, 0.6}, C: 1, H: 1, W: 2},
			func(s data.Sample) { adjustContrast(s.Image, 1, 2, 0) }, []float32{0.4, 0.4}},
		{"contrast 2 doubles the distance to the mean", data.Sample{Image: []float32{0.3, 0.5}, C: 1, H: 1, W: 2},
			func(s data.Sample) { adjustContrast(s.Image, 1, 2, 2) }, []float32{0.2, 0.6}},
		{"saturation 0 is grayscale", rgb([3]float32{1, 0, 0}),
			func(s data.Sample) { adjustSaturation(s.Image, 3, 1, 0) }, []float32{0.2989, 0.2989, 0.2989}},
		{"hue ½ turns red to cyan", rgb([3]float32{1, 0, 0}),
			func(s data.Sample) { adjustHue(s.Image, 3, 1, 0.5) }, []float32{0, 1, 1}},
		{"hue ⅓ turns red to green", rgb([3]float32{1, 0, 0}, [3]float32{0, 0, 0.5}),
			func(s data.Sample) { adjustHue(s.Image, 3, 2, 1.0/3) }, []float32{0, 0.5, 1, 0, 0, 0}},
		{"hue −⅓ turns green to red", rgb([3]float32{0, 0.8, 0}),
			func(s data.Sample) { adjustHue(s.Image, 3, 1, -1.0/3) }, []float32{0.8, 0, 0}},
		{"hue keeps grays", rgb([3]float32{0.3, 0.3, 0.3}),
			func(s data.Sample) { adjustHue(s.Image, 3, 1, 0.25) }, []float32{0.3, 0.3, 0.3}},
		{"saturation is the identity on gray images", data.Sample{Image: []float32{0.2, 0.6}, C: 1, H: 1, W: 2},
			func(s data.Sample) { adjustSaturation(s.Image, 1, 2, 0) }, []float32{0.2, 0.6}},
		{"hue is the identity on gray images", data.Sample{Image: []float32{0.2, 0.6}, C: 1, H: 1, W: 2},
			func(s data.Sample) { adjustHue(s.Image, 1, 2, 0.4) }, []float32{0.2, 0.6}},
	}
	for _, c := range cases {
		c.fn(c.in)
		assert.InDeltaSlice(t, float64sOf(c.want), float64sOf(c.in.Image), 1e-6, c.name)
	}
}

// TestColorJitterFactorRanges: a brightness-only jitter scales the image
// by one factor in [1−B, 1+B]; the draws cover the range.
func TestColorJitterFactorRanges(t *testing.T) {
	lo, hi := 10.0, 0.0
	for seed := range uint64(300) {
		src := data.Sample{Image: []float32{0.1, 0.2, 0.4, 0.6}, C: 1, H: 2, W: 2}
		out, err := ColorJitter{Brightness: 0.4}.Apply(rngOf(seed), src.Clone())
		require.NoError(t, err)
		f := float64(out.Image[0] / src.Image[0])
		for i := range src.Image {
			require.InDelta(t, f*float64(src.Image[i]), out.Image[i], 1e-6)
		}
		lo, hi = min(lo, f), max(hi, f)
	}
	assert.True(t, lo >= 0.6 && lo < 0.62 && hi <= 1.4 && hi > 1.38, "factors span [%v, %v]", lo, hi)
}

// TestColorJitterGray: on one channel saturation and hue are identities,
// so a jitter of only those leaves the image alone; contrast works.
func TestColorJitterGray(t *testing.T) {
	src := ramp(1, 4, 4)
	out, err := ColorJitter{Saturation: 0.9, Hue: 0.5}.Apply(rngOf(1), src.Clone())
	require.NoError(t, err)
	assert.Equal(t, src.Image, out.Image)
	out, err = ColorJitter{Contrast: 0.9}.Apply(rngOf(1), src.Clone())
	require.NoError(t, err)
	assert.NotEqual(t, src.Image, out.Image)
}

func TestColorJitterAllInRange(t *testing.T) {
	for seed := range uint64(50) {
		out, err := ColorJitter{Brightness: 0.8, Contrast: 0.8, Saturation: 0.8, Hue: 0.5}.Apply(rngOf(seed), ramp(3, 4, 4))
		require.NoError(t, err)
		for _, v := range out.Image {
			require.True(t, v >= 0 && v <= 1, "value %v", v)
		}
	}
}

func TestColorJitterErrors(t *testing.T) {
	for _, j := range []ColorJitter{{Brightness: -1}, {Hue: 0.6}, {Hue: -0.1}} {
		_, err := j.Apply(rngOf(1), ramp(3, 2, 2))
		assert.Error(t, err, "%+v", j)
	}
	_, err := ColorJitter{Hue: 0.1}.Apply(rngOf(1), ramp(2, 2, 2))
	assert.ErrorContains(t, err, "1 or 3 channels")
	_, err = ColorJitter{Brightness: 0.1}.Apply(rngOf(1), ramp(2, 2, 2))
	assert.NoError(t, err, "brightness works on any number of channels")
}
