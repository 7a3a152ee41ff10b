package augment

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRandomCropShiftsMarkedPixel: a 5×5 image padded by 2 and cropped
// back to 5×5 is the image shifted by (2−i, 2−j) for the drawn window
// (i, j); the padding shows as Fill. Every shift in [−2, 2]² occurs.
func TestRandomCropShiftsMarkedPixel(t *testing.T) {
	const fill = 0.5
	seen := map[[2]int]bool{}
	for seed := range uint64(400) {
		out, err := RandomCrop{Padding: 2, Fill: fill}.Apply(rngOf(seed), marked(1, 5, 5, 2, 2))
		require.NoError(t, err)
		require.Equal(t, []int{1, 5, 5}, []int{out.C, out.H, out.W})
		at := where(out, 1)
		require.Len(t, at, 1, "seed %d", seed)
		dy, dx := at[0][0]-2, at[0][1]-2
		require.True(t, dy >= -2 && dy <= 2 && dx >= -2 && dx <= 2)
		seen[[2]int{dy, dx}] = true
		// Every other pixel is image (0) or padding (fill), as the shift says.
		for y := range 5 {
			for x := range 5 {
				sy, sx := y-dy, x-dx
				want := float32(0)
				switch {
				case sy < 0 || sy >= 5 || sx < 0 || sx >= 5:
					want = fill
				case sy == 2 && sx == 2:
					want = 1
				}
				require.Equal(t, want, out.Image[y*5+x], "seed %d (%d, %d)", seed, y, x)
			}
		}
	}
	assert.Len(t, seen, 25)
}

func TestRandomCropWindow(t *testing.T) {
	src := ramp(2, 5, 6)
	out, err := RandomCrop{Height: 3, Width: 4}.Apply(rngOf(3), src.Clone())
	require.NoError(t, err)
	require.Equal(t, []int{2, 3, 4}, []int{out.C, out.H, out.W})
	// The output is a window of the input: find its corner.
	v := out.Image[0] * 60
	top, left := int(v+0.5)/6, int(v+0.5)%6
	for c := range 2 {
		for y := range 3 {
			for x := range 4 {
				assert.Equal(t, src.Image[c*30+(top+y)*6+left+x], out.Image[c*12+y*4+x])
			}
		}
	}
	// Same size, no padding: the identity, with no draw.
	out, err = RandomCrop{}.Apply(rngOf(3), src.Clone())
	require.NoError(t, err)
	assert.Equal(t, src.Image, out.Image)

	_, err = RandomCrop{Height: 6}.Apply(rngOf(3), src.Clone())
	assert.ErrorContains(t, err, "does not fit")
	_, err = RandomCrop{Padding: -1}.Apply(rngOf(3), src.Clone())
	assert.Error(t, err)
}
