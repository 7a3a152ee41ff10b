package zoo

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// moments returns the mean and standard deviation of a tensor's values.
func moments(v []float64) (mean, std float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(v)))
}

func values(t *testing.T, s *graph.Store, name string) []float64 {
	t.Helper()
	v, ok := s.Lookup(name)
	require.True(t, ok, name)
	return graph.Float64s(v.Value)
}

// TestTorchvisionInit checks torchvision's initialization: convolutions
// N(0, 2/fan_out), batch norms weight 1 and bias 0 with running statistics
// 0 and 1, ResNet's fc nn.Linear's default U(±1/√fan_in), MobileNetV2's
// classifier N(0, 0.01²) and bias 0.
func TestTorchvisionInit(t *testing.T) {
	cases := []struct {
		model, name string
		std         float64 // 0: not a normal initialization
		constant    float64
		bound       float64 // uniform bound
	}{
		{"resnet18", "layer1.0.conv1.weight", math.Sqrt(2.0 / (64 * 9)), 0, 0},
		{"resnet18", "layer4.1.conv2.weight", math.Sqrt(2.0 / (512 * 9)), 0, 0},
		{"resnet50", "layer3.2.conv3.weight", math.Sqrt(2.0 / 1024), 0, 0},
		{"resnet18", "bn1.weight", 0, 1, 0},
		{"resnet18", "layer2.0.downsample.1.bias", 0, 0, 0},
		{"resnet18", "layer3.1.bn2.running_var", 0, 1, 0},
		{"resnet18", "layer3.1.bn2.running_mean", 0, 0, 0},
		{"resnet18", "fc.weight", 0, 0, 1 / math.Sqrt(512)},
		{"resnet18", "fc.bias", 0, 0, 1 / math.Sqrt(512)},
		{"mobilenet_v2", "features.18.0.weight", math.Sqrt(2.0 / 1280), 0, 0},
		{"mobilenet_v2", "features.17.conv.1.0.weight", math.Sqrt(2.0 / (960 * 9)), 0, 0}, // depthwise: PyTorch's fan_out ignores groups
		{"mobilenet_v2", "features.17.conv.1.1.weight", 0, 1, 0},
		{"mobilenet_v2", "classifier.1.weight", 0.01, 0, 0},
		{"mobilenet_v2", "classifier.1.bias", 0, 0, 0},
	}
	for _, c := range cases {
		v := values(t, defaultModel(t, c.model).Store, c.name)
		mean, std := moments(v)
		switch {
		case c.std > 0:
			assert.InDelta(t, 0, mean, 4*c.std/math.Sqrt(float64(len(v))), "%s %s: mean", c.model, c.name)
			assert.InEpsilon(t, c.std, std, 0.05, "%s %s: std", c.model, c.name)
		case c.bound > 0:
			for _, x := range v {
				require.LessOrEqual(t, math.Abs(x), c.bound, "%s %s", c.model, c.name)
			}
			assert.InEpsilon(t, c.bound/math.Sqrt(3), std, 0.15, "%s %s: std of U(±%.3g)", c.model, c.name, c.bound)
		default:
			for _, x := range v {
				require.Equal(t, c.constant, x, "%s %s", c.model, c.name)
			}
		}
	}
}

// TestSeededInit checks that the seed alone determines the weights.
func TestSeededInit(t *testing.T) {
	build := func(seed uint64) *graph.Store {
		s, err := graph.NewStore(tensor.Float32, seed)
		require.NoError(t, err)
		_, err = graph.Compile(s, ResNet{Layers: [4]int{1, 1, 1, 1}, Width: 8}, graph.Spec{Input: tensor.Shape{1, 3, 32, 32}})
		require.NoError(t, err)
		return s
	}
	a, b, c := build(1), build(1), build(2)
	for _, name := range []string{"conv1.weight", "layer3.0.downsample.0.weight", "fc.weight"} {
		assert.Equal(t, values(t, a, name), values(t, b, name), "same seed: %s", name)
		assert.NotEqual(t, values(t, a, name), values(t, c, name), "other seed: %s", name)
	}
}
