package ops

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func softTarget(seed uint64, shape ...int) spec {
	// rows of positive weights summing to 1 along axis 1
	s := randSpec("target", seed, shape...)
	outer, n, inner := lanes(tensor.Shape(shape), 1)
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			sum := 0.0
			for k := 0; k < n; k++ {
				j := (o*n+k)*inner + i
				s.Data[j] = math.Exp(s.Data[j])
				sum += s.Data[j]
			}
			for k := 0; k < n; k++ {
				s.Data[(o*n+k)*inner+i] /= sum
			}
		}
	}
	return s
}

func TestCrossEntropyFiniteDiff(t *testing.T) {
	for _, shape := range [][]int{{3, 4}, {2, 3, 2, 2}} {
		checkFiniteDiff(t, []spec{randSpec("logits", 4, shape...), softTarget(5, shape...)}, []string{"logits", "target"},
			func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return CrossEntropy(in["logits"], in["target"])
			}, 1e-6)
	}
}

func TestCrossEntropyTorch(t *testing.T) {
	for _, f := range loadFixtures(t, "crossentropy") {
		t.Run(f.Name, func(t *testing.T) {
			var p struct {
				Labels []int   `json:"labels"`
				Eps    float64 `json:"eps"`
				K      int     `json:"k"`
			}
			f.params(t, &p)
			specs := []spec{f.input("logits")}
			if p.Labels != nil {
				target, err := SmoothLabels(p.Labels, p.K, p.Eps)
				require.NoError(t, err)
				specs = append(specs, spec{Name: "target", Shape: []int{len(p.Labels), p.K}, Data: target})
			} else {
				specs = append(specs, f.input("target"))
			}
			checkFixture(t, f, specs, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return CrossEntropy(in["logits"], in["target"])
			})
		})
	}
}

// TestCrossEntropyBuiltinBroken: a cross-entropy built on Gorgonia's
// LogSoftMax is -Inf/NaN for logits [[0,0,0],[100,0,0]] in float32; ours
// is log(3)/2.
func TestCrossEntropyBuiltinBroken(t *testing.T) {
	logits := spec{Name: "logits", Shape: []int{2, 3}, Data: []float64{0, 0, 0, 100, 0, 0}}
	target := spec{Name: "target", Shape: []int{2, 3}, Data: []float64{1, 0, 0, 1, 0, 0}}
	ours := newHarness[float32](t, []spec{logits, target}, []string{"logits"}, []float64{1},
		func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			return CrossEntropy(in["logits"], in["target"])
		})
	ours.run(t)
	assertClose(t, []float64{math.Log(3) / 2}, ours.output(t), 1e-6, "ours")
	assertClose(t, []float64{-1. / 3, 1. / 6, 1. / 6, 0, 0, 0}, ours.grad(t, "logits"), 1e-6, "ours, gradient")

	builtin := newHarness[float32](t, []spec{logits, target}, nil, []float64{1},
		func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			ls, err := G.LogSoftMax(in["logits"], 1)
			if err != nil {
				return nil, err
			}
			p, err := G.HadamardProd(in["target"], ls)
			if err != nil {
				return nil, err
			}
			s, err := G.Sum(p)
			if err != nil {
				return nil, err
			}
			return G.Mul(s, G.NewConstant(float32(-0.5)))
		})
	builtin.run(t)
	got := builtin.output(t)[0]
	assert.True(t, math.IsNaN(got) || math.IsInf(got, 0), "built-in cross-entropy expected to be non-finite, got %v", got)
}

func TestSmoothLabels(t *testing.T) {
	got, err := SmoothLabels([]int{2, 0}, 4, 0.2)
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{0.05, 0.05, 0.85, 0.05, 0.85, 0.05, 0.05, 0.05}, got, 1e-15)

	onehot, err := SmoothLabels([]int{1}, 3, 0)
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 1, 0}, onehot)

	for name, f := range map[string]func() ([]float64, error){
		"label too large": func() ([]float64, error) { return SmoothLabels([]int{3}, 3, 0) },
		"negative label":  func() ([]float64, error) { return SmoothLabels([]int{-1}, 3, 0) },
		"eps > 1":         func() ([]float64, error) { return SmoothLabels([]int{0}, 3, 1.5) },
		"eps NaN":         func() ([]float64, error) { return SmoothLabels([]int{0}, 3, math.NaN()) },
		"no classes":      func() ([]float64, error) { return SmoothLabels([]int{0}, 0, 0) },
	} {
		_, err := f()
		assert.Error(t, err, name)
	}

	dst := tensor.New(tensor.WithShape(2, 4), tensor.Of(tensor.Float32))
	require.NoError(t, SmoothLabelsInto(dst, []int{2, 0}, 0.2))
	assert.InDeltaSlice(t, []float32{0.05, 0.05, 0.85, 0.05, 0.85, 0.05, 0.05, 0.05}, dst.Data(), 1e-7)
	assert.Error(t, SmoothLabelsInto(dst, []int{1}, 0), "wrong batch size")
	assert.Error(t, SmoothLabelsInto(tensor.New(tensor.WithShape(1, 4), tensor.Of(tensor.Int)), []int{1}, 0), "int dtype")
	assert.Error(t, SmoothLabelsInto(nil, []int{1}, 0), "nil")
}

func TestCrossEntropyErrors(t *testing.T) {
	g := G.NewGraph()
	l := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("l"))
	l32 := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("l32"))
	t4 := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("t4"))
	v := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("v"))
	other := G.NewMatrix(G.NewGraph(), tensor.Float64, G.WithShape(2, 3), G.WithName("o"))
	for name, f := range map[string]func() (*G.Node, error){
		"shape mismatch": func() (*G.Node, error) { return CrossEntropy(l, t4) },
		"dtype mismatch": func() (*G.Node, error) { return CrossEntropy(l, l32) },
		"1-d":            func() (*G.Node, error) { return CrossEntropy(v, v) },
		"other graph":    func() (*G.Node, error) { return CrossEntropy(l, other) },
		"nil target":     func() (*G.Node, error) { return CrossEntropy(l, nil) },
		"mse shapes":     func() (*G.Node, error) { return MSE(l, t4) },
		"mse nil":        func() (*G.Node, error) { return MSE(nil, l) },
	} {
		n, err := f()
		assert.Error(t, err, name)
		assert.Nil(t, n, name)
	}
}

func TestMSEFiniteDiff(t *testing.T) {
	checkFiniteDiff(t, []spec{randSpec("a", 6, 2, 3, 2), randSpec("b", 7, 2, 3, 2)}, []string{"a", "b"},
		func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return MSE(in["a"], in["b"]) }, 1e-6)
}

func TestMSETorch(t *testing.T) {
	for _, f := range loadFixtures(t, "mse") {
		t.Run(f.Name, func(t *testing.T) {
			checkFixture(t, f, []spec{f.input("a"), f.input("b")}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return MSE(in["a"], in["b"])
			})
		})
	}
}
