package regularize

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// penaltyParams returns a conv weight, a linear weight, a bias and a
// batch-norm weight (1-D), in float64, with values that include a zero.
func penaltyParams() map[string]*tensor.Dense {
	return map[string]*tensor.Dense{
		"conv1.weight": tensor.New(tensor.WithShape(2, 1, 2, 2), tensor.WithBacking([]float64{0.5, -1, 2, 0, 0.25, -0.75, 1.5, -2})),
		"fc.weight":    tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, -2, 3, -0.5, 0.1, 0})),
		"fc.bias":      tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{4, -4})),
		"bn1.weight":   tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2})),
	}
}

var penaltyOrder = []string{"conv1.weight", "fc.weight", "fc.bias", "bn1.weight"}

// runPenalty builds pen over the parameters in a fresh graph, runs it and
// returns its value and the gradients of the selected parameters.
func runPenalty(t *testing.T, pen graph.Penalty, vals map[string]*tensor.Dense, selected ...string) (float64, map[string][]float64) {
	t.Helper()
	g := G.NewGraph()
	var params []graph.ParamNode
	for _, name := range penaltyOrder {
		v := vals[name]
		n := G.NewTensor(g, tensor.Float64, v.Dims(), G.WithShape(v.Shape().Clone()...), G.WithName(name), G.WithValue(v))
		params = append(params, graph.ParamNode{Var: &graph.Var{Name: name, Kind: graph.Parameter, Value: v}, Node: n})
	}
	term, err := pen(g, params)
	require.NoError(t, err)
	if term == nil {
		return 0, nil
	}
	require.True(t, term.IsScalar(), "penalty shape %v", term.Shape())
	var wrt []*G.Node
	for _, p := range params {
		if slices.Contains(selected, p.Var.Name) {
			wrt = append(wrt, p.Node)
		}
	}
	if len(wrt) > 0 {
		_, err = G.Grad(term, wrt...)
		require.NoError(t, err)
	}
	var out G.Value
	G.Read(term, &out)
	vm := G.NewTapeMachine(g, G.BindDualValues(wrt...))
	defer vm.Close()
	require.NoError(t, vm.RunAll())
	grads := map[string][]float64{}
	for _, n := range wrt {
		gv, err := n.Grad()
		require.NoError(t, err)
		grads[n.Name()] = append([]float64(nil), gv.Data().([]float64)...)
	}
	v, err := scalarValue(out)
	require.NoError(t, err)
	return v, grads
}

func scalarValue(v G.Value) (float64, error) {
	switch x := v.(type) {
	case *G.F64:
		return float64(*x), nil
	case *G.F32:
		return float64(*x), nil
	}
	return graph.Float64s(v.(*tensor.Dense))[0], nil
}

func TestPenaltyValueAndGradient(t *testing.T) {
	const lambda = 0.3
	cases := []struct {
		name     string
		pen      graph.Penalty
		selected []string
		value    func(w float64) float64 // per-element contribution
		grad     func(w float64) float64
	}{
		{"L2 default", L2(lambda, Selector{}), []string{"conv1.weight", "fc.weight"},
			func(w float64) float64 { return lambda / 2 * w * w }, func(w float64) float64 { return lambda * w }},
		{"L1 default", L1(lambda, Selector{}), []string{"conv1.weight", "fc.weight"},
			func(w float64) float64 { return lambda * math.Abs(w) }, func(w float64) float64 { return lambda * sign(w) }},
		{"L2 patterns", L2(lambda, Patterns("fc.*")), []string{"fc.weight", "fc.bias"},
			func(w float64) float64 { return lambda / 2 * w * w }, func(w float64) float64 { return lambda * w }},
		{"L2 exclude", L2(lambda, Selector{Exclude: []string{"conv*"}}), []string{"fc.weight"},
			func(w float64) float64 { return lambda / 2 * w * w }, func(w float64) float64 { return lambda * w }},
		{"L1 include and exclude", L1(lambda, Selector{Include: []string{"*"}, Exclude: []string{"bn1.*"}}), []string{"conv1.weight", "fc.weight", "fc.bias"},
			func(w float64) float64 { return lambda * math.Abs(w) }, func(w float64) float64 { return lambda * sign(w) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vals := penaltyParams()
			got, grads := runPenalty(t, c.pen, vals, c.selected...)
			want := 0.0
			for _, name := range c.selected {
				for i, w := range graph.Float64s(vals[name]) {
					want += c.value(w)
					require.Contains(t, grads, name)
					assert.InDelta(t, c.grad(w), grads[name][i], 1e-12, "%s[%d]", name, i)
				}
			}
			assert.InDelta(t, want, got, 1e-12)
			for name, v := range penaltyParams() {
				assert.Equal(t, graph.Float64s(v), graph.Float64s(vals[name]), "running the penalty must not change %s", name)
			}
		})
	}
}

// TestPenaltyFiniteDifferences compares Gorgonia's symbolic gradient of the
// penalty with central differences of the penalty's own forward value
// (away from |w| = 0, where L1 has a kink).
func TestPenaltyFiniteDifferences(t *testing.T) {
	for _, pen := range []struct {
		name string
		p    graph.Penalty
	}{{"L2", L2(0.7, Selector{})}, {"L1", L1(0.7, Selector{})}} {
		t.Run(pen.name, func(t *testing.T) {
			vals := penaltyParams()
			_, grads := runPenalty(t, pen.p, vals, "conv1.weight", "fc.weight")
			const h = 1e-6
			for _, name := range []string{"conv1.weight", "fc.weight"} {
				data := vals[name].Data().([]float64)
				for i := range data {
					if math.Abs(data[i]) < 10*h {
						continue
					}
					w := data[i]
					data[i] = w + h
					up, _ := runPenalty(t, pen.p, vals)
					data[i] = w - h
					down, _ := runPenalty(t, pen.p, vals)
					data[i] = w
					assert.InDelta(t, (up-down)/(2*h), grads[name][i], 1e-6, "%s[%d]", name, i)
				}
			}
		})
	}
}

func TestPenaltyFloat32(t *testing.T) {
	g := G.NewGraph()
	w := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, -2, 3, -4}))
	n := G.NewTensor(g, tensor.Float32, 2, G.WithShape(2, 2), G.WithName("fc.weight"), G.WithValue(w))
	term, err := L2(0.5, Selector{})(g, []graph.ParamNode{{Var: &graph.Var{Name: "fc.weight", Value: w}, Node: n}})
	require.NoError(t, err)
	var out G.Value
	G.Read(term, &out)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	require.NoError(t, vm.RunAll())
	v, err := scalarValue(out)
	require.NoError(t, err)
	assert.InDelta(t, 0.25*30, v, 1e-6)
}

func TestPenaltyEdgeCases(t *testing.T) {
	vals := penaltyParams()
	v, grads := runPenalty(t, L2(0, Selector{}), vals)
	assert.Zero(t, v, "λ = 0 adds nothing")
	assert.Nil(t, grads)
	v, _ = runPenalty(t, L2(1, Patterns("nothing.*")), vals)
	assert.Zero(t, v, "an empty selection adds nothing")

	for _, bad := range []graph.Penalty{L2(-1, Selector{}), L1(math.NaN(), Selector{}), L2(math.Inf(1), Selector{}), L2(1, Patterns("[bad"))} {
		_, err := bad(G.NewGraph(), []graph.ParamNode{{Var: &graph.Var{Name: "fc.weight", Value: vals["fc.weight"]},
			Node: G.NewTensor(G.NewGraph(), tensor.Float64, 2, G.WithShape(2, 3), G.WithName("fc.weight"))}})
		assert.Error(t, err)
	}
}

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}
