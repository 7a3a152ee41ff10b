package ops_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/layers/ops"
)

// Linear takes the weight in PyTorch's (Out, In) layout; the bias gradient
// is the output gradient summed over the batch.
func ExampleLinear() {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))))
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 0, 0, 0, 1, 1}))))
	b := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("b"),
		G.WithValue(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{10, 20}))))
	y, err := ops.Linear(x, w, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	loss, err := ops.Sum(y)
	if err != nil {
		fmt.Println(err)
		return
	}
	grads, err := G.Grad(loss, w, b)
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
	fmt.Println("y", y.Shape(), y.Value().Data())
	fmt.Println("dw", grads[0].Value().Data())
	fmt.Println("db", grads[1].Value().Data())
	// Output:
	// y (2, 2) [11 25 14 31]
	// dw [5 7 9 5 7 9]
	// db [2 2]
}

// Conv2dBias is a convolution with groups = 1 plus a per-channel bias, in
// one op.
func ExampleConv2dBias() {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 1, 3, 3), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(1, 1, 3, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}))))
	// filter 0 sums a 2×2 window, filter 1 picks its top left
	w := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 1, 2, 2), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(2, 1, 2, 2), tensor.WithBacking([]float64{1, 1, 1, 1, 1, 0, 0, 0}))))
	b := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("b"),
		G.WithValue(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 100}))))
	y, err := ops.Conv2dBias(x, w, b, [2]int{}, [2]int{}, [2]int{})
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
	// Output: (1, 2, 2, 2) [12 16 24 28 101 102 104 105]
}
