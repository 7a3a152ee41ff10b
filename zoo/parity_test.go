package zoo

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/graph"
)

// tinyMobileNetSetting is TINY_MOBILENET_SETTING of gen_zoo.py: every
// block kind (no expansion, stride 2, residual) in few channels.
var tinyMobileNetSetting = []MobileNetStage{{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 2, 2}}

// smallParity are the committed fixtures: narrow torchvision ResNets with
// each block kind, and a narrow MobileNetV2, small enough for CI.
var smallParity = []parityCase{
	{
		name:  "resnet_tiny_basic",
		layer: ResNet{Block: BasicBlock, Layers: [4]int{1, 1, 1, 1}, Width: 8, Classes: 10},
		grads: []string{"conv1.weight", "layer2.0.downsample.0.weight", "fc.weight"},
	},
	{
		name:  "resnet_tiny_bottleneck",
		layer: ResNet{Block: Bottleneck, Layers: [4]int{1, 1, 1, 1}, Width: 4, Classes: 10},
		grads: []string{"conv1.weight", "layer3.0.conv2.weight", "fc.weight"},
	},
	{
		name:  "mobilenet_v2_tiny",
		layer: MobileNetV2{Classes: 10, WidthMult: 0.25, Setting: tinyMobileNetSetting, NoDropout: true},
		grads: []string{"features.0.0.weight", "features.2.conv.1.0.weight", "classifier.1.weight"},
	},
}

// TestParitySmall runs narrow torchvision models (random weights, random
// batch-norm statistics) and compares with PyTorch: eval logits within
// 1e-4, training-mode logits, gradients and updated running statistics
// within 1e-3, relative to the largest magnitude.
func TestParitySmall(t *testing.T) {
	for _, c := range smallParity {
		t.Run(c.name, func(t *testing.T) { checkParity(t, "testdata", c) })
	}
}

// largeParity are torchvision's resnet18, resnet50 and mobilenet_v2 at
// 2×3×224×224, from git-ignored fixtures.
var largeParity = []parityCase{
	{name: "resnet18", layer: ResNet18(1000), grads: []string{"conv1.weight", "fc.weight"}},
	{name: "resnet50", layer: ResNet50(1000), grads: []string{"conv1.weight", "fc.weight"}},
	{name: "mobilenet_v2", layer: MobileNetV2{NoDropout: true}, grads: []string{"features.0.0.weight", "classifier.1.weight"}},
}

// TestParityLarge is TestParitySmall for the full-size models. It needs
// the large fixtures and skips, saying how to make them, without them.
func TestParityLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("full-size models take minutes; run without -short")
	}
	for _, c := range largeParity {
		t.Run(c.name, func(t *testing.T) { checkParity(t, largeDir(t, c.name), c) })
	}
}

// TestPredictLarge loads the full-size torchvision weights through the
// registry (New with WithWeights, from .safetensors and from .pth) and
// checks Predict's logits against PyTorch's eval logits.
func TestPredictLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("full-size models; run without -short")
	}
	for _, c := range largeParity {
		for _, ext := range []string{".safetensors", ".pth"} {
			t.Run(c.name+ext, func(t *testing.T) {
				dir := largeDir(t, c.name)
				io := readIO(t, filepath.Join(dir, c.name+".io.safetensors"))
				m, err := New(c.name, WithWeights(filepath.Join(dir, c.name+ext)))
				require.NoError(t, err)
				logits, err := m.Predict(io.dense(t, "input"))
				require.NoError(t, err)
				assertClose(t, io.values(t, "eval_logits"), graph.Float64s(logits), evalTol, "Predict logits")
			})
		}
	}
}
