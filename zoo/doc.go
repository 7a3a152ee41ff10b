// Package zoo holds model architectures under torchvision's parameter
// names, a registry to build them by name, and their metadata: input size,
// preprocessing, classifier head and layer groups.
//
//	m, err := zoo.New("lenet5", zoo.WithClasses(10), zoo.WithSeed(1))
//	logits, err := m.Predict(batch) // (N, 1, 28, 28) float32 → (N, 10)
package zoo
