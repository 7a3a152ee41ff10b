package graph

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Mode selects how layers with train/eval behaviour (dropout, batch norm)
// build themselves.
type Mode uint8

const (
	// Eval is inference: dropout is the identity, batch norm uses running
	// statistics. It is the zero value because it is the safe default.
	Eval Mode = iota
	// Train is training: dropout draws masks, batch norm normalizes with
	// batch statistics and updates its running statistics.
	Train
)

func (m Mode) String() string {
	if m == Train {
		return "train"
	}
	return "eval"
}

// builder is the state shared by every Scope of one graph under
// construction.
type builder struct {
	g      *G.ExprGraph
	store  *Store
	mode   Mode
	nodes  map[string]*G.Node
	used   []*Var // parameters bound in this graph, in first-use order
	noise  []noiseInput
	after  []func() error
	frozen map[string]bool // Frozen flags at compile time
	// input is the program's input node; inputGrad whether its gradient
	// was asked for (Spec.InputGrad in Train mode).
	input     *G.Node
	inputGrad bool
}

type noiseInput struct {
	node  *G.Node
	value *tensor.Dense
	fill  func(rng *rand.Rand, t *tensor.Dense) error
}

// Scope is what a Layer sees while a graph is built: the graph, the mode,
// the dtype and the name prefix under which its tensors live in the Store.
type Scope struct {
	b      *builder
	prefix string
}

// Sub returns a scope whose names are prefixed by name ("layer1",
// "layer1.0", "conv1"), as in PyTorch's module hierarchy.
func (s *Scope) Sub(name string) *Scope { return &Scope{b: s.b, prefix: s.Name(name)} }

// Name returns the full name of a tensor or sub-module called local.
func (s *Scope) Name(local string) string { return JoinName(s.prefix, local) }

// JoinName joins a module path and a local name as PyTorch's state_dict
// does: ("layer1.0", "conv1") gives "layer1.0.conv1"; an empty side is left
// out.
func JoinName(prefix, local string) string {
	switch {
	case prefix == "":
		return local
	case local == "":
		return prefix
	}
	return prefix + "." + local
}

// Path is the scope's own name prefix ("" at the root).
func (s *Scope) Path() string { return s.prefix }

// Graph returns the expression graph under construction.
func (s *Scope) Graph() *G.ExprGraph { return s.b.g }

// Mode returns whether the graph is for training or evaluation.
func (s *Scope) Mode() Mode { return s.b.mode }

// Training reports whether the graph is for training.
func (s *Scope) Training() bool { return s.b.mode == Train }

// Dtype returns the element type of the graph.
func (s *Scope) Dtype() tensor.Dtype { return s.b.store.dtype }

// Param returns a node bound to the Store's parameter called local (under
// the scope's prefix), creating the parameter with init on first use. Every
// graph built from the same Store binds the same tensor.
func (s *Scope) Param(local string, shape tensor.Shape, init Init) (*G.Node, error) {
	name := s.Name(local)
	if n, ok := s.b.nodes[name]; ok {
		if !n.Shape().Eq(shape) {
			return nil, fmt.Errorf("parameter %q used with shapes %v and %v in one graph", name, n.Shape(), shape)
		}
		return n, nil
	}
	v, err := s.b.store.Get(name, Parameter, shape, init)
	if err != nil {
		return nil, err
	}
	n := G.NewTensor(s.b.g, s.b.store.dtype, len(shape), G.WithShape(shape.Clone()...), G.WithName(name), G.WithValue(v.Value))
	s.b.nodes[name] = n
	s.b.used = append(s.b.used, v)
	s.b.frozen[name] = v.Frozen
	return n, nil
}

// Buffer returns the Store's buffer called local, creating it with init on
// first use. Buffers are not graph nodes: layers read them as constants and
// update them in AfterRun hooks.
func (s *Scope) Buffer(local string, shape tensor.Shape, init Init) (*Var, error) {
	return s.b.store.Get(s.Name(local), Buffer, shape, init)
}

// Frozen reports whether the Store entry called local is frozen. A name the
// store lacks is reported as not frozen.
func (s *Scope) Frozen(local string) bool {
	v, ok := s.b.store.Lookup(s.Name(local))
	return ok && v.Frozen
}

// Constant returns a node holding a copy of t, for values that must not be
// differentiated.
func (s *Scope) Constant(local string, t *tensor.Dense) *G.Node {
	return G.NewTensor(s.b.g, t.Dtype(), t.Dims(), G.WithShape(t.Shape().Clone()...), G.WithName(s.Name(local)), G.WithValue(t.Clone().(*tensor.Dense)))
}

// Noise returns an input node of the given shape that the Program refills
// with fill before every run, from its seeded generator. Dropout masks are
// noise inputs: a mask is part of the graph's input, so the gradient of the
// masked product is exact.
func (s *Scope) Noise(local string, shape tensor.Shape, fill func(rng *rand.Rand, t *tensor.Dense) error) (*G.Node, error) {
	for _, d := range shape {
		if d <= 0 {
			return nil, fmt.Errorf("noise %q: invalid shape %v", s.Name(local), shape)
		}
	}
	t := newDense(s.b.store.dtype, shape)
	n := G.NewTensor(s.b.g, s.b.store.dtype, len(shape), G.WithShape(shape.Clone()...), G.WithName(s.Name(local)), G.WithValue(t))
	s.b.noise = append(s.b.noise, noiseInput{node: n, value: t, fill: fill})
	return n, nil
}

// NeedsGrad reports whether the loss may be differentiated with respect to
// n. It is false only for the program's input when no input gradient was
// asked for (Spec.InputGrad): a layer applied to the input, such as a
// model's first convolution, can then skip building a backward pass whose
// result would be thrown away.
func (s *Scope) NeedsGrad(n *G.Node) bool {
	return n != s.b.input || s.b.inputGrad
}

// AfterRun registers fn to run after every training-mode run of the
// Program, such as a batch-norm running-statistics update.
func (s *Scope) AfterRun(fn func() error) { s.b.after = append(s.b.after, fn) }
