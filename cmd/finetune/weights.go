package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/internal/safetensors"
	"github.com/tanren-ml/tanren/transfer"
	"github.com/tanren-ml/tanren/zoo"
	"github.com/tanren-ml/tanren/zoo/pth"
)

// buildModel makes the model for a run: the architecture with the classes
// of the data, initialized from -weights. Pretrained layers keep their
// weights; a head for another number of classes (or other class names) is
// replaced by a fresh, seeded one. It reports whether the weights were
// pretrained.
func buildModel(o options, classes []string, log io.Writer) (*zoo.Model, bool, error) {
	weights := o.Weights
	if weights == "" {
		weights = defaultWeights(o.Model)
	}
	if weights == "none" {
		m, err := zoo.New(o.Model, zoo.WithClasses(len(classes)), zoo.WithSeed(o.Seed))
		return m, false, err
	}
	if arch, ok := zoo.PretrainedArch(weights); ok {
		if arch != o.Model {
			return nil, false, fmt.Errorf("-weights %s are for %s, not -model %s", weights, arch, o.Model)
		}
		m, err := zoo.New(o.Model, zoo.WithPretrained(weights), zoo.WithSeed(o.Seed))
		if err != nil {
			return nil, false, err
		}
		if !equal(m.Info.ClassNames, classes) {
			fmt.Fprintf(log, "new head for %d classes (the weights %s were trained on %s)\n", len(classes), weights, strings.Join(m.Info.ClassNames, ", "))
			if err := transfer.ReplaceHead(m, len(classes), o.Seed); err != nil {
				return nil, false, err
			}
		}
		return m, true, nil
	}
	m, err := zoo.New(o.Model, zoo.WithClasses(len(classes)), zoo.WithSeed(o.Seed))
	if err != nil {
		return nil, false, err
	}
	tensors, err := readWeights(weights)
	if err != nil {
		return nil, false, err
	}
	replaced, err := loadBackbone(m, tensors)
	if err != nil {
		return nil, false, fmt.Errorf("-weights %s: %w", weights, err)
	}
	if replaced {
		fmt.Fprintf(log, "new head for %d classes (%s has a head of another size)\n", len(classes), weights)
	}
	return m, true, nil
}

// defaultWeights are the model's shipped weights, if any.
func defaultWeights(model string) string {
	for _, n := range zoo.PretrainedNames() {
		if arch, _ := zoo.PretrainedArch(n); arch == model && !strings.Contains(n, "-0to4") {
			return n
		}
	}
	return "none"
}

// readWeights reads a .safetensors or a PyTorch .pth file.
func readWeights(path string) ([]safetensors.Tensor, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".safetensors":
		f, err := safetensors.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("-weights: %w", err)
		}
		return f.Tensors, nil
	case ".pth", ".pt", ".bin":
		t, err := pth.ReadFile(path)
		if err != nil {
			return t, fmt.Errorf("-weights: %w", err)
		}
		return t, nil
	}
	return nil, fmt.Errorf("-weights %s: not a .safetensors or .pth file, nor shipped weights (%s), nor none", path, strings.Join(zoo.PretrainedNames(), ", "))
}

// loadBackbone loads weights strictly, except that a head of another shape
// is left out (and keeps its fresh initialization). Any other missing,
// unexpected or mismatched key is one error listing them all.
func loadBackbone(m *zoo.Model, tensors []safetensors.Tensor) (replaced bool, err error) {
	head := map[string]bool{}
	for _, n := range m.Info.Head {
		head[n] = true
	}
	own := map[string]safetensors.Tensor{}
	for _, t := range m.Store.Tensors() {
		own[t.Name] = t
	}
	keep := make([]safetensors.Tensor, 0, len(tensors))
	for _, t := range tensors {
		if head[t.Name] && !sameShape(own[t.Name].Shape, t.Shape) {
			// Stand the model's own head in for the file's, so the strict
			// load below still checks every other key.
			t, replaced = own[t.Name], true
		}
		keep = append(keep, t)
	}
	return replaced, m.Store.LoadTensors(keep, graph.LoadOptions{})
}

func sameShape(a, b []int) bool {
	return tensor.Shape(a).Eq(tensor.Shape(b))
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
