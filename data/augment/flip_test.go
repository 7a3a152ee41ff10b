package augment

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/data"
)

func TestFlipMovesMarkedPixel(t *testing.T) {
	cases := []struct {
		name string
		tf   data.Transform
		want [2]int // where the pixel marked at (1, 0) of a 3×4 image lands
	}{
		{"horizontal", HorizontalFlip{P: 1}, [2]int{1, 3}},
		{"vertical", VerticalFlip{P: 1}, [2]int{1, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := c.tf.Apply(rngOf(1), marked(2, 3, 4, 1, 0))
			require.NoError(t, err)
			assert.Equal(t, [][2]int{c.want}, where(out, 1))
			assert.Equal(t, out.Image[:12], out.Image[12:], "every channel is flipped alike")
		})
	}
	out, err := VerticalFlip{P: 1}.Apply(rngOf(1), marked(1, 3, 4, 0, 2))
	require.NoError(t, err)
	assert.Equal(t, [][2]int{{2, 2}}, where(out, 1))
	out, err = HorizontalFlip{P: 1}.Apply(rngOf(1), ramp(1, 2, 3))
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{2, 1, 0, 5, 4, 3}, scaled(out.Image, 6), 1e-6)
}

func TestFlipProbability(t *testing.T) {
	for _, c := range []struct {
		tf   data.Transform
		want float64
	}{{HorizontalFlip{}, 0.5}, {HorizontalFlip{P: 0.2}, 0.2}, {VerticalFlip{}, 0.5}, {VerticalFlip{P: 0.9}, 0.9}} {
		flipped := 0
		const n = 2000
		for seed := range uint64(n) {
			out, err := c.tf.Apply(rngOf(seed), marked(1, 2, 2, 0, 0))
			require.NoError(t, err)
			if out.Image[0] == 0 {
				flipped++
			}
		}
		assert.InDelta(t, c.want, float64(flipped)/n, 0.04, "%T", c.tf)
	}
	_, err := HorizontalFlip{P: 1.5}.Apply(rngOf(1), marked(1, 2, 2, 0, 0))
	assert.Error(t, err)
}

// scaled returns v·k as float64s (to compare ramp values as integers).
func scaled(v []float32, k float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x) * k
	}
	return out
}
