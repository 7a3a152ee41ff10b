package augment

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/data"
)

// torchvision.json is written by testdata/gen/torchvision_fixtures.py from
// torchvision 0.14's functional transforms on float64 images.
type fixtures struct {
	ResizedCrop []struct {
		C, H, W                  int
		Image, Want              []float64
		Top, Left, Height, Width int
		OutH                     int `json:"out_h"`
		OutW                     int `json:"out_w"`
	} `json:"resized_crop"`
	Affine []struct {
		C, H, W            int
		Image, Want        []float64
		Angle, Scale, Fill float64
		TX                 float64 `json:"tx"`
		TY                 float64 `json:"ty"`
	} `json:"affine"`
	Color []struct {
		Op          string
		Factor      float64
		C, H, W     int
		Image, Want []float64
	} `json:"color"`
}

func loadFixtures(t *testing.T) fixtures {
	t.Helper()
	raw, err := os.ReadFile("testdata/torchvision.json")
	require.NoError(t, err)
	var f fixtures
	require.NoError(t, json.Unmarshal(raw, &f))
	require.NotEmpty(t, f.ResizedCrop)
	require.NotEmpty(t, f.Affine)
	require.NotEmpty(t, f.Color)
	return f
}

func sampleOf(c, h, w int, v []float64) data.Sample {
	img := make([]float32, len(v))
	for i, x := range v {
		img[i] = float32(x)
	}
	return data.Sample{Image: img, C: c, H: h, W: w}
}

func float64sOf(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func TestResizedCropMatchesTorchvision(t *testing.T) {
	for _, c := range loadFixtures(t).ResizedCrop {
		got := resizedCrop(sampleOf(c.C, c.H, c.W, c.Image), c.Top, c.Left, c.Height, c.Width, c.OutH, c.OutW)
		assert.Equal(t, []int{c.C, c.OutH, c.OutW}, []int{got.C, got.H, got.W})
		assert.InDeltaSlice(t, c.Want, float64sOf(got.Image), 1e-6, "crop %d×%d at (%d, %d) → %d×%d", c.Height, c.Width, c.Top, c.Left, c.OutH, c.OutW)
	}
}

func TestAffineMatchesTorchvision(t *testing.T) {
	for _, c := range loadFixtures(t).Affine {
		p := affine{angle: c.Angle, dx: c.TX, dy: c.TY, scale: c.Scale}
		got := warp(sampleOf(c.C, c.H, c.W, c.Image), p, float32(c.Fill))
		assert.InDeltaSlice(t, c.Want, float64sOf(got.Image), 1e-5, "%+v", p)
	}
}

func TestColorMatchesTorchvision(t *testing.T) {
	for _, c := range loadFixtures(t).Color {
		s := sampleOf(c.C, c.H, c.W, c.Image)
		plane := c.H * c.W
		switch c.Op {
		case "brightness":
			adjustBrightness(s.Image, plane, c.Factor)
		case "contrast":
			adjustContrast(s.Image, c.C, plane, c.Factor)
		case "saturation":
			adjustSaturation(s.Image, c.C, plane, c.Factor)
		case "hue":
			adjustHue(s.Image, c.C, plane, c.Factor)
		default:
			t.Fatalf("unknown op %q", c.Op)
		}
		assert.InDeltaSlice(t, c.Want, float64sOf(s.Image), 1e-6, "%s %v on %d channels", c.Op, c.Factor, c.C)
	}
}
