package transfer

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/zoo"
)

// squares is a synthetic classification problem: c×size×size images,
// noise in [0, 0.3), with a bright 5×5 square whose place depends on the
// class.
func squares(n, classes, c, size int, seed uint64) *data.InMemory {
	rng := rand.New(rand.NewPCG(seed, 7))
	ds := &data.InMemory{}
	for i := 0; i < n; i++ {
		label := i % classes
		img := make([]float32, c*size*size)
		for j := range img {
			img[j] = float32(0.3 * rng.Float64())
		}
		span := size - 5
		y0 := (label * 7) % (span + 1)
		x0 := (label * 11) % (span + 1)
		for ch := 0; ch < c; ch++ {
			for y := y0; y < y0+5; y++ {
				for x := x0; x < x0+5; x++ {
					img[ch*size*size+y*size+x] += 0.7
				}
			}
		}
		ds.Samples = append(ds.Samples, data.Sample{Image: img, C: c, H: size, W: size, Label: label})
	}
	return ds
}

func lenet(t testing.TB, classes int, seed uint64) *zoo.Model {
	t.Helper()
	m, err := zoo.New("lenet5", zoo.WithClasses(classes), zoo.WithSeed(seed))
	require.NoError(t, err)
	return m
}

// tinyBN is a small model with a batch norm in its body, for 1×8×8
// images: conv → bn → ReLU → global average pool → fc.
func tinyBN(t testing.TB, seed uint64) *zoo.Model {
	t.Helper()
	st, err := graph.NewStore(tensor.Float32, seed)
	require.NoError(t, err)
	layer := L.Sequential{
		L.Named{Name: "conv", Layer: L.Conv2d{In: 1, Out: 4, Kernel: L.Sq(3), Padding: L.Sq(1)}},
		L.Named{Name: "bn", Layer: L.BatchNorm2d{Features: 4}},
		L.ReLU{},
		L.GlobalAvgPool{},
		L.Named{Name: "fc", Layer: L.Linear{In: 4, Out: 3}},
	}
	m := &zoo.Model{
		Info: zoo.Info{Name: "tinybn", Channels: 1, Height: 8, Width: 8, Classes: 3,
			Head: []string{"fc.weight", "fc.bias"},
			Groups: []zoo.Group{
				{Name: "body", Patterns: []string{"conv.*", "bn.*"}},
				{Name: "head", Patterns: []string{"fc.*"}},
			}},
		Layer: layer, Store: st,
	}
	p, err := graph.Compile(st, layer, graph.Spec{Input: m.InputShape(1)})
	require.NoError(t, err)
	require.NoError(t, p.Close())
	return m
}

// snapshot copies every tensor of the store by name.
func snapshot(s *graph.Store) map[string][]float64 {
	out := map[string][]float64{}
	for _, v := range s.Vars() {
		out[v.Name] = values(v.Value)
	}
	return out
}

// values returns t's elements, scalars (num_batches_tracked) included.
func values(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case float32:
		return []float64{float64(d)}
	case float64:
		return []float64{d}
	}
	return graph.Float64s(t)
}

// fit trains m for epochs with adam on loader and returns the trainer.
func fit(t testing.TB, m *zoo.Model, l *data.Loader, epochs int, cbs ...train.Callback) *train.Trainer {
	t.Helper()
	solver, err := solvers.New("adam", solvers.WithLearnRate(1e-2))
	require.NoError(t, err)
	tr := &train.Trainer{Model: m.Layer, Store: m.Store, Solver: solver, Epochs: epochs, Seed: 3, Quiet: true, Callbacks: cbs}
	_, err = tr.Fit(context.Background(), l, nil)
	require.NoError(t, err)
	return tr
}

// maxRelDiff is max |a−b| / max(|b|, floor) over two equal-length slices.
func maxRelDiff(a, b []float64, floor float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i])/math.Max(math.Abs(b[i]), floor))
	}
	return d
}
