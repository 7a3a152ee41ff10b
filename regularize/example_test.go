package regularize_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers"
	"github.com/tanren-ml/tanren/regularize"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/zoo"
)

// Which parameters of LeNet-5 the default selection of L1, L2 and MaxNorm
// regularizes: the conv and linear weights, no biases.
func ExampleSelector() {
	store, _ := graph.NewStore(tensor.Float32, 1)
	p, err := graph.Compile(store, zoo.LeNet5(10), graph.Spec{Input: tensor.Shape{1, 1, 28, 28}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	for _, sel := range []regularize.Selector{{}, {Exclude: []string{"fc3.*"}}, regularize.Patterns("conv*")} {
		var names []string
		for _, v := range store.Params() {
			if ok, _ := sel.Match(v); ok {
				names = append(names, v.Name)
			}
		}
		fmt.Printf("%s: %v\n", sel, names)
	}
	// Output:
	// conv/linear weights: [conv1.weight conv2.weight fc1.weight fc2.weight fc3.weight]
	// conv/linear weights except fc3.*: [conv1.weight conv2.weight fc1.weight fc2.weight]
	// conv*: [conv1.weight conv1.bias conv2.weight conv2.bias]
}

// The L2 penalty adds (λ/2)·Σw² of the weights (not the bias) to the
// training loss.
func ExampleL2() {
	store, _ := graph.NewStore(tensor.Float64, 1)
	model := layers.Named{Name: "fc", Layer: layers.Linear{In: 2, Out: 1}}
	x := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 2}))
	y := tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{0}))
	loss := func(penalties ...graph.Penalty) float64 {
		p, err := graph.Compile(store, model, graph.Spec{Mode: graph.Train, Input: x.Shape(), Loss: layers.MSE(), Penalties: penalties})
		if err != nil {
			panic(err)
		}
		defer p.Close()
		r, err := p.Run(x, y)
		if err != nil {
			panic(err)
		}
		return r.Loss
	}
	loss() // creates the parameters
	w, _ := store.Lookup("fc.weight")
	b, _ := store.Lookup("fc.bias")
	copy(w.Value.Data().([]float64), []float64{3, 4})
	copy(b.Value.Data().([]float64), []float64{10})
	plain := loss()
	fmt.Printf("%.4f\n", loss(regularize.L2(0.1, regularize.Selector{}))-plain)
	// Output: 1.2500
}

// Early stopping and a max-norm constraint are Trainer callbacks; the L2
// penalty goes into the loss.
func ExampleEarlyStopping() {
	store, _ := graph.NewStore(tensor.Float32, 1)
	solver, _ := solvers.New("sgd", solvers.WithLearnRate(0.01), solvers.WithMomentum(0.9))
	es := &regularize.EarlyStopping{Monitor: "val_accuracy", Patience: 5, RestoreBest: true}
	t := &train.Trainer{
		Model:     zoo.LeNet5(10),
		Store:     store,
		Solver:    solver,
		Epochs:    100,
		Penalties: []graph.Penalty{regularize.L2(5e-4, regularize.Selector{})},
		Callbacks: []train.Callback{es, regularize.MaxNorm{Max: 3}},
	}
	// h, err := t.Fit(ctx, trainLoader, valLoader)
	// h.Best is the best epoch, h.Stopped says why training ended early,
	// and the store holds the best epoch's weights.
	_ = t
}
