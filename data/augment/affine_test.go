package augment

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/data"
)

// near returns the positions of channel 0 within 1e-6 of v.
func near(s data.Sample, v float32) [][2]int {
	var out [][2]int
	for y := range s.H {
		for x := range s.W {
			if d := s.Image[y*s.W+x] - v; d < 1e-6 && d > -1e-6 {
				out = append(out, [2]int{y, x})
			}
		}
	}
	return out
}

func TestRotationMovesMarkedPixel(t *testing.T) {
	cases := []struct {
		degrees  float64
		from, to [2]int // on a 5×5 image, center (2, 2)
	}{
		{90, [2]int{2, 4}, [2]int{0, 2}},   // right of center → above: counter-clockwise
		{90, [2]int{1, 2}, [2]int{2, 1}},   // above → left
		{-90, [2]int{2, 4}, [2]int{4, 2}},  // clockwise: right → below
		{180, [2]int{0, 1}, [2]int{4, 3}},  // point reflection
		{270, [2]int{2, 3}, [2]int{3, 2}},  // right → below
		{360, [2]int{3, 0}, [2]int{3, 0}},  // full turn
		{-180, [2]int{2, 2}, [2]int{2, 2}}, // the center stays
	}
	for _, c := range cases {
		out, err := RandomRotation{Degrees: [2]float64{c.degrees, c.degrees}}.Apply(rngOf(1), marked(2, 5, 5, c.from[0], c.from[1]))
		require.NoError(t, err)
		assert.Equal(t, [][2]int{c.to}, near(out, 1), "%v° from %v", c.degrees, c.from)
		assert.Len(t, near(out, 0), 24, "%v°: everything else stays 0", c.degrees)
		assert.InDeltaSlice(t, float64sOf(out.Image[:25]), float64sOf(out.Image[25:]), 0, "channels alike")
	}
}

func TestRotationFillsCorners(t *testing.T) {
	out, err := RandomRotation{Degrees: [2]float64{45, 45}, Fill: 0.7}.Apply(rngOf(1), data.Sample{Image: make([]float32, 49), C: 1, H: 7, W: 7})
	require.NoError(t, err)
	for _, p := range [][2]int{{0, 0}, {0, 6}, {6, 0}, {6, 6}} {
		assert.InDelta(t, 0.7, out.Image[p[0]*7+p[1]], 1e-6, "corner %v comes from outside", p)
	}
	assert.Zero(t, out.Image[3*7+3], "the center comes from inside")
}

func TestRotationDraws(t *testing.T) {
	r := RandomAffine{Degrees: [2]float64{-10, 30}}
	lo, hi := 1e9, -1e9
	for seed := range uint64(300) {
		p, err := r.draw(rngOf(seed), 5, 5)
		require.NoError(t, err)
		lo, hi = min(lo, p.angle), max(hi, p.angle)
		assert.Equal(t, affine{angle: p.angle, scale: 1}, p)
	}
	assert.True(t, lo >= -10 && lo < -9 && hi <= 30 && hi > 29, "angles span [%v, %v]", lo, hi)
}

// TestZoomMovesMarkedPixel: zooming by 2 about the center (4, 4) takes the
// pixel at offset (1, 1) to offset (2, 2); halfway between, the output
// samples between the mark and its neighbours.
func TestZoomMovesMarkedPixel(t *testing.T) {
	out, err := RandomZoom{Scale: [2]float64{2, 2}}.Apply(rngOf(1), marked(1, 9, 9, 5, 5))
	require.NoError(t, err)
	assert.Equal(t, [][2]int{{6, 6}}, near(out, 1))
	assert.InDelta(t, 0.25, out.Image[5*9+5], 1e-6)
	assert.InDelta(t, 0.5, out.Image[6*9+5], 1e-6)

	// Zooming out by 2 takes offset (2, 2) to (1, 1) and shows Fill at
	// the border.
	out, err = RandomZoom{Scale: [2]float64{0.5, 0.5}, Fill: 0.25}.Apply(rngOf(1), marked(1, 9, 9, 6, 6))
	require.NoError(t, err)
	assert.Equal(t, [][2]int{{5, 5}}, near(out, 1))
	assert.InDelta(t, 0.25, out.Image[0], 1e-6)
}

// TestTranslationShiftsMarkedPixel: shifts are whole pixels within ±20%
// of the size; the output is the input shifted, Fill shifted in. Every
// shift in [−2, 2]² occurs.
func TestTranslationShiftsMarkedPixel(t *testing.T) {
	const fill = 0.5
	seen := map[[2]int]bool{}
	for seed := range uint64(300) {
		src := marked(1, 10, 10, 5, 5)
		out, err := RandomTranslation{Translate: [2]float64{0.2, 0.2}, Fill: fill}.Apply(rngOf(seed), src)
		require.NoError(t, err)
		at := near(out, 1)
		require.Len(t, at, 1)
		dy, dx := at[0][0]-5, at[0][1]-5
		require.True(t, dy >= -2 && dy <= 2 && dx >= -2 && dx <= 2, "shift %d,%d", dy, dx)
		seen[[2]int{dy, dx}] = true
		for y := range 10 {
			for x := range 10 {
				sy, sx := y-dy, x-dx
				want := float32(0)
				switch {
				case sy < 0 || sy >= 10 || sx < 0 || sx >= 10:
					want = fill
				case sy == 5 && sx == 5:
					want = 1
				}
				require.InDelta(t, want, out.Image[y*10+x], 1e-6)
			}
		}
	}
	assert.Len(t, seen, 25)
}

func TestAffineErrors(t *testing.T) {
	for _, a := range []RandomAffine{{Degrees: [2]float64{10, -10}}, {Translate: [2]float64{1.5, 0}}, {Scale: [2]float64{0, 1}}, {Scale: [2]float64{2, 1}}} {
		_, err := a.Apply(rngOf(1), ramp(1, 4, 4))
		assert.Error(t, err, "%+v", a)
	}
}
