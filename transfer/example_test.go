package transfer_test

import (
	"fmt"

	"github.com/tanren-ml/tanren/transfer"
	"github.com/tanren-ml/tanren/zoo"
)

func ExampleSlice() {
	// fastai's slice(1e-5, 1e-3) over three layer groups, and slice(1e-3).
	rates, _ := transfer.Slice(1e-5, 1e-3, 3)
	fmt.Printf("%.3g\n", rates)
	rates, _ = transfer.Slice(0, 1e-3, 3)
	fmt.Printf("%.3g\n", rates)
	// Output:
	// [1e-05 0.0001 0.001]
	// [0.0001 0.0001 0.001]
}

func ExampleFreezeBody() {
	m, err := zoo.New("lenet5", zoo.WithSeed(1))
	if err != nil {
		panic(err)
	}
	// A new task with 5 classes: a fresh head, everything else frozen.
	if err := transfer.ReplaceHead(m, 5, 1); err != nil {
		panic(err)
	}
	if err := transfer.FreezeBody(m, transfer.Options{}); err != nil {
		panic(err)
	}
	total, trainable := m.Store.NumParams()
	fmt.Printf("%d of %d parameters trainable\n", trainable, total)
	// Output:
	// 425 of 61281 parameters trainable
}

func ExampleFreezeTo() {
	m, err := zoo.New("lenet5")
	if err != nil {
		panic(err)
	}
	// Groups are features, classifier, head: train the top two.
	if err := transfer.FreezeTo(m.Store, m.Info.Groups, 1, transfer.Options{}); err != nil {
		panic(err)
	}
	for _, v := range m.Store.Params() {
		fmt.Println(v.Name, v.Frozen)
	}
	// Output:
	// conv1.weight true
	// conv1.bias true
	// conv2.weight true
	// conv2.bias true
	// fc1.weight false
	// fc1.bias false
	// fc2.weight false
	// fc2.bias false
	// fc3.weight false
	// fc3.bias false
}
