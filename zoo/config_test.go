package zoo

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// TestConfigErrors checks that invalid configurations and inputs are
// errors that say what is wrong, never panics, and create no tensors.
func TestConfigErrors(t *testing.T) {
	img := tensor.Shape{1, 3, 32, 32}
	cases := []struct {
		name  string
		layer graph.Layer
		input tensor.Shape
		want  string
	}{
		{"resnet block", ResNet{Block: 7, Layers: [4]int{1, 1, 1, 1}}, img, "unknown block"},
		{"resnet empty stage", ResNet{Layers: [4]int{2, 0, 2, 2}}, img, "stage 2 has 0 blocks"},
		{"resnet classes", ResNet{Layers: [4]int{1, 1, 1, 1}, Classes: -1}, img, "negative"},
		{"resnet grayscale", ResNet18(10), tensor.Shape{1, 1, 32, 32}, "3 channels"},
		{"mobilenet width", MobileNetV2{WidthMult: -1}, img, "WidthMult"},
		{"mobilenet width NaN", MobileNetV2{WidthMult: math.NaN()}, img, "WidthMult"},
		{"mobilenet dropout", MobileNetV2{Dropout: 1}, img, "Dropout 1 outside"},
		{"mobilenet stride", MobileNetV2{Setting: []MobileNetStage{{1, 16, 1, 3}}}, img, "Stride 1 or 2"},
		{"mobilenet empty", MobileNetV2{Setting: []MobileNetStage{}}, img, "empty Setting"},
		{"mobilenet grayscale", MobileNetV2{}, tensor.Shape{1, 1, 32, 32}, "3 channels"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, err := graph.NewStore(tensor.Float32, 1)
			require.NoError(t, err)
			_, err = graph.Compile(st, c.layer, graph.Spec{Input: c.input})
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			if c.input[1] == 3 {
				assert.Zero(t, st.Len(), "an invalid configuration must not create tensors")
			}
		})
	}
}

// TestMakeDivisible checks torchvision's channel rounding; the expected
// values are torchvision.models.mobilenetv2._make_divisible's.
func TestMakeDivisible(t *testing.T) {
	cases := []struct {
		v       float64
		divisor int
		want    int
	}{
		{32, 8, 32}, {8, 8, 8}, {4, 8, 8}, {6, 8, 8}, {24 * 0.25, 8, 8},
		{320 * 0.35, 8, 112}, {96 * 0.75, 8, 72}, {1280 * 1.4, 8, 1792},
		{20, 8, 24}, {19.9, 8, 24}, {35, 16, 32}, {10, 3, 9},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, makeDivisible(c.v, c.divisor), "makeDivisible(%v, %d)", c.v, c.divisor)
	}
}
