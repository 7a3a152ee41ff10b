package zoo

import (
	"bytes"
	"embed"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/internal/safetensors"
)

// The shipped weights, trained by cmd/train with the recipe recorded in
// each file's metadata ("recipe"), with their MNIST test accuracy
// ("test_accuracy").
//
//go:embed weights/*.safetensors
var shipped embed.FS

// pretrained describes shipped weights.
type pretrained struct {
	arch    string
	file    string
	classes []string
}

var digits = strings.Split("0 1 2 3 4 5 6 7 8 9", " ")

var pretrainedWeights = map[string]pretrained{
	"lenet5-mnist":      {arch: "lenet5", file: "weights/lenet5-mnist.safetensors", classes: digits},
	"lenet5-mnist-0to4": {arch: "lenet5", file: "weights/lenet5-mnist-0to4.safetensors", classes: digits[:5]},
}

// PretrainedNames lists the shipped weights, sorted.
func PretrainedNames() []string {
	out := make([]string, 0, len(pretrainedWeights))
	for n := range pretrainedWeights {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// PretrainedArch returns the architecture of the named shipped weights.
func PretrainedArch(name string) (string, bool) {
	p, ok := pretrainedWeights[name]
	return p.arch, ok
}

// WithPretrained loads the named shipped weights ("lenet5-mnist") after
// construction and records their classes, test accuracy and recipe in
// Info. The model gets the weights' number of classes unless WithClasses
// says otherwise. With WithClasses of another count, load them with
// WithLoadOptions(graph.LoadOptions{SkipMismatched: true}) to keep every
// layer but the head, which stays freshly initialized.
func WithPretrained(name string) Option {
	return func(c *config) error {
		if _, ok := pretrainedWeights[name]; !ok {
			return fmt.Errorf("unknown pretrained weights %q (shipped: %s)", name, strings.Join(PretrainedNames(), ", "))
		}
		c.pretrained = name
		return nil
	}
}

// loadPretrained loads shipped weights into m.
func loadPretrained(m *Model, name string, opts graph.LoadOptions) error {
	p := pretrainedWeights[name]
	if p.arch != m.Info.Name {
		return fmt.Errorf("pretrained weights %q are for %s, not %s", name, p.arch, m.Info.Name)
	}
	raw, err := shipped.ReadFile(p.file)
	if err != nil {
		return fmt.Errorf("pretrained weights %q: %w", name, err)
	}
	f, err := safetensors.Read(bytes.NewReader(raw), int64(len(raw)), safetensors.Limits{})
	if err != nil {
		return fmt.Errorf("pretrained weights %q: %w", name, err)
	}
	if err := m.Store.LoadFile(f, opts); err != nil {
		return fmt.Errorf("pretrained weights %q: %w", name, err)
	}
	m.Info.Weights = name
	if len(p.classes) == m.Info.Classes {
		m.Info.ClassNames = append([]string(nil), p.classes...)
	}
	m.Info.TestAccuracy, _ = strconv.ParseFloat(f.Metadata["test_accuracy"], 64)
	m.Info.Recipe = f.Metadata["recipe"]
	return nil
}
