package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// benchStep measures one forward and backward run (float32) of the graph
// inputs → build → L = Σ y⊙w, with gradients for every input.
func benchStep(b *testing.B, shapes map[string][]int, build buildFunc) {
	b.Helper()
	g := G.NewGraph()
	r := rand.New(rand.NewPCG(1, 2))
	nodes := map[string]*G.Node{}
	var wrt G.Nodes
	for name, s := range shapes {
		d := make([]float32, tensor.Shape(s).TotalSize())
		for i := range d {
			d[i] = float32(r.NormFloat64())
			if name == "mask" || name == "gamma" {
				d[i] = 1 + d[i]*d[i]
			}
		}
		n := G.NewTensor(g, tensor.Float32, len(s), G.WithShape(s...), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(s...), tensor.WithBacking(d))))
		nodes[name] = n
		if name != "mask" {
			wrt = append(wrt, n)
		}
	}
	out, err := build(g, nodes)
	if err != nil {
		b.Fatal(err)
	}
	n := out.Shape().TotalSize()
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	wn := G.NewTensor(g, tensor.Float32, 1, G.WithShape(n), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(n), tensor.WithBacking(w))))
	flat, err := G.Reshape(out, tensor.Shape{n})
	if err != nil {
		b.Fatal(err)
	}
	loss, err := G.Mul(flat, wn)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := G.Grad(loss, wrt...); err != nil {
		b.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Reset()
		if err := m.RunAll(); err != nil {
			b.Fatal(err)
		}
	}
}

func x1(name string, s ...int) map[string][]int { return map[string][]int{name: s} }

func BenchmarkLogSoftmax(b *testing.B) {
	b.Run("ours/64x1000", func(b *testing.B) {
		benchStep(b, x1("x", 64, 1000), func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return LogSoftmax(in["x"], 1) })
	})
	b.Run("gorgonia/64x1000", func(b *testing.B) {
		benchStep(b, x1("x", 64, 1000), func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return G.LogSoftMax(in["x"], 1) })
	})
}

func BenchmarkCrossEntropy64x10(b *testing.B) {
	benchStep(b, map[string][]int{"logits": {64, 10}, "target": {64, 10}}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
		return CrossEntropy(in["logits"], in["target"])
	})
}

func BenchmarkMean(b *testing.B) {
	b.Run("axes2,3/64x256x7x7", func(b *testing.B) {
		benchStep(b, x1("x", 64, 256, 7, 7), func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return Mean(in["x"], 2, 3) })
	})
	b.Run("axes0,2,3/64x256x7x7", func(b *testing.B) {
		benchStep(b, x1("x", 64, 256, 7, 7), func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return Mean(in["x"], 0, 2, 3) })
	})
}

func BenchmarkAvgPool2d(b *testing.B) {
	b.Run("k2s2/64x6x28x28", func(b *testing.B) {
		benchStep(b, x1("x", 64, 6, 28, 28), func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			return AvgPool2d(in["x"], [2]int{2, 2}, [2]int{2, 2}, [2]int{}, true, false)
		})
	})
	b.Run("k3s1p1/16x64x28x28", func(b *testing.B) {
		benchStep(b, x1("x", 16, 64, 28, 28), func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			return AvgPool2d(in["x"], [2]int{3, 3}, [2]int{1, 1}, [2]int{1, 1}, true, false)
		})
	})
}

func BenchmarkBatchNorm(b *testing.B) {
	shapes := map[string][]int{"x": {64, 16, 28, 28}, "gamma": {16}, "beta": {16}}
	b.Run("train/ours/64x16x28x28", func(b *testing.B) {
		stats := &BatchStats{}
		benchStep(b, shapes, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			return BatchNormTrain(in["x"], in["gamma"], in["beta"], 1e-5, stats)
		})
	})
	b.Run("train/gorgonia/64x16x28x28", func(b *testing.B) {
		s4 := map[string][]int{"x": {64, 16, 28, 28}, "gamma": {1, 16, 1, 1}, "beta": {1, 16, 1, 1}}
		benchStep(b, s4, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			y, _, _, _, err := G.BatchNorm(in["x"], in["gamma"], in["beta"], 0.1, 1e-5)
			return y, err
		})
	})
	b.Run("eval/ours/64x16x28x28", func(b *testing.B) {
		rm := tensor.New(tensor.WithShape(16), tensor.Of(tensor.Float32))
		rv := tensor.New(tensor.WithShape(16), tensor.Of(tensor.Float32))
		if err := rv.Memset(float32(1)); err != nil {
			b.Fatal(err)
		}
		benchStep(b, shapes, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			return BatchNormEval(in["x"], in["gamma"], in["beta"], rm, rv, 1e-5)
		})
	})
}

func BenchmarkDropout(b *testing.B) {
	b.Run("elementwise/64x1024", func(b *testing.B) {
		benchStep(b, map[string][]int{"x": {64, 1024}, "mask": {64, 1024}}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			return Dropout(in["x"], in["mask"])
		})
	})
	b.Run("channel/64x16x28x28", func(b *testing.B) {
		benchStep(b, map[string][]int{"x": {64, 16, 28, 28}, "mask": {64, 16, 1, 1}}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			return Dropout(in["x"], in["mask"])
		})
	})
}

func BenchmarkFillDropoutMask64x1024(b *testing.B) {
	m := tensor.New(tensor.WithShape(64, 1024), tensor.Of(tensor.Float32))
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := FillDropoutMask(r, m, 0.5); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGELU64x1024(b *testing.B) {
	benchStep(b, x1("x", 64, 1024), func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return GELU(in["x"]) })
}

func BenchmarkConv2dGrouped(b *testing.B) {
	b.Run("depthwise/8x32x28x28", func(b *testing.B) {
		benchStep(b, map[string][]int{"x": {8, 32, 28, 28}, "w": {32, 1, 3, 3}}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			return Conv2dGrouped(in["x"], in["w"], 32, [2]int{}, [2]int{1, 1}, [2]int{})
		})
	})
	b.Run("groups2/8x32x28x28", func(b *testing.B) {
		benchStep(b, map[string][]int{"x": {8, 32, 28, 28}, "w": {32, 16, 3, 3}}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			return Conv2dGrouped(in["x"], in["w"], 2, [2]int{}, [2]int{1, 1}, [2]int{})
		})
	})
	b.Run("groups1/8x32x28x28", func(b *testing.B) {
		benchStep(b, map[string][]int{"x": {8, 32, 28, 28}, "w": {32, 32, 3, 3}}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
			return Conv2dGrouped(in["x"], in["w"], 1, [2]int{}, [2]int{1, 1}, [2]int{})
		})
	})
}

// BenchmarkDepthwiseConv2d is the depthwise case of BenchmarkConv2dGrouped
// as one op, and a MobileNetV2 layer (96 channels at 56×56).
func BenchmarkDepthwiseConv2d(b *testing.B) {
	for _, s := range [][]int{{8, 32, 28, 28}, {8, 96, 56, 56}} {
		b.Run(fmt.Sprintf("%dx%dx%dx%d", s[0], s[1], s[2], s[3]), func(b *testing.B) {
			benchStep(b, map[string][]int{"x": s, "w": {s[1], 1, 3, 3}}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return DepthwiseConv2d(in["x"], in["w"], [2]int{}, [2]int{1, 1}, [2]int{})
			})
		})
	}
}

// BenchmarkMaxPool2d measures a forward and backward step of LeNet-5's and
// ResNet's max pooling against Gorgonia's MaxPool2D.
func BenchmarkMaxPool2d(b *testing.B) {
	for _, c := range []struct {
		name                string
		x                   []int
		kernel, stride, pad [2]int
	}{
		{"lenet/64x6x28x28-k2s2", []int{64, 6, 28, 28}, [2]int{2, 2}, [2]int{2, 2}, [2]int{}},
		{"resnet/16x64x56x56-k3s2p1", []int{16, 64, 56, 56}, [2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}},
	} {
		b.Run("ours/"+c.name, func(b *testing.B) {
			benchStep(b, x1("x", c.x...), func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return MaxPool2d(in["x"], c.kernel, c.stride, c.pad, false)
			})
		})
		b.Run("gorgonia/"+c.name, func(b *testing.B) {
			benchStep(b, x1("x", c.x...), func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return G.MaxPool2D(in["x"], tensor.Shape{c.kernel[0], c.kernel[1]}, c.pad[:], c.stride[:])
			})
		})
	}
}

// BenchmarkReLU measures a forward and backward step of ReLU against
// Gorgonia's Rectify on a ResNet activation.
func BenchmarkReLU(b *testing.B) {
	b.Run("ours/16x64x56x56", func(b *testing.B) {
		benchStep(b, x1("x", 16, 64, 56, 56), func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return ReLU(in["x"]) })
	})
	b.Run("gorgonia/16x64x56x56", func(b *testing.B) {
		benchStep(b, x1("x", 16, 64, 56, 56), func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return G.Rectify(in["x"]) })
	})
}
