package layers

import (
	"encoding/json"
	"os"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// fixture is one case of testdata/layers.json, written by
// testdata/gen/layers.py from PyTorch 1.13.
type fixture struct {
	Input      tensorJSON            `json:"input"`
	State      map[string]tensorJSON `json:"state"`
	R          []float64             `json:"r"`
	Output     tensorJSON            `json:"output"`
	InputGrad  []float64             `json:"input_grad"`
	Grads      map[string][]float64  `json:"grads"`
	StateAfter map[string][]float64  `json:"state_after"`
}

type tensorJSON struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (j tensorJSON) dense() *tensor.Dense {
	return tensor.New(tensor.WithShape(j.Shape...), tensor.WithBacking(append([]float64(nil), j.Data...)))
}

func loadFixtures(t *testing.T) map[string]fixture {
	t.Helper()
	raw, err := os.ReadFile("testdata/layers.json")
	require.NoError(t, err, "regenerate with: /usr/bin/python3 testdata/gen/layers.py")
	var out map[string]fixture
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

// dot is the loss sum(output ⊙ target): its gradient with respect to the
// output is the target, an arbitrary upstream gradient R.
func dot(_ *graph.Scope, out, target *G.Node) (*G.Node, error) {
	p, err := G.HadamardProd(out, target)
	if err != nil {
		return nil, err
	}
	return G.Sum(p)
}

func basicBlock() graph.Layer {
	return Residual{
		Body: Sequential{
			Named{"conv1", Conv2d{In: 3, Out: 4, Kernel: Sq(3), Stride: Sq(2), Padding: Sq(1), NoBias: true}},
			Named{"bn1", BatchNorm2d{Features: 4}},
			ReLU{},
			Named{"conv2", Conv2d{In: 4, Out: 4, Kernel: Sq(3), Padding: Sq(1), NoBias: true}},
			Named{"bn2", BatchNorm2d{Features: 4}},
		},
		Shortcut: Named{"downsample", Sequential{Conv2d{In: 3, Out: 4, Kernel: Sq(1), Stride: Sq(2), NoBias: true}, BatchNorm2d{Features: 4}}},
		After:    ReLU{},
	}
}

// parityCases maps each fixture to the tanren layer that must match it.
var parityCases = map[string]graph.Layer{
	"linear":          Linear{In: 5, Out: 3},
	"linear_nobias":   Linear{In: 5, Out: 3, NoBias: true},
	"conv_basic":      Conv2d{In: 2, Out: 3, Kernel: Sq(3)},
	"conv_stride_pad": Conv2d{In: 3, Out: 4, Kernel: Pair{3, 2}, Stride: Pair{2, 1}, Padding: Sq(1)},
	"conv_dilation":   Conv2d{In: 2, Out: 2, Kernel: Sq(3), Dilation: Sq(2), Padding: Sq(2), NoBias: true},
	"conv_groups":     Conv2d{In: 4, Out: 6, Kernel: Sq(3), Groups: 2, Padding: Sq(1)},
	"conv_depthwise":  Conv2d{In: 3, Out: 3, Kernel: Sq(3), Groups: 3, Stride: Sq(2), Padding: Sq(1)},
	"conv_depthwise_dilation": Conv2d{In: 4, Out: 4, Kernel: Pair{3, 2}, Groups: 4, Stride: Pair{1, 2}, Padding: Pair{2, 1},
		Dilation: Pair{2, 1}},
	"maxpool":                MaxPool2d{Kernel: Sq(2)},
	"maxpool_k3s2p1":         MaxPool2d{Kernel: Sq(3), Stride: Sq(2), Padding: Sq(1)},
	"avgpool":                AvgPool2d{Kernel: Sq(2)},
	"avgpool_k3s2p1":         AvgPool2d{Kernel: Sq(3), Stride: Sq(2), Padding: Sq(1)},
	"avgpool_k3s2p1_exclude": AvgPool2d{Kernel: Sq(3), Stride: Sq(2), Padding: Sq(1), ExcludePad: true},
	"global_avgpool":         GlobalAvgPool{},
	"relu":                   ReLU{},
	"leaky_relu":             LeakyReLU{Slope: 0.2},
	"relu6":                  ReLU6{},
	"sigmoid":                Sigmoid{},
	"tanh":                   Tanh{},
	"gelu":                   GELU{},
	"softmax":                Softmax{},
	"flatten":                Flatten{},
	"batchnorm2d_train":      BatchNorm2d{Features: 3},
	"batchnorm2d_eval":       BatchNorm2d{Features: 3},
	"batchnorm1d_train":      BatchNorm1d{Features: 5},
	"batchnorm1d_eval":       BatchNorm1d{Features: 5},
	"sequential": Sequential{Conv2d{In: 1, Out: 2, Kernel: Sq(3)}, ReLU{}, MaxPool2d{Kernel: Sq(2)}, Flatten{},
		Linear{In: 8, Out: 3}},
	"residual_block_train": basicBlock(),
	"residual_block_eval":  basicBlock(),
}

// trainFixtures are the cases PyTorch ran in training mode.
func isTrainCase(name string) bool {
	return name == "batchnorm2d_train" || name == "batchnorm1d_train" || name == "residual_block_train"
}

// TestParityWithPyTorch builds each layer with PyTorch's weights and
// compares the output, the input gradient, every parameter gradient and
// (in training mode) the updated running statistics.
func TestParityWithPyTorch(t *testing.T) {
	fixtures := loadFixtures(t)
	names := make([]string, 0, len(fixtures))
	for name := range fixtures {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fx := fixtures[name]
		layer, ok := parityCases[name]
		require.True(t, ok, "fixture %q has no tanren layer", name)
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(name+"/"+dt.String(), func(t *testing.T) {
				tol := 1e-10
				if dt == tensor.Float32 {
					tol = 2e-4
				}
				mode := graph.Eval
				if isTrainCase(name) {
					mode = graph.Train
				}
				st, err := graph.NewStore(dt, 1)
				require.NoError(t, err)
				// PyTorch's gradients exist in eval mode too: differentiate
				// in Train mode, with frozen running statistics for eval
				// cases so batch norm uses them.
				_, err = graph.Compile(st, layer, graph.Spec{Input: fx.Input.Shape})
				require.NoError(t, err)
				for k, v := range fx.State {
					sv, ok := st.Lookup(k)
					require.True(t, ok, "PyTorch has %q, tanren does not", k)
					require.NoError(t, tensor.Copy(sv.Value, toDtype(v.dense(), dt)), k)
					if mode == graph.Eval && sv.Kind == graph.Buffer {
						sv.Frozen = true
					}
				}
				for _, v := range st.Vars() {
					if _, ok := fx.State[v.Name]; !ok && v.Kind == graph.Parameter {
						t.Fatalf("tanren has parameter %q, PyTorch does not", v.Name)
					}
				}
				p, err := graph.Compile(st, layer, graph.Spec{Mode: graph.Train, Input: fx.Input.Shape, Loss: dot, InputGrad: true})
				require.NoError(t, err)
				res, err := p.Run(fx.Input.dense(), tensor.New(tensor.WithShape(fx.Output.Shape...), tensor.WithBacking(fx.R)))
				require.NoError(t, err)
				assert.Equal(t, tensor.Shape(fx.Output.Shape), res.Output.Shape())
				assertClose(t, fx.Output.Data, graph.Float64s(res.Output), tol, "output")
				gx, err := p.InputGrad()
				require.NoError(t, err)
				assertClose(t, fx.InputGrad, graph.Float64s(gx), tol, "input gradient")
				grads, err := p.Grads()
				require.NoError(t, err)
				require.Len(t, grads, len(fx.Grads))
				for k, want := range fx.Grads {
					require.Contains(t, grads, k)
					assertClose(t, want, graph.Float64s(grads[k]), tol, "gradient of "+k)
				}
				for k, want := range fx.StateAfter {
					v, _ := st.Lookup(k)
					assertClose(t, want, graph.Float64s(v.Value), tol, "after the step: "+k)
				}
			})
		}
	}
}

func toDtype(t *tensor.Dense, dt tensor.Dtype) *tensor.Dense {
	if dt == tensor.Float64 {
		return t
	}
	src := t.Data().([]float64)
	dst := make([]float32, len(src))
	for i, v := range src {
		dst[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(t.Shape()...), tensor.WithBacking(dst))
}

// assertClose compares with a tolerance relative to the largest magnitude
// of want, so float32 cases are judged by their precision.
func assertClose(t *testing.T, want, got []float64, tol float64, what string) {
	t.Helper()
	require.Len(t, got, len(want), what)
	scale := 1.0
	for _, w := range want {
		scale = max(scale, abs(w))
	}
	for i := range want {
		if abs(want[i]-got[i]) > tol*scale {
			t.Errorf("%s[%d]: PyTorch %.10g, tanren %.10g (tolerance %.2g)", what, i, want[i], got[i], tol*scale)
			return
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
