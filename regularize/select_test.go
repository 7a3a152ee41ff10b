package regularize

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

func selectorStore(t *testing.T) *graph.Store {
	t.Helper()
	s := newStore(t, 1)
	for _, e := range []struct {
		name  string
		kind  graph.Kind
		shape tensor.Shape
	}{
		{"conv1.weight", graph.Parameter, tensor.Shape{6, 1, 5, 5}},
		{"conv1.bias", graph.Parameter, tensor.Shape{6}},
		{"bn1.weight", graph.Parameter, tensor.Shape{6}},
		{"bn1.bias", graph.Parameter, tensor.Shape{6}},
		{"bn1.running_mean", graph.Buffer, tensor.Shape{6}},
		{"fc.weight", graph.Parameter, tensor.Shape{10, 6}},
		{"fc.bias", graph.Parameter, tensor.Shape{10}},
		{"weight", graph.Parameter, tensor.Shape{2, 2}},
		{"embedding_weight", graph.Parameter, tensor.Shape{2, 2}},
	} {
		_, err := s.Get(e.name, e.kind, e.shape, nil)
		require.NoError(t, err)
	}
	return s
}

func selected(t *testing.T, sel Selector, s *graph.Store) []string {
	t.Helper()
	var out []string
	for _, v := range s.Vars() {
		ok, err := sel.Match(v)
		require.NoError(t, err)
		if ok {
			out = append(out, v.Name)
		}
	}
	return out
}

func TestSelector(t *testing.T) {
	s := selectorStore(t)
	cases := []struct {
		sel  Selector
		want []string
		str  string
	}{
		{Selector{}, []string{"conv1.weight", "fc.weight", "weight"}, "conv/linear weights"},
		{Patterns("bn1.*"), []string{"bn1.weight", "bn1.bias"}, "bn1.*"},
		{Patterns("*.bias", "fc.*"), []string{"conv1.bias", "bn1.bias", "fc.weight", "fc.bias"}, "*.bias, fc.*"},
		{Selector{Exclude: []string{"conv*"}}, []string{"fc.weight", "weight"}, "conv/linear weights except conv*"},
		{Selector{Include: []string{"*"}, Exclude: []string{"*.bias"}}, []string{"conv1.weight", "bn1.weight", "fc.weight", "weight", "embedding_weight"}, "* except *.bias"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, selected(t, c.sel, s), "%v", c.sel)
		assert.Equal(t, c.str, c.sel.String())
		assert.NoError(t, c.sel.Validate(s))
	}
	ok, err := Selector{}.Match(nil)
	assert.False(t, ok)
	assert.NoError(t, err)
}

func TestSelectorValidate(t *testing.T) {
	s := selectorStore(t)
	err := Patterns("fc1.*").Validate(s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"fc1.*" matches no parameter`)
	assert.Error(t, Patterns("bn1.running_*").Validate(s), "buffers are not parameters")
	assert.Error(t, Selector{Exclude: []string{"fc["}}.Validate(s))
	assert.Error(t, Selector{}.Validate(nil))
	_, err = Patterns("[").Match(&graph.Var{Name: "fc.weight"})
	assert.Error(t, err)
}
