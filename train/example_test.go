package train_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
)

// Declare a model, train it with Adam and evaluate it.
func ExampleTrainer() {
	// A toy dataset: 2×2 images whose brightest pixel is the class.
	rng := rand.New(rand.NewPCG(1, 2))
	ds := &data.InMemory{}
	for i := 0; i < 400; i++ {
		img := []float32{rng.Float32(), rng.Float32(), rng.Float32(), rng.Float32()}
		img[i%4] += 1
		ds.Samples = append(ds.Samples, data.Sample{Image: img, C: 1, H: 2, W: 2, Label: i % 4})
	}
	trainSet, valSet, _ := data.RandomSplit(ds, 0.25, 1)

	model := L.Sequential{
		L.Flatten{},
		L.Named{Name: "fc1", Layer: L.Linear{In: 4, Out: 16}},
		L.ReLU{},
		L.Named{Name: "fc2", Layer: L.Linear{In: 16, Out: 4}},
	}
	store, _ := graph.NewStore(tensor.Float32, 1)
	adam, _ := solvers.New("adam", solvers.WithLearnRate(0.01))
	t := &train.Trainer{Model: model, Store: store, Solver: adam, Epochs: 10, Quiet: true}
	h, err := t.Fit(context.Background(),
		&data.Loader{Dataset: trainSet, BatchSize: 32, Shuffle: true, Seed: 1},
		&data.Loader{Dataset: valSet, BatchSize: 100})
	if err != nil {
		fmt.Println(err)
		return
	}
	last, _ := h.Last()
	fmt.Printf("validation accuracy after %d epochs: %.2f\n", last.Epoch, last.Val.Accuracy)
	for _, v := range store.Params() {
		fmt.Println(v.Name, v.Value.Shape())
	}
	// Output:
	// validation accuracy after 10 epochs: 1.00
	// fc1.weight (16, 4)
	// fc1.bias (16)
	// fc2.weight (4, 16)
	// fc2.bias (4)
}
