package transfer

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/zoo"
)

// BenchmarkFrozenEpoch measures one training epoch of LeNet-5 on 1,024
// 28×28 images (batch 64, adam) with frozen lower layers: only the head
// trainable ("head"), or everything above the convolutions ("conv", the
// Keras experiment). Each runs through the whole model (uncached), on
// cached features (cached), and measures the one-off cost of computing
// the features (extract).
func BenchmarkFrozenEpoch(b *testing.B) {
	defer graph.UseFastBLAS()()
	ds := squares(1024, 10, 1, 28, 1)
	freezes := []struct {
		name   string
		freeze func(m *zoo.Model) error
	}{
		{"head", func(m *zoo.Model) error { return FreezeBody(m, Options{}) }},
		{"conv", func(m *zoo.Model) error { _, err := Freeze(m.Store, Options{}, "conv*"); return err }},
	}
	for _, f := range freezes {
		setup := func(b *testing.B) (*zoo.Model, *train.Trainer, *data.Loader) {
			m := lenet(b, 10, 1)
			require.NoError(b, f.freeze(m))
			solver, err := solvers.New("adam")
			require.NoError(b, err)
			tr := &train.Trainer{Model: m.Layer, Store: m.Store, Solver: solver, Quiet: true}
			return m, tr, &data.Loader{Dataset: ds, BatchSize: 64, Shuffle: true}
		}
		b.Run(f.name+"/uncached", func(b *testing.B) {
			_, tr, l := setup(b)
			for b.Loop() {
				tr.Epochs++
				_, err := tr.Fit(context.Background(), l, nil)
				require.NoError(b, err)
			}
		})
		b.Run(f.name+"/cached", func(b *testing.B) {
			m, tr, l := setup(b)
			sp, err := cachePoint(m)
			require.NoError(b, err)
			feats := newFeatures(m, sp)
			fl, err := feats.loader(context.Background(), l)
			require.NoError(b, err)
			tr.Model = feats.topLayer()
			for b.Loop() {
				tr.Epochs++
				_, err := tr.Fit(context.Background(), fl, nil)
				require.NoError(b, err)
			}
		})
		b.Run(f.name+"/extract", func(b *testing.B) {
			m, _, l := setup(b)
			sp, err := cachePoint(m)
			require.NoError(b, err)
			for b.Loop() {
				_, err := newFeatures(m, sp).loader(context.Background(), l)
				require.NoError(b, err)
			}
		})
	}
}
