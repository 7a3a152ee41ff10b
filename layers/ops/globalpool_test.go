package ops

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestGlobalAvgPoolFiniteDiff(t *testing.T) {
	checkFiniteDiff(t, []spec{randSpec("x", 10, 2, 3, 2, 3)}, []string{"x"},
		func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return GlobalAvgPool2d(in["x"]) }, 1e-6)
}

// The PyTorch parity case is "global_avg_pool" in TestReduceTorch.

// TestGlobalAvgPoolBuiltinBroken: gorgonia.Grad through Gorgonia's
// GlobalAveragePool2D fails (it panics at graph-building time, which is
// recoverable); through ours it works.
func TestGlobalAvgPoolBuiltinBroken(t *testing.T) {
	build := func(pool func(*G.Node) (*G.Node, error)) error {
		g := G.NewGraph()
		x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 3, 4, 4), G.WithName("x"))
		y, err := pool(x)
		require.NoError(t, err, "forward")
		flat, err := G.Reshape(y, tensor.Shape{y.Shape().TotalSize()})
		require.NoError(t, err)
		loss, err := G.Sum(flat)
		require.NoError(t, err)
		return func() (err error) {
			_, err = G.Grad(loss, x)
			return err
		}()
	}
	failed, why := mustPanicOrErr(func() error { return build(G.GlobalAveragePool2D) })
	assert.True(t, failed, "Grad through Gorgonia's GlobalAveragePool2D was expected to fail")
	t.Logf("built-in: %s", why)
	failed, why = mustPanicOrErr(func() error { return build(GlobalAvgPool2d) })
	assert.False(t, failed, why)
}

func TestGlobalAvgPoolErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 4), G.WithName("x"))
	n, err := GlobalAvgPool2d(x)
	assert.Error(t, err)
	assert.Nil(t, n)
	n, err = GlobalAvgPool2d(nil)
	assert.Error(t, err)
	assert.Nil(t, n)
}
