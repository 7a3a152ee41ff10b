package imagefolder

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/data"
)

// resizeCase is one case of testdata/resize_fixture.json, written by
// torchvision 0.14's tensor resize and center_crop (antialias=False).
type resizeCase struct {
	Name     string    `json:"name"`
	Op       string    `json:"op"`
	Interp   string    `json:"interp"`
	Shape    [3]int    `json:"shape"`
	Input    []float32 `json:"input"`
	OutShape [3]int    `json:"out_shape"`
	Output   []float32 `json:"output"`
	Size     any       `json:"size"` // [h, w] for "resize", an int otherwise
	MaxSize  int       `json:"max_size"`
	Crop     [2]int    `json:"crop"`
	Rect     [4]int    `json:"rect"` // top, left, h, w
}

// TestResizeTorchvisionParity runs the transforms of package data on the
// fixture's inputs and compares with torchvision within 1e-5.
func TestResizeTorchvisionParity(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "resize_fixture.json"))
	require.NoError(t, err, "regenerate with testdata/gen/resize_fixture.py")
	var fx struct {
		Cases []resizeCase `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(raw, &fx))
	require.NotEmpty(t, fx.Cases)
	for _, tc := range fx.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			interp := data.Bilinear
			if tc.Interp == "nearest" {
				interp = data.Nearest
			}
			var transforms []data.Transform
			switch tc.Op {
			case "resize":
				hw := tc.Size.([]any)
				transforms = append(transforms, data.Resize{H: int(hw[0].(float64)), W: int(hw[1].(float64)), Interpolation: interp})
			case "shorter":
				transforms = append(transforms, data.ResizeShorter{Size: int(tc.Size.(float64)), MaxSize: tc.MaxSize, Interpolation: interp})
			case "crop":
				transforms = append(transforms, data.CenterCrop{H: tc.Crop[0], W: tc.Crop[1]})
			case "shorter_crop":
				size := int(tc.Size.(float64))
				transforms = append(transforms,
					data.ResizeCenterCrop{Size: size, H: tc.Crop[0], W: tc.Crop[1], Interpolation: interp},
					data.Compose(data.ResizeShorter{Size: size, Interpolation: interp}, data.CenterCrop{H: tc.Crop[0], W: tc.Crop[1]}))
				if interp == data.Bilinear && tc.Crop[0] == tc.Crop[1] {
					ev, err := EvalTransform(size, tc.Crop[0], nil, nil)
					require.NoError(t, err)
					transforms = append(transforms, ev)
				}
			case "resized_crop":
				hw := tc.Size.([]any)
				oh, ow := int(hw[0].(float64)), int(hw[1].(float64))
				r := data.Rect{Top: tc.Rect[0], Left: tc.Rect[1], H: tc.Rect[2], W: tc.Rect[3]}
				transforms = append(transforms, data.TransformFunc(func(_ *rand.Rand, s data.Sample) (data.Sample, error) {
					img, err := data.ResizedCrop(s.Image, s.C, s.H, s.W, r, oh, ow, interp)
					s.Image, s.H, s.W = img, oh, ow
					return s, err
				}))
			default:
				t.Fatalf("unknown op %q", tc.Op)
			}
			for k, tr := range transforms {
				in := data.Sample{Image: append([]float32(nil), tc.Input...), C: tc.Shape[0], H: tc.Shape[1], W: tc.Shape[2]}
				out, err := tr.Apply(nil, in)
				require.NoError(t, err)
				require.Equal(t, tc.OutShape, [3]int{out.C, out.H, out.W}, "transform %d", k)
				assert.InDeltaSlice(t, tc.Output, out.Image, 1e-5, "transform %d", k)
			}
		})
	}
}

// TestEvalTransformShapes runs the evaluation preprocessing on tiny and
// extreme images: all come out crop×crop, normalized.
func TestEvalTransformShapes(t *testing.T) {
	tr, err := EvalTransform(8, 6, []float32{0.5, 0.5, 0.5}, []float32{0.25, 0.25, 0.25})
	require.NoError(t, err)
	for _, hw := range [][2]int{{1, 1}, {2, 3}, {1, 5000}, {4000, 2}, {6, 6}, {300, 200}} {
		img := make([]float32, 3*hw[0]*hw[1])
		for i := range img {
			img[i] = 0.75
		}
		s, err := tr.Apply(nil, data.Sample{Image: img, C: 3, H: hw[0], W: hw[1]})
		require.NoError(t, err, "%v", hw)
		require.Equal(t, [3]int{3, 6, 6}, [3]int{s.C, s.H, s.W}, "%v", hw)
		for _, v := range s.Image {
			require.InDelta(t, 1.0, v, 1e-6, "a uniform 0.75 image normalizes to 1 everywhere (%v)", hw)
		}
	}

	// Crop larger than the resized image: zero padding, as torchvision.
	tr, err = EvalTransform(2, 4, nil, nil)
	require.NoError(t, err)
	s, err := tr.Apply(nil, data.Sample{Image: []float32{1, 1, 1, 1}, C: 1, H: 2, W: 2})
	require.NoError(t, err)
	assert.Equal(t, []float32{0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0}, s.Image)

	for _, bad := range []struct {
		size, crop int
		mean, std  []float32
		want       string
	}{
		{0, 224, nil, nil, "resize 0 and crop 224 must be positive"},
		{256, -1, nil, nil, "must be positive"},
		{256, 224, []float32{0.5}, nil, "1 means and 0 stds"},
		{256, 224, []float32{}, []float32{}, "0 means and 0 stds"},
	} {
		_, err := EvalTransform(bad.size, bad.crop, bad.mean, bad.std)
		assert.ErrorContains(t, err, bad.want)
	}
	tr, err = EvalTransform(4, 4, []float32{0.5, 0.5}, []float32{1, 1})
	require.NoError(t, err)
	_, err = tr.Apply(nil, data.Sample{Image: make([]float32, 3), C: 3, H: 1, W: 1})
	assert.ErrorContains(t, err, "2 means and 2 stds for a sample with 3 channels")
}
