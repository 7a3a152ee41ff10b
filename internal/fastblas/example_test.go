package fastblas_test

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/internal/fastblas"
)

// Gemm multiplies row-major matrices; here C = A·Bᵀ with B stored as its
// transpose.
func ExampleGemm() {
	a := []float32{
		1, 2, 3,
		4, 5, 6,
	}
	bT := []float32{ // B is 3×2; its transpose is stored
		1, 0, 1,
		0, 1, 1,
	}
	c := make([]float32, 2*2)
	if err := fastblas.Gemm(blas.NoTrans, blas.Trans, 2, 2, 3, 1, a, 3, bT, 3, 0, c, 2); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c)
	// Output: [4 5 10 11]
}

// Register switches every Gorgonia matrix product to fastblas.
func ExampleRegister() {
	previous := fastblas.Register()
	defer G.Use(previous) // only for the example: an application keeps it

	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 3, 4}))))
	w := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 0, 0, 2}))))
	y := G.Must(G.Mul(x, w))
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(y.Value().Data())
	// Output: [1 4 3 8]
}

// Gemm reports invalid arguments instead of panicking.
func ExampleGemm_error() {
	c := make([]float64, 4)
	err := fastblas.Gemm(blas.NoTrans, blas.NoTrans, 2, 2, 3, 1, make([]float64, 5), 3, make([]float64, 6), 2, 0, c, 2)
	fmt.Println(err != nil)
	// Output: true
}
