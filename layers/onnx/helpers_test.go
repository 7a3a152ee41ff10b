package onnx_test

import (
	"math"
	"math/rand/v2"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
	"github.com/tanren-ml/tanren/layers/onnx"
	pb "github.com/tanren-ml/tanren/layers/onnx/internal/onnxpb"
	"github.com/tanren-ml/tanren/zoo"
)

// testModel is a model the tests export: a layer, the shape of one input
// and the batch sizes the parity test runs.
type testModel struct {
	name    string
	layer   graph.Layer
	input   []int
	batches []int
	// scale multiplies the random input (0 means 1).
	scale float64
	// ops is the number of nodes of each operator the export must have.
	ops map[string]int
	// he lists the weights (path.Match patterns) that newStore draws
	// anew from N(0, 2/fan_in); see newStore.
	he []string
}

// zooModels are the zoo's architectures, at sizes that keep the tests
// fast; ResNet-50's structure does not depend on its width.
func zooModels() []testModel {
	return []testModel{
		{name: "lenet5", layer: zoo.LeNet5(10), input: []int{1, 28, 28}, batches: []int{1, 3}, he: []string{"*"},
			ops: map[string]int{"Conv": 2, "Relu": 4, "MaxPool": 2, "Flatten": 1, "Gemm": 3}},
		{name: "mlp", layer: zoo.MLP(10), input: []int{1, 28, 28}, batches: []int{2}, he: []string{"*"},
			ops: map[string]int{"Flatten": 1, "Gemm": 3, "Relu": 2}},
		{name: "resnet18", layer: zoo.ResNet18(10), input: []int{3, 64, 64}, batches: []int{2}, he: []string{"fc.weight"},
			ops: map[string]int{"Conv": 20, "BatchNormalization": 20, "Relu": 17, "Add": 8, "MaxPool": 1, "GlobalAveragePool": 1, "Flatten": 1, "Gemm": 1}},
		{name: "resnet50_w16", layer: zoo.ResNet{Block: zoo.Bottleneck, Layers: [4]int{3, 4, 6, 3}, Width: 16, Classes: 7}, input: []int{3, 48, 48}, batches: []int{2}, he: []string{"fc.weight"},
			ops: map[string]int{"Conv": 53, "BatchNormalization": 53, "Relu": 49, "Add": 16, "MaxPool": 1, "GlobalAveragePool": 1, "Flatten": 1, "Gemm": 1}},
		{name: "mobilenet_v2", layer: zoo.MobileNetV2{Classes: 10}, input: []int{3, 64, 64}, batches: []int{2}, he: []string{"classifier.1.weight"},
			ops: map[string]int{"Conv": 52, "BatchNormalization": 52, "Clip": 35, "Add": 10, "GlobalAveragePool": 1, "Flatten": 1, "Gemm": 1}},
	}
}

// everyLayer uses every layer of package layers that has an exporter and
// a layer of this test's own (silu) that implements onnx.Exporter, with
// odd sizes and both ceil-mode cases of MaxPool2d: partial last windows
// that PyTorch keeps (4 → 2 for kernel 3 and stride 2, where floor mode
// gives 1) and ones it drops because they would start in the padding (7 → 4
// for kernel 2, stride 2 and padding 1, where ONNX 1.12's formula says 5).
func everyLayer() testModel {
	return testModel{name: "every_layer", input: []int{3, 13, 11}, batches: []int{1, 3}, scale: 8, he: []string{"*"}, layer: L.Sequential{
		L.Named{Name: "conv", Layer: L.Conv2d{In: 3, Out: 8, Kernel: L.Sq(3), Padding: L.Sq(1)}},
		L.Named{Name: "bn", Layer: L.BatchNorm2d{Features: 8, Eps: 1e-3}},
		L.LeakyReLU{Slope: 0.2},
		L.Named{Name: "grouped", Layer: L.Conv2d{In: 8, Out: 12, Kernel: L.Sq(3), Stride: L.Pair{2, 1}, Padding: L.Sq(2), Dilation: L.Sq(2), Groups: 4, NoBias: true}},
		L.Named{Name: "dw", Layer: L.Conv2d{In: 12, Out: 12, Kernel: L.Sq(3), Padding: L.Sq(1), Groups: 12}},
		L.Named{Name: "mult", Layer: L.Conv2d{In: 12, Out: 24, Kernel: L.Sq(1), Groups: 12}},
		L.Tanh{},
		L.MaxPool2d{Kernel: L.Sq(2), Padding: L.Sq(1), CeilMode: true}, // (7, 11) → (4, 6): last windows dropped
		L.Softmax{},
		L.Named{Name: "avg", Layer: L.AvgPool2d{Kernel: L.Sq(3), Stride: L.Sq(1), Padding: L.Sq(1), ExcludePad: true}},
		L.Named{Name: "res", Layer: L.Residual{
			Body:  L.Sequential{L.Named{Name: "conv", Layer: L.Conv2d{In: 24, Out: 24, Kernel: L.Sq(3), Padding: L.Sq(1)}}, L.GELU{}},
			After: L.ReLU6{},
		}},
		L.MaxPool2d{Kernel: L.Sq(3), Stride: L.Sq(2), CeilMode: true}, // (4, 6) → (2, 3): partial last windows kept
		L.AvgPool2d{Kernel: L.Sq(3), Stride: L.Sq(1), Padding: L.Sq(1)},
		L.Dropout2d{P: 0.3},
		L.Sigmoid{},
		L.Flatten{},
		L.Dropout{P: 0.5},
		L.Named{Name: "fc1", Layer: L.Linear{In: 144, Out: 32}},
		L.Named{Name: "bn1d", Layer: L.BatchNorm1d{Features: 32}},
		L.ReLU{},
		silu{},
		L.Named{Name: "fc2", Layer: L.Linear{In: 32, Out: 10, NoBias: true}},
	}, ops: map[string]int{
		"Conv": 5, "BatchNormalization": 2, "LeakyRelu": 1, "Tanh": 1, "MaxPool": 2, "Softmax": 1,
		"AveragePool": 2, "Add": 2, "Div": 1, "Erf": 1, "Mul": 3, "Clip": 1, "Sigmoid": 2,
		"Flatten": 1, "Gemm": 2, "Relu": 1,
	}}
}

// silu is x·sigmoid(x), a layer of another package as far as package onnx
// is concerned: it exports itself.
type silu struct{}

var (
	_ graph.Layer   = silu{}
	_ onnx.Exporter = silu{}
)

func (silu) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) {
	s, err := G.Sigmoid(x)
	if err != nil {
		return nil, err
	}
	return G.HadamardProd(x, s)
}

func (silu) ExportONNX(b *onnx.Builder, x onnx.Value) (onnx.Value, error) {
	s := b.Node("Sigmoid", []onnx.Value{x}, x.Shape())
	return b.Node("Mul", []onnx.Value{x, s}, x.Shape()), nil
}

// newStore returns a Store holding every tensor of the model, from seed.
// The weights m.he names are drawn anew from N(0, 2/fan_in) (He), where
// PyTorch's default initialization or torchvision's classifier would
// shrink the logits far below one, so that a small mistake of an exporter
// would hide under the tolerance (torchvision's convolutions already keep
// the scale); batch-norm statistics, scales and shifts are drawn at random,
// so that an exporter mixing them up cannot go unnoticed.
func newStore(t *testing.T, m testModel, seed uint64) *graph.Store {
	t.Helper()
	st, err := graph.NewStore(tensor.Float32, seed)
	require.NoError(t, err)
	p, err := graph.Compile(st, m.layer, graph.Spec{Input: batchShape(1, m.input)})
	require.NoError(t, err, m.name)
	p.Close()
	for i, v := range st.Params() {
		if v.Value.Dims() >= 2 && matches(t, v.Name, m.he) {
			std := math.Sqrt(2 / float64(graph.FanIn(v.Value.Shape())))
			require.NoError(t, st.Reinit(v.Name, graph.Normal(0, std), seed+uint64(i)))
		}
	}
	randomizeBatchNorm(t, st, seed)
	return st
}

// randomizeBatchNorm draws every batch norm's running mean from N(0, 0.2²),
// running variance from U(0.5, 2), weight from U(0.5, 1.5) and bias from
// N(0, 0.2²).
func randomizeBatchNorm(t *testing.T, st *graph.Store, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0xb47c4))
	draw := map[string]func() float64{
		"running_mean": func() float64 { return 0.2 * rng.NormFloat64() },
		"running_var":  func() float64 { return 0.5 + 1.5*rng.Float64() },
		"weight":       func() float64 { return 0.5 + rng.Float64() },
		"bias":         func() float64 { return 0.2 * rng.NormFloat64() },
	}
	for _, v := range st.Vars() {
		prefix, ok := strings.CutSuffix(v.Name, ".running_mean")
		if !ok {
			continue
		}
		for _, local := range []string{"running_mean", "running_var", "weight", "bias"} {
			bv, ok := st.Lookup(prefix + "." + local)
			require.True(t, ok, prefix+"."+local)
			data := bv.Value.Data().([]float32)
			for i := range data {
				data[i] = float32(draw[local]())
			}
		}
	}
}

func matches(t *testing.T, name string, patterns []string) bool {
	t.Helper()
	for _, p := range patterns {
		ok, err := path.Match(p, name)
		require.NoError(t, err)
		if ok {
			return true
		}
	}
	return false
}

func batchShape(n int, sample []int) tensor.Shape { return append(tensor.Shape{n}, sample...) }

// randomInput returns a batch of n samples of the model's input drawn
// from N(0, m.scale²) with seed.
func randomInput(m testModel, n int, seed uint64) *tensor.Dense {
	shape := batchShape(n, m.input)
	scale := m.scale
	if scale == 0 {
		scale = 1
	}
	rng := rand.New(rand.NewPCG(seed, 0x1a9))
	data := make([]float32, shape.TotalSize())
	for i := range data {
		data[i] = float32(scale * rng.NormFloat64())
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// tanrenLogits runs the model in evaluation mode on x.
func tanrenLogits(t *testing.T, st *graph.Store, layer graph.Layer, x *tensor.Dense) *tensor.Dense {
	t.Helper()
	p, err := graph.Compile(st, layer, graph.Spec{Input: x.Shape()})
	require.NoError(t, err)
	defer p.Close()
	out, err := p.Forward(x)
	require.NoError(t, err)
	return out
}

// export marshals the model and decodes the result.
func export(t *testing.T, st *graph.Store, m testModel) ([]byte, *pb.ModelProto) {
	t.Helper()
	data, err := onnx.Marshal(st, m.layer, onnx.Config{Input: m.input})
	require.NoError(t, err, m.name)
	return data, decode(t, data)
}

func decode(t *testing.T, data []byte) *pb.ModelProto {
	t.Helper()
	var mp pb.ModelProto
	require.NoError(t, proto.Unmarshal(data, &mp))
	return &mp
}
