package transfer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/zoo"
)

func frozenNames(s *graph.Store) []string {
	var out []string
	for _, v := range s.Vars() {
		if v.Frozen {
			out = append(out, v.Name)
		}
	}
	return out
}

func TestFreezeSelects(t *testing.T) {
	all := []string{"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}
	cases := []struct {
		name   string
		freeze func(m *zoo.Model) error
		want   []string
	}{
		{"glob", func(m *zoo.Model) error {
			n, err := Freeze(m.Store, Options{}, "conv*")
			assert.Equal(t, 4, n)
			return err
		}, all[:4]},
		{"two globs", func(m *zoo.Model) error {
			_, err := Freeze(m.Store, Options{}, "conv1.weight", "fc?.bias")
			return err
		}, []string{"conv1.weight", "fc1.bias", "fc2.bias", "fc3.bias"}},
		{"group", func(m *zoo.Model) error { return FreezeGroups(m.Store, m.Info.Groups, Options{}, "classifier") }, all[4:]},
		{"body", func(m *zoo.Model) error { return FreezeBody(m, Options{}) }, all},
		{"freeze_to(-1)", func(m *zoo.Model) error { return FreezeTo(m.Store, m.Info.Groups, -1, Options{}) }, all},
		{"freeze_to(1)", func(m *zoo.Model) error { return FreezeTo(m.Store, m.Info.Groups, 1, Options{}) }, all[:4]},
		{"freeze_to(0)", func(m *zoo.Model) error {
			require.NoError(t, FreezeBody(m, Options{}))
			return FreezeTo(m.Store, m.Info.Groups, 0, Options{})
		}, nil},
		{"unfreeze glob", func(m *zoo.Model) error {
			require.NoError(t, FreezeBody(m, Options{}))
			_, err := Unfreeze(m.Store, "fc*")
			return err
		}, all[:4]},
		{"unfreeze group", func(m *zoo.Model) error {
			require.NoError(t, FreezeBody(m, Options{}))
			return UnfreezeGroups(m.Store, m.Info.Groups, "features")
		}, all[4:]},
		{"unfreeze all", func(m *zoo.Model) error {
			require.NoError(t, FreezeBody(m, Options{}))
			return UnfreezeAll(m.Store)
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := lenet(t, 10, 1)
			require.NoError(t, c.freeze(m))
			assert.Equal(t, c.want, frozenNames(m.Store))
		})
	}
}

func TestFreezeErrors(t *testing.T) {
	m := lenet(t, 10, 1)
	_, err := Freeze(m.Store, Options{}, "layer1.*")
	assert.ErrorContains(t, err, `pattern "layer1.*" matches no tensor`)
	_, err = Freeze(m.Store, Options{}, "[")
	assert.ErrorContains(t, err, "bad pattern")
	_, err = Freeze(m.Store, Options{})
	assert.ErrorContains(t, err, "no patterns")
	_, err = Unfreeze(nil, "*")
	assert.Error(t, err)
	assert.Empty(t, frozenNames(m.Store), "a failed call changes nothing")

	assert.ErrorContains(t, FreezeGroups(m.Store, m.Info.Groups, Options{}, "layer1"), `no group "layer1" (groups: features, classifier, head)`)
	assert.ErrorContains(t, FreezeTo(m.Store, m.Info.Groups, 4, Options{}), "has 3 groups")
	assert.ErrorContains(t, FreezeTo(m.Store, m.Info.Groups, -4, Options{}), "has 3 groups")
	overlap := []zoo.Group{{Name: "a", Patterns: []string{"conv*", "fc*"}}, {Name: "b", Patterns: []string{"fc3.*"}}}
	assert.ErrorContains(t, FreezeTo(m.Store, overlap, 1, Options{}), `"fc3.weight" is in groups "a" and "b"`)
	partial := []zoo.Group{{Name: "a", Patterns: []string{"conv*"}}, {Name: "b", Patterns: []string{"fc3.*"}}}
	assert.ErrorContains(t, FreezeTo(m.Store, partial, 1, Options{}), `parameter "fc1.weight" is in no group`)
	typo := []zoo.Group{{Name: "a", Patterns: []string{"conv*", "fc1.*", "fc2.*"}}, {Name: "b", Patterns: []string{"fc3.*", "fc4.*"}}}
	assert.ErrorContains(t, FreezeTo(m.Store, typo, 1, Options{}), `group "b": pattern "fc4.*" matches no tensor`)

	noHead := lenet(t, 10, 1)
	noHead.Info.Head = []string{"fc9.weight"}
	assert.ErrorContains(t, FreezeBody(noHead, Options{}), `head parameter "fc9.weight" is not in the store`)
	assert.Empty(t, frozenNames(m.Store))
}

func TestIsBatchNormAffine(t *testing.T) {
	m := tinyBN(t, 1)
	var bn []string
	for _, v := range m.Store.Vars() {
		if IsBatchNormAffine(m.Store, v) {
			bn = append(bn, v.Name)
		}
	}
	assert.Equal(t, []string{"bn.weight", "bn.bias"}, bn)
	assert.False(t, IsBatchNormAffine(nil, nil))
}

func TestFreezeBatchNorm(t *testing.T) {
	bnState := []string{"bn.running_mean", "bn.running_var", "bn.num_batches_tracked"}
	cases := []struct {
		name  string
		opt   Options
		still []string // bit-for-bit unchanged after training
		moved []string
	}{
		{"frozen", Options{}, append([]string{"conv.weight", "conv.bias", "bn.weight", "bn.bias"}, bnState...), []string{"fc.weight", "fc.bias"}},
		{"train_bn", Options{TrainBN: true}, append([]string{"conv.weight", "conv.bias"}, bnState...), []string{"bn.weight", "bn.bias", "fc.weight", "fc.bias"}},
		{"unfrozen", Options{}, nil, append([]string{"conv.weight", "bn.weight", "fc.weight"}, bnState...)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := tinyBN(t, 2)
			if c.name != "unfrozen" {
				require.NoError(t, FreezeBody(m, c.opt))
			}
			before := snapshot(m.Store)
			fit(t, m, &data.Loader{Dataset: squares(48, 3, 1, 8, 1), BatchSize: 16, Shuffle: true, Workers: 1}, 2)
			after := snapshot(m.Store)
			for _, n := range c.still {
				assert.Equal(t, before[n], after[n], "%s changed", n)
			}
			for _, n := range c.moved {
				assert.NotEqual(t, before[n], after[n], "%s did not change", n)
			}
		})
	}
}

// TestFrozenBatchNormUsesRunningStats checks Keras's rule: a training-mode
// forward through a frozen batch norm equals the evaluation-mode forward.
func TestFrozenBatchNormUsesRunningStats(t *testing.T) {
	m := tinyBN(t, 3)
	// Non-trivial statistics, as pretrained weights have.
	fit(t, m, &data.Loader{Dataset: squares(48, 3, 1, 8, 1), BatchSize: 16, Workers: 1}, 1)
	require.NoError(t, FreezeBody(m, Options{TrainBN: true}))
	b, err := (&data.Loader{Dataset: squares(16, 3, 1, 8, 2), BatchSize: 16, Workers: 1}).Epoch(t.Context(), 1)
	require.NoError(t, err)
	defer b.Close()
	batch, err := b.Next()
	require.NoError(t, err)
	outs := map[graph.Mode][]float64{}
	for _, mode := range []graph.Mode{graph.Train, graph.Eval} {
		p, err := graph.Compile(m.Store, m.Layer, graph.Spec{Mode: mode, Input: batch.X.Shape()})
		require.NoError(t, err)
		out, err := p.Forward(batch.X)
		require.NoError(t, err)
		outs[mode] = graph.Float64s(out)
		require.NoError(t, p.Close())
	}
	assert.Equal(t, outs[graph.Eval], outs[graph.Train])
}
