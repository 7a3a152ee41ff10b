package zoo

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/zoo/hub"
	"github.com/tanren-ml/tanren/zoo/pth"
)

// arch is a registered architecture.
type arch struct {
	name  string
	doc   string
	build func(classes int) graph.Layer
	info  Info
}

var registry = map[string]arch{}

func register(a arch) {
	a.info.Name = a.name
	registry[a.name] = a
}

// Names returns the registered architectures, sorted.
func Names() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// config collects the options of New.
type config struct {
	classes    int
	classesSet bool
	seed       uint64
	dtype      tensor.Dtype
	weights    string
	pretrained string
	hfConfig   *hub.Config
	load       graph.LoadOptions
}

// Option configures New.
type Option func(*config) error

// WithClasses sets the number of output classes (default: the
// architecture's, 10 for the MNIST models).
func WithClasses(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("WithClasses(%d): need at least one class", n)
		}
		c.classes, c.classesSet = n, true
		return nil
	}
}

// WithSeed sets the seed of the weights' initialization (default 0).
func WithSeed(seed uint64) Option {
	return func(c *config) error { c.seed = seed; return nil }
}

// WithDtype sets the element type: tensor.Float32 (default) or Float64.
func WithDtype(dt tensor.Dtype) Option {
	return func(c *config) error {
		if dt != tensor.Float32 && dt != tensor.Float64 {
			return fmt.Errorf("WithDtype(%v): use tensor.Float32 or tensor.Float64", dt)
		}
		c.dtype = dt
		return nil
	}
}

// WithWeights loads weights from a .safetensors file or a PyTorch .pth
// state dict after construction, strictly unless WithLoadOptions relaxes
// it.
func WithWeights(path string) Option {
	return func(c *config) error { c.weights = path; return nil }
}

// WithLoadOptions sets how WithWeights loads (default: strict).
func WithLoadOptions(o graph.LoadOptions) Option {
	return func(c *config) error { c.load = o; return nil }
}

// New builds the named architecture with a fresh Store.
func New(name string, opts ...Option) (*Model, error) {
	a, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown model %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	cfg := config{classes: a.info.Classes, dtype: tensor.Float32}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("model %s: %w", name, err)
		}
	}
	if p, ok := pretrainedWeights[cfg.pretrained]; ok && !cfg.classesSet {
		cfg.classes = len(p.classes)
	}
	store, err := graph.NewStore(cfg.dtype, cfg.seed)
	if err != nil {
		return nil, err
	}
	info := a.info
	info.Classes = cfg.classes
	if cfg.hfConfig != nil {
		if err := applyConfig(&info, cfg.hfConfig, cfg.classesSet); err != nil {
			return nil, fmt.Errorf("model %s: %w", name, err)
		}
		cfg.classes = info.Classes
	}
	m := &Model{Info: info, Layer: a.build(cfg.classes), Store: store, programs: map[string]*graph.Program{}}
	// Compiling once creates every tensor, so the Store is complete
	// before weights are loaded or parameters frozen.
	if _, err := m.program(m.InputShape(1)); err != nil {
		return nil, fmt.Errorf("model %s: %w", name, err)
	}
	if cfg.pretrained != "" && cfg.weights != "" {
		return nil, fmt.Errorf("model %s: WithPretrained(%q) and WithWeights(%q): choose one", name, cfg.pretrained, cfg.weights)
	}
	if cfg.pretrained != "" {
		if err := loadPretrained(m, cfg.pretrained, cfg.load); err != nil {
			return nil, fmt.Errorf("model %s: %w", name, err)
		}
	}
	if cfg.weights != "" {
		if err := loadFile(store, cfg.weights, cfg.load); err != nil {
			return nil, fmt.Errorf("model %s: %w", name, err)
		}
		m.Info.Weights = cfg.weights
	}
	return m, nil
}

// loadFile loads a .safetensors file, or a PyTorch checkpoint (.pth, .pt,
// .bin) through package pth, which never executes pickled code.
func loadFile(store *graph.Store, path string, opts graph.LoadOptions) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".pth", ".pt", ".bin":
		tensors, err := pth.ReadFile(path)
		if err != nil {
			return err
		}
		if err := store.LoadTensors(tensors, opts); err != nil {
			return fmt.Errorf("load %s: %w", path, err)
		}
		return nil
	}
	return store.Load(path, opts)
}
