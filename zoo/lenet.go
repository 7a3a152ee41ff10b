package zoo

import (
	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
)

// LeNet5 is the classic LeNet-5 with ReLU and max pooling for 1×28×28
// images: conv1 (6@5×5, padding 2) → pool → conv2 (16@5×5) → pool → fc1 120
// → fc2 84 → fc3 classes. Parameter names match the usual PyTorch module
// (conv1, conv2, fc1, fc2, fc3).
func LeNet5(classes int) graph.Layer {
	return L.Sequential{
		L.Named{Name: "conv1", Layer: L.Conv2d{In: 1, Out: 6, Kernel: L.Sq(5), Padding: L.Sq(2)}},
		L.ReLU{},
		L.MaxPool2d{Kernel: L.Sq(2)},
		L.Named{Name: "conv2", Layer: L.Conv2d{In: 6, Out: 16, Kernel: L.Sq(5)}},
		L.ReLU{},
		L.MaxPool2d{Kernel: L.Sq(2)},
		L.Flatten{},
		L.Named{Name: "fc1", Layer: L.Linear{In: 16 * 5 * 5, Out: 120}},
		L.ReLU{},
		L.Named{Name: "fc2", Layer: L.Linear{In: 120, Out: 84}},
		L.ReLU{},
		L.Named{Name: "fc3", Layer: L.Linear{In: 84, Out: classes}},
	}
}

// MLP is a multi-layer perceptron for 1×28×28 images:
// flatten → fc1 256 → ReLU → fc2 128 → ReLU → fc3 classes.
func MLP(classes int) graph.Layer {
	return L.Sequential{
		L.Flatten{},
		L.Named{Name: "fc1", Layer: L.Linear{In: 28 * 28, Out: 256}},
		L.ReLU{},
		L.Named{Name: "fc2", Layer: L.Linear{In: 256, Out: 128}},
		L.ReLU{},
		L.Named{Name: "fc3", Layer: L.Linear{In: 128, Out: classes}},
	}
}

// mnistPreprocess: MNIST digits as [0, 1] pixels normalized with the
// training set's mean and standard deviation.
var mnistPreprocess = Preprocess{Interpolation: "bilinear", Mean: []float64{0.1307}, Std: []float64{0.3081}}

func init() {
	register(arch{
		name:  "lenet5",
		doc:   "LeNet-5 (ReLU, max pooling) for 1×28×28 images",
		build: func(classes int) graph.Layer { return LeNet5(classes) },
		info: Info{Channels: 1, Height: 28, Width: 28, Classes: 10, Preprocess: mnistPreprocess,
			Head: []string{"fc3.weight", "fc3.bias"},
			Groups: []Group{
				{Name: "features", Patterns: []string{"conv1.*", "conv2.*"}},
				{Name: "classifier", Patterns: []string{"fc1.*", "fc2.*"}},
				{Name: "head", Patterns: []string{"fc3.*"}},
			}},
	})
	register(arch{
		name:  "mlp",
		doc:   "multi-layer perceptron 784-256-128-classes for 1×28×28 images",
		build: func(classes int) graph.Layer { return MLP(classes) },
		info: Info{Channels: 1, Height: 28, Width: 28, Classes: 10, Preprocess: mnistPreprocess,
			Head: []string{"fc3.weight", "fc3.bias"},
			Groups: []Group{
				{Name: "body", Patterns: []string{"fc1.*", "fc2.*"}},
				{Name: "head", Patterns: []string{"fc3.*"}},
			}},
	})
}
