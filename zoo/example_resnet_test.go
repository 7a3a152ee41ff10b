package zoo_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/zoo"
)

// A registered ResNet-18 with a 10-class head: torchvision's state_dict
// names, fastai's layer groups.
func ExampleNew_resnet18() {
	m, err := zoo.New("resnet18", zoo.WithClasses(10), zoo.WithSeed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	total, _ := m.Store.NumParams()
	fmt.Println(total, "parameters")
	fmt.Println(m.Store.Vars()[1].Name, m.Info.Head)
	for _, g := range m.Info.Groups {
		fmt.Println(g.Name, g.Patterns)
	}
	// Output:
	// 11181642 parameters
	// bn1.weight [fc.weight fc.bias]
	// stem+layer1+layer2 [conv1.* bn1.* layer1.* layer2.*]
	// layer3+layer4 [layer3.* layer4.*]
	// head [fc.*]
}

// A narrow ResNet (stage widths 8, 16, 32, 64) on 48×40 images: the global
// average pool accepts any input size.
func ExampleResNet() {
	net := zoo.ResNet{Block: zoo.BasicBlock, Layers: [4]int{1, 1, 1, 1}, Width: 8, Classes: 5}
	store, err := graph.NewStore(tensor.Float32, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := graph.Compile(store, net, graph.Spec{Input: tensor.Shape{2, 3, 48, 40}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	x := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(2, 3, 48, 40))
	logits, err := p.Forward(x)
	if err != nil {
		fmt.Println(err)
		return
	}
	w, _ := store.Lookup("layer2.0.downsample.0.weight")
	fmt.Println(logits.Shape(), w.Value.Shape())
	// Output: (2, 5) (16, 8, 1, 1)
}

// torchvision's MobileNetV2 has 3.5 million parameters under names such
// as features.1.conv.0.0.weight (the first depthwise convolution).
func ExampleMobileNetV2() {
	store, err := graph.NewStore(tensor.Float32, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := graph.Compile(store, zoo.MobileNetV2{}, graph.Spec{Input: tensor.Shape{1, 3, 224, 224}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	total, _ := store.NumParams()
	dw, _ := store.Lookup("features.1.conv.0.0.weight")
	fmt.Println(total, dw.Value.Shape(), p.OutputShape())
	// Output: 3504872 (32, 1, 3, 3) (1, 1000)
}
