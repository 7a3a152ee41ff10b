package regularize_test

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
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

// A rotation by 90° moves the pixel right of the center to above it.
func ExampleRandomRotation() {
	img := make([]float32, 25)
	img[2*5+4] = 1 // row 2, column 4 of a 5×5 image
	s := data.Sample{Image: img, C: 1, H: 5, W: 5}
	out, _ := regularize.RandomRotation{Degrees: [2]float64{90, 90}}.Apply(rand.New(rand.NewPCG(1, 2)), s)
	for y := range 5 {
		fmt.Println(out.Image[y*5 : (y+1)*5])
	}
	// Output:
	// [0 0 1 0 0]
	// [0 0 0 0 0]
	// [0 0 0 0 0]
	// [0 0 0 0 0]
	// [0 0 0 0 0]
}

// An augmentation pipeline for MNIST-sized digits, as the Loader's
// per-sample transform, and CutMix on whole batches. The Loader seeds
// every draw from (Seed, epoch, index).
func ExampleRandomAffine() {
	var train data.Dataset = &data.InMemory{Samples: []data.Sample{{Image: make([]float32, 28*28), C: 1, H: 28, W: 28, Label: 3}}}
	loader := &data.Loader{
		Dataset: train,
		Shuffle: true,
		Seed:    1,
		Transform: data.Compose(
			regularize.RandomAffine{Degrees: [2]float64{-10, 10}, Translate: [2]float64{0.1, 0.1}, Scale: [2]float64{0.9, 1.1}},
			regularize.RandomErasing{P: 0.25},
		),
		BatchTransform: regularize.CutMix{},
		NumClasses:     10, // CutMix mixes Batch.Targets
	}
	fmt.Println(loader.NumBatches())
	// Output: 1
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
