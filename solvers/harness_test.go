package solvers

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// fixture is a trajectories*.json file written by testdata/gen/gen_solvers.py.
type fixture struct {
	Torch   string        `json:"torch"`
	Dtype   string        `json:"dtype"`
	Steps   int           `json:"steps"`
	Xs      [][][]float64 `json:"xs"`
	Ys      [][][]float64 `json:"ys"`
	W0      [][]float64   `json:"w0"`
	B0      []float64     `json:"b0"`
	Configs []fixtureCase `json:"configs"`
}

type fixtureCase struct {
	Name      string             `json:"name"`
	Solver    string             `json:"solver"`
	Reference string             `json:"reference"`
	Opts      fixtureOpts        `json:"opts"`
	Scales    map[string]float64 `json:"scales"`
	LRs       []float64          `json:"lrs"`
	OneCycle  *struct {
		MaxLR float64 `json:"max_lr"`
	} `json:"onecycle"`
	Traj   [][]float64 `json:"traj"`
	Losses []float64   `json:"losses"`
}

type fixtureOpts struct {
	LR          *float64  `json:"lr"`
	Momentum    *float64  `json:"momentum"`
	Nesterov    *bool     `json:"nesterov"`
	Betas       []float64 `json:"betas"`
	Eps         *float64  `json:"eps"`
	Alpha       *float64  `json:"alpha"`
	WeightDecay *float64  `json:"weight_decay"`
	Decoupled   *bool     `json:"decoupled_weight_decay"`
	Degenerate  *bool     `json:"degenerate_to_sgd"`
	FinalLR     *float64  `json:"final_lr"`
	Gamma       *float64  `json:"gamma"`
	AMSGrad     *bool     `json:"amsgrad"`
	ClipNorm    *float64  `json:"clip_norm"`
}

// options translates the fixture's options into Options, passing only
// those the fixture sets so that defaults are exercised too.
func (o fixtureOpts) options() []Option {
	var opts []Option
	f := func(p *float64, with func(float64) Option) {
		if p != nil {
			opts = append(opts, with(*p))
		}
	}
	b := func(p *bool, with func(bool) Option) {
		if p != nil {
			opts = append(opts, with(*p))
		}
	}
	f(o.LR, WithLearnRate)
	f(o.Momentum, WithMomentum)
	b(o.Nesterov, WithNesterov)
	if o.Betas != nil {
		opts = append(opts, WithBetas(o.Betas[0], o.Betas[1]))
	}
	f(o.Eps, WithEps)
	f(o.Alpha, WithAlpha)
	f(o.WeightDecay, WithWeightDecay)
	b(o.Decoupled, WithDecoupledWeightDecay)
	b(o.Degenerate, WithDegenerateToSGD)
	f(o.FinalLR, WithFinalLR)
	f(o.Gamma, WithGamma)
	b(o.AMSGrad, WithAMSGrad)
	f(o.ClipNorm, WithClipNorm)
	return opts
}

func loadFixture(t testing.TB, name string) *fixture {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err, "fixture missing: run /usr/bin/python3 solvers/testdata/gen/gen_solvers.py")
	var fx fixture
	require.NoError(t, json.Unmarshal(raw, &fx))
	require.NotEmpty(t, fx.Configs)
	return &fx
}

func flat(m [][]float64) []float64 {
	var s []float64
	for _, r := range m {
		s = append(s, r...)
	}
	return s
}

// newParam makes a parameter tensor of dtype dt holding vals.
func newParam(dt tensor.Dtype, vals []float64, shape ...int) *tensor.Dense {
	if dt == tensor.Float32 {
		v := make([]float32, len(vals))
		for i, x := range vals {
			v[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), vals...)))
}

// values returns t's elements as float64.
func values(t *tensor.Dense) []float64 {
	if t.Dtype() == tensor.Float32 {
		s := data[float32](t)
		out := make([]float64, len(s))
		for i, x := range s {
			out[i] = float64(x)
		}
		return out
	}
	return append([]float64(nil), data[float64](t)...)
}

// regression is the fixture's problem as a Gorgonia graph over shared
// parameter tensors W (3, 2) and b (2): loss = mean((tanh(x·W + b) − y)²).
// Only the trainable parameters get gradients, as a tanren Program does for
// frozen layers; the others are bound with WithValue all the same.
type regression struct {
	fx    *fixture
	dt    tensor.Dtype
	x, y  *G.Node
	nodes map[string]*G.Node
	loss  *G.Node
	vm    G.VM
}

func newRegression(t testing.TB, fx *fixture, w, b *tensor.Dense, trainable ...string) *regression {
	t.Helper()
	dt := w.Dtype()
	g := G.NewGraph()
	r := &regression{fx: fx, dt: dt, nodes: map[string]*G.Node{}}
	r.x = G.NewMatrix(g, dt, G.WithShape(5, 3), G.WithName("x"))
	r.y = G.NewMatrix(g, dt, G.WithShape(5, 2), G.WithName("y"))
	r.nodes["W"] = G.NewMatrix(g, dt, G.WithShape(3, 2), G.WithName("W"), G.WithValue(w))
	r.nodes["b"] = G.NewVector(g, dt, G.WithShape(2), G.WithName("b"), G.WithValue(b))
	xw, err := G.Mul(r.x, r.nodes["W"])
	require.NoError(t, err)
	z, err := G.BroadcastAdd(xw, r.nodes["b"], nil, []byte{0})
	require.NoError(t, err)
	th, err := G.Tanh(z)
	require.NoError(t, err)
	d, err := G.Sub(th, r.y)
	require.NoError(t, err)
	sq, err := G.Square(d)
	require.NoError(t, err)
	r.loss, err = G.Mean(sq)
	require.NoError(t, err)
	var wrt G.Nodes
	for _, n := range trainable {
		wrt = append(wrt, r.nodes[n])
	}
	_, err = G.Grad(r.loss, wrt...)
	require.NoError(t, err)
	r.vm = G.NewTapeMachine(g, G.BindDualValues(wrt...))
	t.Cleanup(func() { r.vm.Close() })
	return r
}

// forward binds batch k%4, runs forward and backward and returns the loss.
func (r *regression) forward(t testing.TB, k int) float64 {
	t.Helper()
	i := k % len(r.fx.Xs)
	require.NoError(t, G.Let(r.x, newParam(r.dt, flat(r.fx.Xs[i]), 5, 3)))
	require.NoError(t, G.Let(r.y, newParam(r.dt, flat(r.fx.Ys[i]), 5, 2)))
	r.vm.Reset()
	require.NoError(t, r.vm.RunAll())
	switch v := r.loss.Value().(type) {
	case *G.F64:
		return float64(*v)
	case *G.F32:
		return float64(*v)
	}
	t.Fatalf("loss value is %T", r.loss.Value())
	return 0
}

// vgs returns the named parameters as ValueGrads, in the order given.
func (r *regression) vgs(names ...string) []G.ValueGrad {
	out := make([]G.ValueGrad, len(names))
	for i, n := range names {
		out[i] = r.nodes[n]
	}
	return out
}

// relDiff is |a−b| relative to the larger magnitude (absolute below 1e-12,
// where relative error says nothing).
func relDiff(a, b float64) float64 {
	d := math.Abs(a - b)
	m := math.Max(math.Abs(a), math.Abs(b))
	if m < 1e-12 {
		return d
	}
	return d / m
}

func maxRelDiff(a, b []float64) float64 {
	var worst float64
	for i := range a {
		worst = math.Max(worst, relDiff(a[i], b[i]))
	}
	return worst
}

// maxScaledDiff is max|a−b| relative to the largest magnitude in b.
func maxScaledDiff(a, b []float64) float64 {
	var d, m float64
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
		m = math.Max(m, math.Abs(b[i]))
	}
	return d / m
}
