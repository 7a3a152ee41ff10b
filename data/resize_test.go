package data

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Parity with torchvision is tested in package imagefolder against a
// fixture written by torchvision itself; these tests check the arithmetic
// by hand and the relations between the functions.

func randImage(rng *rand.Rand, n int) []float32 {
	img := make([]float32, n)
	for i := range img {
		img[i] = rng.Float32()
	}
	return img
}

func TestResizeKnownValues(t *testing.T) {
	// Upscaling 2 → 4: source points (d+0.5)/2 − 0.5 = −0.25 (clamped to
	// 0), 0.25, 0.75, 1.25 (past the last pixel, which repeats).
	got, err := ResizeBilinear([]float32{0, 1}, 1, 1, 2, 1, 4)
	require.NoError(t, err)
	assert.Equal(t, []float32{0, 0.25, 0.75, 1}, got)

	// Downscaling 4 → 2 by half-pixel centres averages neighbours.
	got, err = ResizeBilinear([]float32{0, 1, 2, 3}, 1, 1, 4, 1, 2)
	require.NoError(t, err)
	assert.Equal(t, []float32{0.5, 2.5}, got)

	// Nearest 3 → 5 takes ⌊d·0.6⌋.
	got, err = ResizeNearest([]float32{0, 1, 2}, 1, 3, 1, 5, 1)
	require.NoError(t, err)
	assert.Equal(t, []float32{0, 0, 1, 1, 2}, got)

	// Channels are independent planes.
	got, err = ResizeBilinear([]float32{1, 1, 5, 5}, 2, 1, 2, 1, 1)
	require.NoError(t, err)
	assert.Equal(t, []float32{1, 5}, got)
}

func TestResizeIdentityAndInputUntouched(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	img := randImage(rng, 2*5*7)
	orig := append([]float32(nil), img...)
	for _, m := range []Interpolation{Bilinear, Nearest} {
		got, err := ResizeWindow(img, 2, 5, 7, 5, 7, Rect{H: 5, W: 7}, m)
		require.NoError(t, err)
		assert.Equal(t, img, got, m.String())
		_, err = ResizeWindow(img, 2, 5, 7, 9, 3, Rect{H: 9, W: 3}, m)
		require.NoError(t, err)
	}
	assert.Equal(t, orig, img)
}

// TestResizeWindowIsCropOfResize: computing a window directly equals
// resizing everything and cropping, zero padding included.
func TestResizeWindowIsCropOfResize(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for range 50 {
		c, h, w := 1+rng.IntN(3), 1+rng.IntN(9), 1+rng.IntN(9)
		oh, ow := 1+rng.IntN(12), 1+rng.IntN(12)
		win := Rect{Top: rng.IntN(oh+4) - 2, Left: rng.IntN(ow+4) - 2, H: 1 + rng.IntN(oh+2), W: 1 + rng.IntN(ow+2)}
		img := randImage(rng, c*h*w)
		for _, m := range []Interpolation{Bilinear, Nearest} {
			full, err := ResizeWindow(img, c, h, w, oh, ow, Rect{H: oh, W: ow}, m)
			require.NoError(t, err)
			want, err := Crop(full, c, oh, ow, win)
			require.NoError(t, err)
			got, err := ResizeWindow(img, c, h, w, oh, ow, win, m)
			require.NoError(t, err)
			assert.Equal(t, want, got, "%d×%d×%d → %d×%d, window %+v, %v", c, h, w, oh, ow, win, m)
		}
	}
}

func TestResizedCrop(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	img := randImage(rng, 2*6*8)
	r := Rect{Top: -1, Left: 3, H: 4, W: 6}
	got, err := ResizedCrop(img, 2, 6, 8, r, 5, 3, Bilinear)
	require.NoError(t, err)
	crop, err := Crop(img, 2, 6, 8, r)
	require.NoError(t, err)
	want, err := ResizeBilinear(crop, 2, 4, 6, 5, 3)
	require.NoError(t, err)
	assert.Equal(t, want, got, "crop, then resize")
}

func TestCrop(t *testing.T) {
	img := []float32{1, 2, 3, 4, 5, 6} // 1×2×3
	got, err := Crop(img, 1, 2, 3, Rect{Top: 0, Left: 1, H: 2, W: 2})
	require.NoError(t, err)
	assert.Equal(t, []float32{2, 3, 5, 6}, got)
	got, err = Crop(img, 1, 2, 3, Rect{Top: -1, Left: -1, H: 4, W: 5})
	require.NoError(t, err)
	assert.Equal(t, []float32{
		0, 0, 0, 0, 0,
		0, 1, 2, 3, 0,
		0, 4, 5, 6, 0,
		0, 0, 0, 0, 0,
	}, got)
	got, err = Crop(img, 1, 2, 3, Rect{Top: 5, Left: 5, H: 1, W: 2})
	require.NoError(t, err)
	assert.Equal(t, []float32{0, 0}, got, "entirely outside")
}

func TestResizeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"short image", second(ResizeBilinear(make([]float32, 5), 1, 2, 3, 4, 4)), "image has 5 values but its shape 1×2×3"},
		{"zero shape", second(ResizeBilinear(nil, 0, 2, 3, 4, 4)), "must be positive"},
		{"zero output", second(ResizeBilinear(make([]float32, 6), 1, 2, 3, 0, 4)), "to 0×4: the output size must be positive"},
		{"huge output", second(ResizeBilinear(make([]float32, 3), 3, 1, 1, 1<<15, 1<<15)), "exceeds data.MaxResizeValues"},
		{"overflowing output", second(ResizeBilinear(make([]float32, 1), 1, 1, 1, 1<<40, 1<<40)), "exceeds data.MaxResizeValues"},
		{"interpolation", second(ResizeWindow(make([]float32, 1), 1, 1, 1, 1, 1, Rect{H: 1, W: 1}, Interpolation(7))), "unknown interpolation 7"},
		{"empty window", second(ResizeWindow(make([]float32, 1), 1, 1, 1, 2, 2, Rect{H: 0, W: 1}, Bilinear)), "output size 0×1 must be positive"},
		{"crop shape", second(Crop(make([]float32, 2), 1, 1, 1, Rect{H: 1, W: 1})), "image has 2 values"},
		{"crop size", second(Crop(make([]float32, 1), 1, 1, 1, Rect{H: -1, W: 1})), "must be positive"},
		{"resized crop rect", second(ResizedCrop(make([]float32, 1), 1, 1, 1, Rect{H: 0, W: 1}, 2, 2, Bilinear)), "data: crop of a 1×1 image: output size 0×1 must be positive"},
		{"resized crop size", second(ResizedCrop(make([]float32, 1), 1, 1, 1, Rect{H: 1, W: 1}, 0, 2, Bilinear)), "to 0×2: the output size must be positive"},
	} {
		assert.ErrorContains(t, tc.err, tc.want, tc.name)
	}
	assert.Equal(t, "Interpolation(7)", Interpolation(7).String())
}

func second[T any](_ T, err error) error { return err }

func TestShorterSideSize(t *testing.T) {
	for _, tc := range []struct {
		h, w, size, maxSize int
		oh, ow              int
	}{
		{375, 500, 256, 0, 256, 341}, // int(256·500/375) = int(341.33)
		{500, 375, 256, 0, 341, 256},
		{10, 10, 3, 0, 3, 3},
		{1, 1, 5, 0, 5, 5},
		{2, 60, 5, 0, 5, 150},
		{4, 40, 3, 12, 1, 12},        // int(12·3/30) = 1
		{1, 10000, 8, 16, 1, 16},     // torchvision would make the short side 0
		{224, 224, 224, 0, 224, 224}, // no change
	} {
		oh, ow, err := ShorterSideSize(tc.h, tc.w, tc.size, tc.maxSize)
		require.NoError(t, err)
		assert.Equal(t, [2]int{tc.oh, tc.ow}, [2]int{oh, ow}, "%+v", tc)
	}
	_, _, err := ShorterSideSize(5, 5, 0, 0)
	assert.ErrorContains(t, err, "shorter side 0 must be positive")
	_, _, err = ShorterSideSize(5, 5, 8, 8)
	assert.ErrorContains(t, err, "max size 8 must exceed the shorter side 8")
	_, _, err = ShorterSideSize(0, 5, 8, 0)
	assert.ErrorContains(t, err, "image size 0×5 must be positive")
}

func TestCenterCropRect(t *testing.T) {
	for _, tc := range []struct {
		size, crop, start int
	}{
		{5, 2, 2},  // round(1.5) = 2
		{7, 2, 2},  // round(2.5) = 2: halves to even, as Python
		{9, 2, 4},  // round(3.5) = 4
		{4, 4, 0},  //
		{3, 6, -1}, // padded by ⌊3/2⌋ = 1 before
		{2, 5, -1}, // padded by ⌊3/2⌋ = 1 before, 2 after
		{1, 4, -1},
	} {
		r := CenterCropRect(tc.size, tc.size, tc.crop, tc.crop)
		assert.Equal(t, Rect{Top: tc.start, Left: tc.start, H: tc.crop, W: tc.crop}, r, "size %d, crop %d", tc.size, tc.crop)
	}
}

func TestResizeTransforms(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	s := Sample{Image: randImage(rng, 3*6*9), C: 3, H: 6, W: 9, Label: 4}

	got, err := Resize{H: 6, W: 9}.Apply(nil, s)
	require.NoError(t, err)
	assert.Equal(t, s, got, "same size: unchanged")
	got, err = Resize{H: 3, W: 4, Interpolation: Nearest}.Apply(nil, s.Clone())
	require.NoError(t, err)
	assert.Equal(t, [4]int{3, 3, 4, 4}, [4]int{got.C, got.H, got.W, got.Label})

	got, err = ResizeShorter{Size: 4}.Apply(nil, s.Clone())
	require.NoError(t, err)
	assert.Equal(t, [2]int{4, 6}, [2]int{got.H, got.W})

	got, err = CenterCrop{H: 2, W: 3}.Apply(nil, s.Clone())
	require.NoError(t, err)
	want, err := Crop(s.Image, 3, 6, 9, Rect{Top: 2, Left: 3, H: 2, W: 3})
	require.NoError(t, err)
	assert.Equal(t, want, got.Image)

	a, err := ResizeCenterCrop{Size: 5, H: 4, W: 4}.Apply(nil, s.Clone())
	require.NoError(t, err)
	b, err := Compose(ResizeShorter{Size: 5}, CenterCrop{H: 4, W: 4}).Apply(nil, s.Clone())
	require.NoError(t, err)
	assert.Equal(t, b, a)

	// An extreme aspect ratio that resize-then-crop could not hold.
	wide := Sample{Image: make([]float32, 1<<20), C: 1, H: 1, W: 1 << 20}
	_, err = ResizeShorter{Size: 512}.Apply(nil, wide)
	assert.ErrorContains(t, err, "exceeds data.MaxResizeValues")
	got, err = ResizeCenterCrop{Size: 512, H: 224, W: 224}.Apply(nil, wide)
	require.NoError(t, err)
	assert.Equal(t, [2]int{224, 224}, [2]int{got.H, got.W})

	for _, tc := range []struct {
		tr   Transform
		s    Sample
		want string
	}{
		{Resize{}, s, "Resize to 0×0: H and W must be positive"},
		{ResizeShorter{}, s, "shorter side 0 must be positive"},
		{ResizeShorter{Size: 4, MaxSize: 3}, s, "max size 3 must exceed the shorter side 4"},
		{CenterCrop{H: 1}, s, "CenterCrop to 1×0"},
		{ResizeCenterCrop{Size: 4}, s, "crop 0×0 must be positive"},
		{Resize{H: 2, W: 2}, Sample{Image: make([]float32, 2), C: 1, H: 2, W: 2}, "2 image values"},
		{ResizeCenterCrop{Size: 4, H: 2, W: 2}, Sample{C: 1, H: 0, W: 2}, "must be positive"},
	} {
		_, err := tc.tr.Apply(nil, tc.s)
		assert.ErrorContains(t, err, tc.want, "%T", tc.tr)
	}
}
