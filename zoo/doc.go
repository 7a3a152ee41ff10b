// Package zoo holds model architectures under torchvision's parameter
// names — lenet5, mlp, resnet18, resnet34, resnet50, mobilenet_v2 — a
// registry to build them by name, their metadata (input size,
// preprocessing, classifier head, layer groups), and shipped pretrained
// weights (lenet5-mnist, lenet5-mnist-0to4). Torchvision state dicts load
// strictly by name from .safetensors or .pth (package zoo/pth).
//
//	m, err := zoo.New("lenet5", zoo.WithClasses(10), zoo.WithSeed(1))
//	logits, err := m.Predict(batch) // (N, 1, 28, 28) float32 → (N, 10)
package zoo
