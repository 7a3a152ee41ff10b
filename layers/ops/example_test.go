package ops_test

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/layers/ops"
)

// LogSoftmax stays exact where Gorgonia's LogSoftMax returns -Inf.
func ExampleLogSoftmax() {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{0, 0, 0, 100, 0, 0}))))
	y, err := ops.LogSoftmax(x, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", y.Value().Data())
	// Output: [-1.0986 -1.0986 -1.0986 0.0000 -100.0000 -100.0000]
}

// A cross-entropy loss with label smoothing for integer labels, and its
// gradient with respect to the logits (both as PyTorch's
// F.cross_entropy(logits, labels, label_smoothing=0.1)).
func ExampleCrossEntropy() {
	g := G.NewGraph()
	logits := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("logits"),
		G.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{2, 0, 0, 0, 0, 0}))))
	t, err := ops.SmoothLabels([]int{0, 2}, 3, 0.1) // as PyTorch label_smoothing=0.1
	if err != nil {
		fmt.Println(err)
		return
	}
	target := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("target"),
		G.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(t))))
	loss, err := ops.CrossEntropy(logits, target)
	if err != nil {
		fmt.Println(err)
		return
	}
	grads, err := G.Grad(loss, logits)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("loss %.4f\n", loss.Value().Data())
	fmt.Printf("dL/dlogits %.4f\n", grads[0].Value().Data())
	// Output:
	// loss 0.7357
	// dL/dlogits [-0.0732 0.0366 0.0366 0.1500 0.1500 -0.3000]
}

// Training-mode batch norm reports the batch statistics; the caller folds
// them into running statistics it owns (values as torch.nn.BatchNorm1d(2,
// eps=0, momentum=0.1) in training mode).
func ExampleBatchNormTrain() {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 2), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, 10, 2, 20, 3, 30, 4, 40}))))
	gamma := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("gamma"),
		G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 1}))))
	beta := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("beta"),
		G.WithValue(tensor.New(tensor.WithBacking([]float64{0, 0}))))
	var stats ops.BatchStats
	y, err := ops.BatchNormTrain(x, gamma, beta, 0, &stats)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("y %.4f\n", y.Value().Data())

	runningMean := tensor.New(tensor.WithBacking([]float64{0, 0}))
	runningVar := tensor.New(tensor.WithBacking([]float64{1, 1}))
	if err := ops.UpdateRunning(runningMean, runningVar, &stats, 0.1); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("running mean %.4f, var %.4f\n", runningMean.Data(), runningVar.Data())
	// Output:
	// y [-1.3416 -1.3416 -0.4472 -0.4472 0.4472 0.4472 1.3416 1.3416]
	// running mean [0.2500 2.5000], var [1.0667 17.5667]
}

// A dropout mask is refilled from a seeded generator before each run.
func ExampleFillDropoutMask() {
	mask := tensor.New(tensor.WithShape(1000), tensor.Of(tensor.Float32))
	rng := rand.New(rand.NewPCG(1, 2))
	if err := ops.FillDropoutMask(rng, mask, 0.2); err != nil {
		fmt.Println(err)
		return
	}
	counts := map[float32]int{}
	for _, v := range mask.Float32s() {
		counts[v]++
	}
	fmt.Println(len(counts), "distinct values:", counts[0] > 150 && counts[0] < 250, counts[1.25] > 750)
	// Output: 2 distinct values: true true
}

// A 3×3 depthwise convolution of two channels, each with its own filter:
// a box sum for channel 0 and the centre tap for channel 1, with "same"
// padding.
func ExampleDepthwiseConv2d() {
	g := G.NewGraph()
	img := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 2, 3, 3), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(1, 2, 3, 3), tensor.WithBacking(append(append([]float64{}, img...), img...)))))
	filters := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0}
	w := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 1, 3, 3), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(2, 1, 3, 3), tensor.WithBacking(filters))))
	y, err := ops.DepthwiseConv2d(x, w, [2]int{}, [2]int{1, 1}, [2]int{})
	if err != nil {
		fmt.Println(err)
		return
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(y.Shape(), y.Value().Data())
	// Output: (1, 2, 3, 3) [12 21 16 27 45 33 24 39 28 1 2 3 4 5 6 7 8 9]
}

// ReLU6 clips to [0, 6]; its gradient passes only strictly inside.
func ExampleReLU6() {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float32, G.WithShape(5), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(5), tensor.WithBacking([]float32{-1, 0, 3, 6, 1e30}))))
	y, err := ops.ReLU6(x)
	if err != nil {
		fmt.Println(err)
		return
	}
	loss, err := G.Sum(y)
	if err != nil {
		fmt.Println(err)
		return
	}
	grads, err := G.Grad(loss, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(y.Value().Data(), grads[0].Value().Data())
	// Output: [0 0 3 6 6] [0 0 1 0 0]
}
