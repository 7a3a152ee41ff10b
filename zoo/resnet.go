package zoo

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
)

// Block is the residual block of a ResNet.
type Block uint8

const (
	// BasicBlock is two 3×3 convolutions (ResNet-18 and -34); expansion 1.
	BasicBlock Block = iota
	// Bottleneck is 1×1, 3×3, 1×1 convolutions with the stride on the 3×3
	// (torchvision's "ResNet v1.5"); the last widens the stage's width
	// four times (ResNet-50 and deeper).
	Bottleneck
)

func (b Block) String() string {
	switch b {
	case BasicBlock:
		return "BasicBlock"
	case Bottleneck:
		return "Bottleneck"
	}
	return "Block(?)"
}

// expansion is how much wider a block's output is than its stage width.
func (b Block) expansion() int {
	if b == Bottleneck {
		return 4
	}
	return 1
}

// ResNet is torchvision's ResNet (torchvision.models.resnet.ResNet) for
// 3-channel NCHW images, under its exact state_dict names: conv1, bn1,
// layer1…layer4 of blocks ("layer2.0.conv1.weight",
// "layer2.0.downsample.0.weight", "layer2.0.bn1.num_batches_tracked") and
// fc. A torchvision state dict loads into it strictly by name.
//
// The stem is a 7×7 stride-2 convolution and a 3×3 stride-2 max pool, each
// stage after the first halves the resolution, and a global average pool
// (torchvision's AdaptiveAvgPool2d(1)) precedes fc, so any input size works
// as in PyTorch (32×32 reaches the last stage as 1×1).
//
// Convolutions are initialized as torchvision does (kaiming_normal_,
// fan_out), batch norms to weight 1 and bias 0, fc with nn.Linear's
// default, all from the Store's seed.
type ResNet struct {
	Block Block
	// Layers is the number of blocks of each of the four stages; each must
	// be at least 1.
	Layers [4]int
	// Classes is the size of fc's output; 0 means 1000 (ImageNet).
	Classes int
	// Width is the first stage's width; the stages are Width·(1, 2, 4, 8)
	// wide. 0 means torchvision's 64. Narrow ResNets are for tests and
	// small problems; their names are unchanged.
	Width int
}

var _ graph.Layer = ResNet{}

// ResNet18 is torchvision's resnet18: BasicBlocks (2, 2, 2, 2).
func ResNet18(classes int) ResNet {
	return ResNet{Block: BasicBlock, Layers: [4]int{2, 2, 2, 2}, Classes: classes}
}

// ResNet34 is torchvision's resnet34: BasicBlocks (3, 4, 6, 3).
func ResNet34(classes int) ResNet {
	return ResNet{Block: BasicBlock, Layers: [4]int{3, 4, 6, 3}, Classes: classes}
}

// ResNet50 is torchvision's resnet50: Bottlenecks (3, 4, 6, 3).
func ResNet50(classes int) ResNet {
	return ResNet{Block: Bottleneck, Layers: [4]int{3, 4, 6, 3}, Classes: classes}
}

// Forward implements graph.Layer.
func (r ResNet) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	net, err := r.build()
	if err != nil {
		return nil, err
	}
	return net.Forward(s, x)
}

// build returns the network as a tree of layers, or says what is wrong
// with the configuration.
func (r ResNet) build() (graph.Layer, error) {
	classes, width := r.Classes, r.Width
	if classes == 0 {
		classes = 1000
	}
	if width == 0 {
		width = 64
	}
	switch {
	case r.Block != BasicBlock && r.Block != Bottleneck:
		return nil, fmt.Errorf("ResNet: unknown block %d (use BasicBlock or Bottleneck)", r.Block)
	case classes < 0 || width < 0:
		return nil, fmt.Errorf("ResNet: negative Classes (%d) or Width (%d)", r.Classes, r.Width)
	}
	net := L.Sequential{
		L.Named{Name: "conv1", Layer: tvConv{In: 3, Out: width, Kernel: L.Sq(7), Stride: L.Sq(2), Padding: L.Sq(3), NoBias: true}},
		L.Named{Name: "bn1", Layer: L.BatchNorm2d{Features: width}},
		L.Named{Name: "relu", Layer: L.ReLU{}},
		L.Named{Name: "maxpool", Layer: L.MaxPool2d{Kernel: L.Sq(3), Stride: L.Sq(2), Padding: L.Sq(1)}},
	}
	in := width
	for i, n := range r.Layers {
		if n < 1 {
			return nil, fmt.Errorf("ResNet: stage %d has %d blocks (Layers %v; each needs at least 1)", i+1, n, r.Layers)
		}
		planes, stride := width<<i, 2
		if i == 0 {
			stride = 1
		}
		stage := make(L.Sequential, n)
		for j := range stage {
			stage[j] = resBlock(r.Block, in, planes, stride)
			in, stride = planes*r.Block.expansion(), 1
		}
		net = append(net, L.Named{Name: "layer" + string(rune('1'+i)), Layer: stage})
	}
	return append(net,
		L.Named{Name: "avgpool", Layer: L.GlobalAvgPool{}},
		L.Named{Name: "fc", Layer: L.Linear{In: in, Out: classes}},
	), nil
}

// resBlock is one BasicBlock or Bottleneck (torchvision's _make_layer): in
// channels to planes·expansion, with a 1×1 convolution and batch norm as
// "downsample" shortcut when the stride or the width changes.
func resBlock(b Block, in, planes, stride int) graph.Layer {
	out := planes * b.expansion()
	var body L.Sequential
	if b == BasicBlock {
		body = L.Sequential{
			L.Named{Name: "conv1", Layer: conv3x3(in, planes, stride)},
			L.Named{Name: "bn1", Layer: L.BatchNorm2d{Features: planes}},
			L.Named{Name: "relu", Layer: L.ReLU{}},
			L.Named{Name: "conv2", Layer: conv3x3(planes, planes, 1)},
			L.Named{Name: "bn2", Layer: L.BatchNorm2d{Features: planes}},
		}
	} else {
		body = L.Sequential{
			L.Named{Name: "conv1", Layer: conv1x1(in, planes, 1)},
			L.Named{Name: "bn1", Layer: L.BatchNorm2d{Features: planes}},
			L.Named{Name: "relu", Layer: L.ReLU{}},
			L.Named{Name: "conv2", Layer: conv3x3(planes, planes, stride)},
			L.Named{Name: "bn2", Layer: L.BatchNorm2d{Features: planes}},
			L.Named{Name: "relu", Layer: L.ReLU{}},
			L.Named{Name: "conv3", Layer: conv1x1(planes, out, 1)},
			L.Named{Name: "bn3", Layer: L.BatchNorm2d{Features: out}},
		}
	}
	block := L.Residual{Body: body, After: L.ReLU{}}
	if stride != 1 || in != out {
		block.Shortcut = L.Named{Name: "downsample", Layer: L.Sequential{
			conv1x1(in, out, stride),
			L.BatchNorm2d{Features: out},
		}}
	}
	return block
}

func conv3x3(in, out, stride int) tvConv {
	return tvConv{In: in, Out: out, Kernel: L.Sq(3), Stride: L.Sq(stride), Padding: L.Sq(1), NoBias: true}
}

func conv1x1(in, out, stride int) tvConv {
	return tvConv{In: in, Out: out, Kernel: L.Sq(1), Stride: L.Sq(stride), NoBias: true}
}

// resnetInfo is the metadata of the ImageNet ResNets: fastai's layer
// groups (stem, layer1 and layer2 / layer3 and layer4 / head).
func resnetInfo() Info {
	return Info{
		Channels: 3, Height: 224, Width: 224, Classes: 1000,
		Preprocess: imagenetPreprocess(),
		Head:       []string{"fc.weight", "fc.bias"},
		Groups: []Group{
			{Name: "stem+layer1+layer2", Patterns: []string{"conv1.*", "bn1.*", "layer1.*", "layer2.*"}},
			{Name: "layer3+layer4", Patterns: []string{"layer3.*", "layer4.*"}},
			{Name: "head", Patterns: []string{"fc.*"}},
		},
	}
}

func init() {
	register(arch{
		name:  "resnet18",
		doc:   "ResNet-18 (torchvision resnet18, BasicBlocks 2-2-2-2) for 3×224×224 ImageNet-normalized images",
		build: func(classes int) graph.Layer { return ResNet18(classes) },
		info:  resnetInfo(),
	})
	register(arch{
		name:  "resnet34",
		doc:   "ResNet-34 (torchvision resnet34, BasicBlocks 3-4-6-3) for 3×224×224 ImageNet-normalized images",
		build: func(classes int) graph.Layer { return ResNet34(classes) },
		info:  resnetInfo(),
	})
	register(arch{
		name:  "resnet50",
		doc:   "ResNet-50 (torchvision resnet50 v1.5, Bottlenecks 3-4-6-3) for 3×224×224 ImageNet-normalized images",
		build: func(classes int) graph.Layer { return ResNet50(classes) },
		info:  resnetInfo(),
	})
}
