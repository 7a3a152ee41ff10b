package transfer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/zoo"
)

func TestReplaceHead(t *testing.T) {
	m := lenet(t, 10, 1)
	require.NoError(t, FreezeBody(m, Options{}))
	before := snapshot(m.Store)
	require.NoError(t, ReplaceHead(m, 5, 7))

	v, ok := m.Store.Lookup("fc3.weight")
	require.True(t, ok)
	assert.Equal(t, tensor.Shape{5, 84}, v.Value.Shape())
	assert.False(t, v.Frozen)
	assert.Equal(t, 5, m.Info.Classes)
	after := snapshot(m.Store)
	for n, vals := range before {
		if n == "fc3.weight" || n == "fc3.bias" {
			continue
		}
		assert.Equal(t, vals, after[n], "%s changed", n)
	}
	assert.Len(t, frozenNames(m.Store), 8, "the body stays frozen")

	// Seeded: the head a fresh 5-class model with seed 7 has, whatever
	// the model's own seed.
	ref := lenet(t, 5, 7)
	refAfter := snapshot(ref.Store)
	assert.Equal(t, refAfter["fc3.weight"], after["fc3.weight"])
	assert.Equal(t, refAfter["fc3.bias"], after["fc3.bias"])
	require.NoError(t, ReplaceHead(m, 5, 8))
	assert.NotEqual(t, refAfter["fc3.weight"], snapshot(m.Store)["fc3.weight"])

	out, err := m.Predict(tensor.New(tensor.WithShape(2, 1, 28, 28), tensor.Of(tensor.Float32)))
	require.NoError(t, err)
	assert.Equal(t, tensor.Shape{2, 5}, out.Shape())
}

func TestReplaceHeadForgetsSolverState(t *testing.T) {
	m := lenet(t, 10, 1)
	solver, err := solvers.New("adam")
	require.NoError(t, err)
	stepOnce(t, m, solver)
	cp := solver.(solvers.Checkpointer)
	require.NoError(t, ReplaceHead(m, 3, 1, solver))
	st, err := cp.State(m.Store.NameOf)
	require.NoError(t, err, "the old head's state is gone")
	assert.NotContains(t, st.Params, "fc3.weight")
	assert.Contains(t, st.Params, "fc2.weight")

	assert.ErrorContains(t, ReplaceHead(m, 3, 1, G.NewVanillaSolver()), "cannot forget")
	assert.ErrorContains(t, ReplaceHead(m, 0, 1), "at least one class")
	assert.ErrorContains(t, ReplaceHead(nil, 3, 1), "nil model")
}

func TestSplitComposes(t *testing.T) {
	m := lenet(t, 10, 2)
	body, head, err := m.Split()
	require.NoError(t, err)
	x := squares(4, 10, 1, 28, 1)
	it, err := (&data.Loader{Dataset: x, BatchSize: 4, Workers: 1}).Epoch(t.Context(), 1)
	require.NoError(t, err)
	defer it.Close()
	b, err := it.Next()
	require.NoError(t, err)
	whole, err := m.Predict(b.X)
	require.NoError(t, err)
	bp, err := graph.Compile(m.Store, body, graph.Spec{Input: b.X.Shape()})
	require.NoError(t, err)
	feats, err := bp.Forward(b.X)
	require.NoError(t, err)
	assert.Equal(t, tensor.Shape{4, 84}, feats.Shape())
	hp, err := graph.Compile(m.Store, head, graph.Spec{Input: feats.Shape()})
	require.NoError(t, err)
	out, err := hp.Forward(feats)
	require.NoError(t, err)
	assert.Equal(t, graph.Float64s(whole), graph.Float64s(out))

	layers, err := m.Layers()
	require.NoError(t, err)
	var names []string
	for _, l := range layers {
		names = append(names, l.Name)
	}
	assert.Equal(t, []string{"conv1", "1", "2", "conv2", "4", "5", "6", "fc1", "8", "fc2", "10", "fc3"}, names)

	bad := &zoo.Model{Info: zoo.Info{Name: "x", Head: []string{"fc9.weight"}}, Layer: m.Layer, Store: m.Store}
	_, _, err = bad.Split()
	assert.ErrorContains(t, err, `head parameter "fc9.weight" is not in the last layer "fc3"`)
}

// TestReplaceHeadArchitectures replaces the classifier of other zoo
// architectures (LeNet-5 above, ResNet-18 in TestResNet18Freeze) and
// checks it against the head a fresh model with that class count and seed
// has.
func TestReplaceHeadArchitectures(t *testing.T) {
	for _, name := range []string{"mlp", "mobilenet_v2"} {
		t.Run(name, func(t *testing.T) {
			m, err := zoo.New(name, zoo.WithSeed(1))
			require.NoError(t, err)
			before := snapshot(m.Store)
			require.NoError(t, ReplaceHead(m, 3, 2))
			ref, err := zoo.New(name, zoo.WithClasses(3), zoo.WithSeed(2))
			require.NoError(t, err)
			after, want := snapshot(m.Store), snapshot(ref.Store)
			require.Equal(t, len(before), len(after))
			for _, n := range m.Info.Head {
				v, _ := m.Store.Lookup(n)
				assert.Equal(t, 3, v.Value.Shape()[0], n)
				assert.Equal(t, want[n], after[n], n)
			}
			changed := 0
			for n := range before {
				if !assert.ObjectsAreEqual(before[n], after[n]) {
					changed++
				}
			}
			assert.Equal(t, len(m.Info.Head), changed)
			_, _, err = m.Split()
			assert.NoError(t, err)
		})
	}
}
