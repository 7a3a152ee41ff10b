package zoo

import (
	"errors"
	"fmt"
	"strconv"

	G "gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
)

// MobileNetStage is one row (t, c, n, s) of MobileNetV2's
// inverted-residual setting: Blocks blocks with output Channels (before the
// width multiplier), the first with Stride, each expanding its input
// Expand times.
type MobileNetStage struct {
	Expand, Channels, Blocks, Stride int
}

// MobileNetV2Setting returns torchvision's inverted-residual setting
// (a fresh slice each call).
func MobileNetV2Setting() []MobileNetStage {
	return []MobileNetStage{
		{1, 16, 1, 1},
		{6, 24, 2, 2},
		{6, 32, 3, 2},
		{6, 64, 4, 2},
		{6, 96, 3, 1},
		{6, 160, 3, 2},
		{6, 320, 1, 1},
	}
}

// MobileNetV2 is torchvision's MobileNetV2
// (torchvision.models.mobilenetv2.MobileNetV2) for 3-channel NCHW images,
// under its exact state_dict names: features.0 (3×3 stride-2 convolution,
// batch norm, ReLU6), features.1… inverted residual blocks
// ("features.1.conv.0.0.weight", "features.2.conv.1.1.running_var"), the
// last 1×1 convolution to 1280 channels, global average pooling, and
// classifier (Dropout, Linear as "classifier.1"). A torchvision state dict
// loads into it strictly by name.
//
// Its depthwise convolutions are layers.Conv2d with Groups = In = Out,
// one op each (ops.DepthwiseConv2d): the graph has hundreds of nodes, not
// the tens of thousands of a per-channel grouped convolution, and compiles
// in a fraction of a second instead of half a minute.
//
// Initialization is torchvision's: convolutions kaiming_normal_ (fan_out),
// batch norms weight 1 and bias 0, the classifier N(0, 0.01²) and bias 0,
// from the Store's seed.
type MobileNetV2 struct {
	// Classes is the size of the classifier's output; 0 means 1000.
	Classes int
	// WidthMult scales every width (rounded to RoundNearest); 0 means 1.
	WidthMult float64
	// Setting lists the inverted-residual stages; nil means
	// MobileNetV2Setting().
	Setting []MobileNetStage
	// RoundNearest is the multiple widths are rounded to; 0 means 8.
	RoundNearest int
	// Dropout is the classifier's dropout probability; 0 means
	// torchvision's 0.2.
	Dropout float64
	// NoDropout removes the classifier's dropout (the state dict is the
	// same): training then draws no masks, which makes a training-mode
	// forward comparable with PyTorch's with dropout disabled.
	NoDropout bool
}

var _ graph.Layer = MobileNetV2{}

// Forward implements graph.Layer.
func (m MobileNetV2) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	net, err := m.build()
	if err != nil {
		return nil, err
	}
	return net.Forward(s, x)
}

// build returns the network as a tree of layers, or says what is wrong
// with the configuration.
func (m MobileNetV2) build() (graph.Layer, error) {
	classes, width, round, p := m.Classes, m.WidthMult, m.RoundNearest, m.Dropout
	if classes == 0 {
		classes = 1000
	}
	if width == 0 {
		width = 1
	}
	if round == 0 {
		round = 8
	}
	if p == 0 {
		p = 0.2
	}
	if m.NoDropout {
		p = 0
	}
	setting := m.Setting
	if setting == nil {
		setting = MobileNetV2Setting()
	}
	switch {
	case classes < 0 || !(width > 0) || round < 0:
		return nil, fmt.Errorf("MobileNetV2: Classes (%d), WidthMult (%v) and RoundNearest (%d) must not be negative", m.Classes, m.WidthMult, m.RoundNearest)
	case p < 0 || p >= 1:
		return nil, fmt.Errorf("MobileNetV2: Dropout %v outside [0, 1)", m.Dropout)
	case len(setting) == 0:
		return nil, errors.New("MobileNetV2: empty Setting (nil means torchvision's)")
	}
	in := makeDivisible(32*width, round)
	last := makeDivisible(1280*max(1, width), round)
	features := L.Sequential{convBNReLU6(3, in, 3, 2, false)}
	for i, st := range setting {
		if st.Expand < 1 || st.Channels < 1 || st.Blocks < 1 || (st.Stride != 1 && st.Stride != 2) {
			return nil, fmt.Errorf("MobileNetV2: stage %d %+v: Expand, Channels and Blocks must be positive and Stride 1 or 2", i, st)
		}
		out := makeDivisible(float64(st.Channels)*width, round)
		for j := 0; j < st.Blocks; j++ {
			stride := st.Stride
			if j > 0 {
				stride = 1
			}
			features = append(features, invertedResidual(in, out, stride, st.Expand))
			in = out
		}
	}
	features = append(features, convBNReLU6(in, last, 1, 1, false))
	return L.Sequential{
		L.Named{Name: "features", Layer: features},
		L.Named{Name: "avgpool", Layer: L.GlobalAvgPool{}},
		L.Named{Name: "classifier", Layer: L.Sequential{
			L.Dropout{P: p},
			tvLinear{In: last, Out: classes, Std: 0.01},
		}},
	}, nil
}

// makeDivisible is torchvision's _make_divisible: v rounded to the nearest
// multiple of divisor, at least divisor, and not more than 10% below v.
func makeDivisible(v float64, divisor int) int {
	d := float64(divisor)
	n := max(divisor, int(v+d/2)/divisor*divisor)
	if float64(n) < 0.9*v {
		n += divisor
	}
	return n
}

// convBNReLU6 is torchvision's Conv2dNormActivation with ReLU6: a
// bias-free convolution with "same" padding ("0"), batch norm ("1") and
// ReLU6 ("2"). depthwise makes it a depthwise convolution (in = out =
// groups).
func convBNReLU6(in, out, kernel, stride int, depthwise bool) L.Sequential {
	conv := tvConv{In: in, Out: out, Kernel: L.Sq(kernel), Stride: L.Sq(stride), Padding: L.Sq((kernel - 1) / 2), NoBias: true}
	if depthwise {
		conv.Groups = in
	}
	return L.Sequential{conv, L.BatchNorm2d{Features: out}, L.ReLU6{}}
}

// invertedResidual is torchvision's InvertedResidual: a 1×1 expansion (left
// out when expand is 1), a 3×3 depthwise convolution with the stride, and a
// linear 1×1 projection with batch norm, all under "conv"; the input is
// added back when the stride is 1 and the width is unchanged.
func invertedResidual(in, out, stride, expand int) graph.Layer {
	hidden := in * expand
	var conv L.Sequential
	if expand != 1 {
		conv = append(conv, convBNReLU6(in, hidden, 1, 1, false))
	}
	conv = append(conv,
		convBNReLU6(hidden, hidden, 3, stride, true),
		tvConv{In: hidden, Out: out, Kernel: L.Sq(1), NoBias: true},
		L.BatchNorm2d{Features: out},
	)
	body := L.Named{Name: "conv", Layer: conv}
	if stride == 1 && in == out {
		return L.Residual{Body: body}
	}
	// A bare Named would replace the block's index in features.
	return L.Sequential{body}
}

// mobilenetV2Info is the metadata of the ImageNet MobileNetV2. Its layer
// groups split the features where the resolution drops to 1/16 (the 64-
// channel stage): features.0–6 / features.7–18 / classifier.
func mobilenetV2Info() Info {
	return Info{
		Channels: 3, Height: 224, Width: 224, Classes: 1000,
		Preprocess: imagenetPreprocess(),
		Head:       []string{"classifier.1.weight", "classifier.1.bias"},
		Groups: []Group{
			{Name: "features.0-6", Patterns: featurePatterns(0, 6)},
			{Name: "features.7-18", Patterns: featurePatterns(7, 18)},
			{Name: "head", Patterns: []string{"classifier.*"}},
		},
	}
}

// featurePatterns matches the tensors of features.lo … features.hi.
func featurePatterns(lo, hi int) []string {
	var out []string
	for i := lo; i <= hi; i++ {
		out = append(out, "features."+strconv.Itoa(i)+".*")
	}
	return out
}

func init() {
	register(arch{
		name:  "mobilenet_v2",
		doc:   "MobileNetV2 (torchvision mobilenet_v2, ReLU6, depthwise convolutions) for 3×224×224 ImageNet-normalized images",
		build: func(classes int) graph.Layer { return MobileNetV2{Classes: classes} },
		info:  mobilenetV2Info(),
	})
}
