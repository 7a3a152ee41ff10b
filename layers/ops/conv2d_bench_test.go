package ops

import (
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/internal/fastblas"
)

// BenchmarkConv2d measures a forward and backward step of Conv2d against
// Gorgonia's Conv2d on LeNet-5's and a ResNet stage's convolutions. Both
// use fastblas, as they do in tanren (package graph registers it).
func BenchmarkConv2d(b *testing.B) {
	defer G.Use(fastblas.Register())
	for _, c := range []conv2dCase{
		{"lenet1/64x1x28x28-k5p2", []int{64, 1, 28, 28}, 6, [2]int{5, 5}, [2]int{}, [2]int{2, 2}, [2]int{}},
		{"lenet2/64x6x14x14-k5", []int{64, 6, 14, 14}, 16, [2]int{5, 5}, [2]int{}, [2]int{}, [2]int{}},
		{"resnet/8x64x28x28-k3p1", []int{8, 64, 28, 28}, 64, [2]int{3, 3}, [2]int{}, [2]int{1, 1}, [2]int{}},
		{"resnet/8x64x28x28-k1", []int{8, 64, 28, 28}, 128, [2]int{1, 1}, [2]int{}, [2]int{}, [2]int{}},
		// ResNet-18's later stages at 112×112, batch 16: 196, 49 and 16
		// output positions, where images are convolved in groups
		{"resnet112/16x128x14x14-k3p1", []int{16, 128, 14, 14}, 128, [2]int{3, 3}, [2]int{}, [2]int{1, 1}, [2]int{}},
		{"resnet112/16x256x7x7-k3p1", []int{16, 256, 7, 7}, 256, [2]int{3, 3}, [2]int{}, [2]int{1, 1}, [2]int{}},
		{"resnet112/16x512x4x4-k3p1", []int{16, 512, 4, 4}, 512, [2]int{3, 3}, [2]int{}, [2]int{1, 1}, [2]int{}},
	} {
		shapes := map[string][]int{"x": c.x, "w": {c.out, c.x[1], c.kernel[0], c.kernel[1]}}
		b.Run("ours/"+c.name, func(b *testing.B) { benchStep(b, shapes, c.build) })
		b.Run("gorgonia/"+c.name, func(b *testing.B) { benchStep(b, shapes, c.gorgonia) })
	}
}

// BenchmarkLinear measures a forward and backward step of Linear against
// Mul(x, Transpose(w)) + BroadcastAdd, both with fastblas.
func BenchmarkLinear(b *testing.B) {
	defer G.Use(fastblas.Register())
	for _, c := range []linearCase{
		{"mlp1/64x784x256", 64, 784, 256, true},
		{"lenet/64x120x84", 64, 120, 84, true},
	} {
		shapes := map[string][]int{"x": {c.batch, c.in}, "w": {c.out, c.in}, "b": {c.out}}
		build := func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return c.build(g, in) }
		b.Run("ours/"+c.name, func(b *testing.B) { benchStep(b, shapes, build) })
		b.Run("composed/"+c.name, func(b *testing.B) { benchStep(b, shapes, c.composed) })
	}
}
