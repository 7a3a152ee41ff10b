package layers_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
)

// A model is a Layer; its tensors get PyTorch state_dict names.
func ExampleSequential() {
	model := L.Sequential{
		L.Named{Name: "conv", Layer: L.Conv2d{In: 1, Out: 4, Kernel: L.Sq(3), Padding: L.Sq(1)}},
		L.Named{Name: "bn", Layer: L.BatchNorm2d{Features: 4}},
		L.ReLU{},
		L.GlobalAvgPool{},
		L.Named{Name: "fc", Layer: L.Linear{In: 4, Out: 2}},
	}
	store, _ := graph.NewStore(tensor.Float32, 1)
	p, err := graph.Compile(store, model, graph.Spec{Input: tensor.Shape{8, 1, 5, 5}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range store.Vars() {
		fmt.Println(v.Kind, v.Name, v.Value.Shape())
	}
	fmt.Println("output", p.OutputShape())
	// Output:
	// parameter conv.weight (4, 1, 3, 3)
	// parameter conv.bias (4)
	// parameter bn.weight (4)
	// parameter bn.bias (4)
	// buffer bn.running_mean (4)
	// buffer bn.running_var (4)
	// buffer bn.num_batches_tracked ()
	// parameter fc.weight (2, 4)
	// parameter fc.bias (2)
	// output (8, 2)
}
