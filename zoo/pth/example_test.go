package pth_test

import (
	"fmt"
	"log"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/zoo/pth"
)

// Read a state dict saved by torch.save(model.state_dict(), path) and load
// it by name into a model's store.
func ExampleReadFile() {
	tensors, err := pth.ReadFile("testdata/tiny_zip.pth")
	if err != nil {
		log.Fatal(err)
	}
	store, err := graph.NewStore(tensor.Float32, 1)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range tensors {
		fmt.Println(t.Name, t.DType, t.Shape)
		// A model's layers would create these entries; here the file's
		// shapes stand in for them.
		kind := graph.Parameter
		if t.Name == "bn.running_mean" || t.Name == "bn.running_var" || t.Name == "bn.num_batches_tracked" {
			kind = graph.Buffer
		}
		if _, err := store.Get(t.Name, kind, tensor.Shape(t.Shape), nil); err != nil {
			log.Fatal(err)
		}
	}
	if err := store.LoadTensors(tensors, graph.LoadOptions{}); err != nil {
		log.Fatal(err)
	}
	bias, _ := store.Lookup("fc.bias")
	fmt.Printf("fc.bias %.4f\n", bias.Value.Data())
	// Output:
	// conv.weight F32 [3 2 3 3]
	// conv.bias F32 [3]
	// bn.weight F32 [3]
	// bn.bias F32 [3]
	// bn.running_mean F32 [3]
	// bn.running_var F32 [3]
	// bn.num_batches_tracked I64 []
	// fc.weight F32 [4 12]
	// fc.bias F32 [4]
	// fc.bias [-0.0052 -0.2174 -0.2227 -0.0159]
}
