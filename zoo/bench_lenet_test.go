package zoo

import (
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers"
	"github.com/tanren-ml/tanren/solvers"
)

// BenchmarkLeNet5TrainStep times one training step of LeNet-5 (forward,
// backward, Adam update) on a batch of 64 float32 images; the images/s
// metric is what bench/lenet_step.sh compares with PyTorch.
func BenchmarkLeNet5TrainStep(b *testing.B) {
	benchTrainStep(b, "lenet5", 64)
}

// BenchmarkMLPTrainStep is the same for the 784-256-128-10 MLP.
func BenchmarkMLPTrainStep(b *testing.B) {
	benchTrainStep(b, "mlp", 64)
}

func benchTrainStep(b *testing.B, name string, batch int) {
	m, err := New(name, WithSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	p, err := graph.Compile(m.Store, m.Layer, graph.Spec{Mode: graph.Train, Input: m.InputShape(batch), Loss: layers.CrossEntropy(0)})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, m.InputShape(batch).TotalSize())
	for i := range x {
		x[i] = rng.Float32()
	}
	y := make([]float32, batch*10)
	for i := 0; i < batch; i++ {
		y[i*10+rng.IntN(10)] = 1
	}
	xt := tensor.New(tensor.WithShape(m.InputShape(batch)...), tensor.WithBacking(x))
	yt := tensor.New(tensor.WithShape(batch, 10), tensor.WithBacking(y))
	s, err := solvers.New("adam")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Step(s, xt, yt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "images/s")
}
