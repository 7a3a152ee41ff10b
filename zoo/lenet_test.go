package zoo

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

func TestMNISTModelsNamesAndShapes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params []string
		total  int
	}{
		{"lenet5", []string{"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"},
			156 + 2416 + 48120 + 10164 + 850},
		{"mlp", []string{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"}, 200960 + 32896 + 1290},
	} {
		m, err := New(tc.name, WithSeed(1))
		require.NoError(t, err)
		var names []string
		for _, v := range m.Store.Vars() {
			names = append(names, v.Name)
		}
		assert.Equal(t, tc.params, names, tc.name)
		total, _ := m.Store.NumParams()
		assert.Equal(t, tc.total, total, tc.name)
		out, err := m.Predict(tensor.New(tensor.WithShape(3, 1, 28, 28), tensor.Of(tensor.Float32)))
		require.NoError(t, err)
		assert.Equal(t, tensor.Shape{3, 10}, out.Shape())
	}
}

func TestNewOptions(t *testing.T) {
	m, err := New("lenet5", WithClasses(5), WithDtype(tensor.Float64))
	require.NoError(t, err)
	v, _ := m.Store.Lookup("fc3.weight")
	assert.Equal(t, tensor.Shape{5, 84}, v.Value.Shape())
	assert.Equal(t, tensor.Float64, v.Value.Dtype())
	assert.Equal(t, 5, m.Info.Classes)

	_, err = New("lenet6")
	assert.ErrorContains(t, err, "known: ")
	_, err = New("lenet5", WithClasses(0))
	assert.Error(t, err)

	_, err = m.Predict(tensor.New(tensor.WithShape(2, 3, 28, 28), tensor.Of(tensor.Float64)))
	assert.ErrorContains(t, err, "1 channels")
}

func TestWithWeightsLoadsAndChecks(t *testing.T) {
	dir := t.TempDir()
	a, err := New("lenet5", WithSeed(1))
	require.NoError(t, err)
	path := filepath.Join(dir, "w.safetensors")
	require.NoError(t, a.Store.Save(path, nil))
	b, err := New("lenet5", WithSeed(2), WithWeights(path))
	require.NoError(t, err)
	for _, v := range a.Store.Vars() {
		w, _ := b.Store.Lookup(v.Name)
		assert.Equal(t, v.Value.Data(), w.Value.Data(), v.Name)
	}
	assert.Equal(t, path, b.Info.Weights)

	_, err = New("lenet5", WithClasses(5), WithWeights(path))
	assert.ErrorContains(t, err, "fc3.weight: file [10 84], model (5, 84)")
	c, err := New("lenet5", WithClasses(5), WithWeights(path), WithLoadOptions(graph.LoadOptions{SkipMismatched: true}))
	require.NoError(t, err)
	cw, _ := c.Store.Lookup("conv1.weight")
	aw, _ := a.Store.Lookup("conv1.weight")
	assert.Equal(t, aw.Value.Data(), cw.Value.Data())
}
