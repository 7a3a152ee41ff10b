package graph

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"path"
	"strings"

	"gorgonia.org/tensor"
)

// Kind tells parameters from buffers.
type Kind uint8

const (
	// Parameter is a learnable tensor: weights, biases, batch-norm γ and β.
	Parameter Kind = iota
	// Buffer is state that is not learned by gradient descent, such as
	// batch-norm running statistics.
	Buffer
)

func (k Kind) String() string {
	if k == Buffer {
		return "buffer"
	}
	return "parameter"
}

// Var is one named tensor of a Store.
type Var struct {
	// Name is the PyTorch state_dict name, e.g. "layer1.0.conv1.weight".
	Name string
	Kind Kind
	// Value is the tensor itself. Every graph compiled from the Store binds
	// this same tensor, and solvers update it in place; replace its contents
	// (Store.Load, tensor.Copy), never the pointer.
	Value *tensor.Dense
	// Frozen excludes a parameter from gradient computation and updates. On
	// a buffer it means the buffer is not updated either: batch norm with
	// frozen running statistics normalizes with them, as in evaluation.
	Frozen bool
	// Group is an optional label (a layer group such as "body" or "head")
	// used for freezing and per-group learning rates.
	Group string
	// LRScale multiplies the learning rate for this parameter; 0 means 1
	// (unscaled). A train.Trainer hands it to solvers that support
	// per-parameter rates (package solvers' LRScaler) when Fit starts.
	LRScale float64
	// Integer marks a buffer that holds whole numbers, such as batch
	// norm's num_batches_tracked counter. It is computed in the store's
	// dtype like every tensor but saved as I64, the dtype PyTorch keeps
	// it in, so a saved file loads into PyTorch with the same dtypes. (A
	// float32 store counts exactly up to 2^24.)
	Integer bool
}

// Store owns every tensor of a model by name, in insertion order.
//
// The zero value is not usable; make one with NewStore.
type Store struct {
	dtype tensor.Dtype
	seed  uint64
	vars  []*Var
	index map[string]*Var
}

// NewStore returns an empty store of the given dtype (tensor.Float32 or
// tensor.Float64; the zero Dtype means Float32). seed determines every
// initialization: the values of a tensor depend only on the seed and the
// tensor's name, not on the order in which tensors are created.
func NewStore(dtype tensor.Dtype, seed uint64) (*Store, error) {
	if dtype == (tensor.Dtype{}) {
		dtype = tensor.Float32
	}
	if err := checkDtype(dtype); err != nil {
		return nil, err
	}
	return &Store{dtype: dtype, seed: seed, index: map[string]*Var{}}, nil
}

// Dtype returns the element type of every tensor in the store.
func (s *Store) Dtype() tensor.Dtype { return s.dtype }

// Seed returns the seed the store initializes tensors with.
func (s *Store) Seed() uint64 { return s.seed }

// Len returns the number of entries.
func (s *Store) Len() int { return len(s.vars) }

// Vars returns every entry in insertion order. The slice is a copy; the
// Vars are the store's own.
func (s *Store) Vars() []*Var { return append([]*Var(nil), s.vars...) }

// Params returns the parameters in insertion order.
func (s *Store) Params() []*Var { return s.filter(func(v *Var) bool { return v.Kind == Parameter }) }

// Trainable returns the parameters that are not frozen, in insertion order.
func (s *Store) Trainable() []*Var {
	return s.filter(func(v *Var) bool { return v.Kind == Parameter && !v.Frozen })
}

func (s *Store) filter(keep func(*Var) bool) []*Var {
	var out []*Var
	for _, v := range s.vars {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// Lookup returns the entry with the given name.
func (s *Store) Lookup(name string) (*Var, bool) {
	v, ok := s.index[name]
	return v, ok
}

// NameOf returns the name of the entry whose tensor is t. Solvers use it to
// save their state by parameter name.
func (s *Store) NameOf(t *tensor.Dense) (string, bool) {
	for _, v := range s.vars {
		if v.Value == t {
			return v.Name, true
		}
	}
	return "", false
}

// NumParams returns the number of learnable scalars (all, and trainable).
func (s *Store) NumParams() (total, trainable int) {
	for _, v := range s.vars {
		if v.Kind == Parameter {
			total += v.Value.Shape().TotalSize()
			if !v.Frozen {
				trainable += v.Value.Shape().TotalSize()
			}
		}
	}
	return total, trainable
}

// Get returns the entry called name, creating it with init if it does not
// exist. An existing entry must have the same kind and shape.
func (s *Store) Get(name string, kind Kind, shape tensor.Shape, init Init) (*Var, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	if v, ok := s.index[name]; ok {
		if v.Kind != kind {
			return nil, fmt.Errorf("%q is a %v in the store, requested as a %v", name, v.Kind, kind)
		}
		if !v.Value.Shape().Eq(shape) {
			return nil, fmt.Errorf("%q has shape %v in the store, requested with shape %v (different layer configuration, or weights for another model?)", name, v.Value.Shape(), shape)
		}
		return v, nil
	}
	for _, d := range shape {
		if d <= 0 {
			return nil, fmt.Errorf("%q: invalid shape %v (every dimension must be positive)", name, shape)
		}
	}
	t := newDense(s.dtype, shape)
	if init != nil {
		data := make([]float64, shape.TotalSize())
		init(s.rngFor(name), shape, data)
		setFloat64s(t, data)
	}
	v := &Var{Name: name, Kind: kind, Value: t}
	s.vars = append(s.vars, v)
	s.index[name] = v
	return v, nil
}

// Reinit draws new initial values for an existing entry from init, seeded by
// the store's seed, salt and the name. It is how a replaced classifier head
// gets fresh, reproducible weights.
func (s *Store) Reinit(name string, init Init, salt uint64) error {
	v, ok := s.index[name]
	if !ok {
		return fmt.Errorf("no entry %q in the store", name)
	}
	data := make([]float64, v.Value.Shape().TotalSize())
	rng := s.rngFor(name)
	if salt != 0 {
		rng = rand.New(rand.NewPCG(s.seed^salt, hashName(name)))
	}
	init(rng, v.Value.Shape(), data)
	setFloat64s(v.Value, data)
	return nil
}

// Remove deletes the entries whose names match any of the glob patterns and
// returns how many were removed.
func (s *Store) Remove(patterns ...string) (int, error) {
	var keep []*Var
	removed := 0
	for _, v := range s.vars {
		m, err := matchAny(v.Name, patterns)
		if err != nil {
			return 0, err
		}
		if m {
			delete(s.index, v.Name)
			removed++
			continue
		}
		keep = append(keep, v)
	}
	s.vars = keep
	return removed, nil
}

// SetFrozen sets the Frozen flag of every entry (parameters and buffers)
// whose name matches one of the glob patterns and returns how many matched.
// Patterns use path.Match syntax where '*' also matches dots, so "layer1.*"
// matches every tensor below layer1. A pattern that matches nothing is an
// error, because it is almost always a typo.
func (s *Store) SetFrozen(frozen bool, patterns ...string) (int, error) {
	n := 0
	for _, p := range patterns {
		hit := 0
		for _, v := range s.vars {
			ok, err := path.Match(p, v.Name)
			if err != nil {
				return n, fmt.Errorf("bad pattern %q: %w", p, err)
			}
			if ok {
				v.Frozen = frozen
				hit++
			}
		}
		if hit == 0 {
			return n, fmt.Errorf("pattern %q matches no tensor (names look like %q)", p, s.exampleName())
		}
		n += hit
	}
	return n, nil
}

// SetLRScale sets the learning-rate multiplier of every parameter whose
// name matches one of the glob patterns (see SetFrozen) and returns how many
// matched; a pattern matching no parameter is an error.
func (s *Store) SetLRScale(scale float64, patterns ...string) (int, error) {
	if scale < 0 || scale != scale {
		return 0, fmt.Errorf("learning-rate scale %v must be ≥ 0", scale)
	}
	n := 0
	for _, p := range patterns {
		hit := 0
		for _, v := range s.vars {
			ok, err := path.Match(p, v.Name)
			if err != nil {
				return n, fmt.Errorf("bad pattern %q: %w", p, err)
			}
			if ok && v.Kind == Parameter {
				v.LRScale = scale
				hit++
			}
		}
		if hit == 0 {
			return n, fmt.Errorf("pattern %q matches no parameter (names look like %q)", p, s.exampleName())
		}
		n += hit
	}
	return n, nil
}

func (s *Store) exampleName() string {
	if len(s.vars) == 0 {
		return "(store is empty)"
	}
	return s.vars[0].Name
}

func matchAny(name string, patterns []string) (bool, error) {
	for _, p := range patterns {
		ok, err := path.Match(p, name)
		if err != nil {
			return false, fmt.Errorf("bad pattern %q: %w", p, err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// rngFor returns the generator that initializes the named tensor: it depends
// only on the store's seed and the name.
func (s *Store) rngFor(name string) *rand.Rand {
	return rand.New(rand.NewPCG(s.seed, hashName(name)))
}

func hashName(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

func validName(name string) error {
	if name == "" || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return fmt.Errorf("invalid tensor name %q: use dot-separated PyTorch state_dict names such as \"fc.weight\"", name)
	}
	return nil
}
