package zoo

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/internal/fastblas"
	L "github.com/tanren-ml/tanren/layers"
)

// withBLAS runs bench once with Gonum's BLAS (Gorgonia's default) and once
// with fastblas, restoring the default afterwards.
func withBLAS(b *testing.B, bench func(b *testing.B)) {
	b.Run("gonum", bench)
	b.Run("fastblas", func(b *testing.B) {
		prev := G.WhichBLAS()
		G.Use(fastblas.Implementation{})
		defer G.Use(prev)
		bench(b)
	})
}

func randomBatch(shape ...int) *tensor.Dense {
	rng := rand.New(rand.NewPCG(1, 2))
	t := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(shape...))
	for i, d := 0, t.Data().([]float32); i < len(d); i++ {
		d[i] = float32(rng.NormFloat64())
	}
	return t
}

// BenchmarkResNet18Forward is ResNet-18 inference on 16 images of
// 3×224×224 in float32.
func BenchmarkResNet18Forward(b *testing.B) {
	defer graph.UseFastBLAS()()
	withBLAS(b, func(b *testing.B) {
		store, err := graph.NewStore(tensor.Float32, 1)
		if err != nil {
			b.Fatal(err)
		}
		p, err := graph.Compile(store, ResNet18(1000), graph.Spec{Input: tensor.Shape{16, 3, 224, 224}})
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		x := randomBatch(16, 3, 224, 224)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := p.Forward(x); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(16*b.N)/b.Elapsed().Seconds(), "images/s")
	})
}

// BenchmarkResNet18TrainStep is one SGD step of ResNet-18 (forward,
// cross-entropy, backward, update, batch-norm statistics) on 16 images of
// 3×112×112 in float32.
func BenchmarkResNet18TrainStep(b *testing.B) {
	defer graph.UseFastBLAS()()
	withBLAS(b, func(b *testing.B) {
		store, err := graph.NewStore(tensor.Float32, 1)
		if err != nil {
			b.Fatal(err)
		}
		p, err := graph.Compile(store, ResNet18(10), graph.Spec{Mode: graph.Train, Input: tensor.Shape{16, 3, 112, 112}, Loss: L.CrossEntropy(0)})
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		x := randomBatch(16, 3, 112, 112)
		y := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(16, 10))
		for i := 0; i < 16; i++ {
			if err := y.SetAt(float32(1), i, i%10); err != nil {
				b.Fatal(err)
			}
		}
		solver := G.NewVanillaSolver(G.WithLearnRate(0.01))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := p.Step(solver, x, y); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(16*b.N)/b.Elapsed().Seconds(), "images/s")
	})
}
