package zoo

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
)

// sequentialBuilder is implemented by architectures that assemble
// themselves into a layers.Sequential when built (ResNet, MobileNetV2).
type sequentialBuilder interface {
	build() (graph.Layer, error)
}

// classSetter is implemented by architectures configured by a struct with
// a class count, so that a narrow or otherwise customized one keeps its
// configuration when its head is replaced. Others are rebuilt from the
// registry.
type classSetter interface {
	withClasses(n int) graph.Layer
}

func (r ResNet) withClasses(n int) graph.Layer      { r.Classes = n; return r }
func (m MobileNetV2) withClasses(n int) graph.Layer { m.Classes = n; return m }

// topLevel returns the model layer's top-level layers, named as their
// tensors are (the state_dict's first name component).
func topLevel(l graph.Layer) ([]L.Named, error) {
	if b, ok := l.(sequentialBuilder); ok {
		net, err := b.build()
		if err != nil {
			return nil, err
		}
		l = net
	}
	seq, ok := l.(L.Sequential)
	if !ok || len(seq) < 2 {
		return nil, fmt.Errorf("layer %T is not a sequence of a body and a classifier", l)
	}
	out := make([]L.Named, len(seq))
	for i, e := range seq {
		n, ok := e.(L.Named)
		if !ok {
			// An unnamed layer of a Sequential lives under its index.
			n = L.Named{Name: strconv.Itoa(i), Layer: e}
		}
		out[i] = n
	}
	return out, nil
}

// Layers returns the model's top-level layers in order, each under its
// state_dict name (an unnamed layer of a Sequential is named by its index,
// as in PyTorch), so that any run of them, as a layers.Sequential, builds
// under the root scope with the model's own tensor names and binds the same
// Store tensors as the whole model. The layers are stem, stages, pooling
// and classifier for the ResNets; conv1, ReLU, pool, ... fc3 for LeNet-5.
func (m *Model) Layers() ([]L.Named, error) {
	out, err := topLevel(m.Layer)
	if err != nil {
		return out, fmt.Errorf("model %s: top-level layers: %w", m.Info.Name, err)
	}
	return out, nil
}

// Split returns the model as two layers: body, every layer below the
// classifier, and head, the classifier (the last top-level layer, which
// holds the parameters Info.Head names). Both build under the root scope
// with the model's own tensor names, so they bind the same Store tensors
// as the whole model: head applied to body's output is the model.
func (m *Model) Split() (body, head graph.Layer, err error) {
	body, head, err = split(m.Layer, m.Info.Head)
	if err != nil {
		return body, head, fmt.Errorf("model %s: split into body and head: %w", m.Info.Name, err)
	}
	return body, head, nil
}

func split(l graph.Layer, headNames []string) (body, head graph.Layer, err error) {
	top, err := topLevel(l)
	if err != nil {
		return nil, nil, err
	}
	last := top[len(top)-1]
	if len(headNames) == 0 {
		return nil, nil, errors.New("Info.Head lists no classifier parameters")
	}
	for _, n := range headNames {
		if !strings.HasPrefix(n, last.Name+".") {
			return nil, nil, fmt.Errorf("head parameter %q is not in the last layer %q", n, last.Name)
		}
	}
	body = L.Sequential(namedLayers(top[:len(top)-1]))
	return body, last, nil
}

// namedLayers converts for a layers.Sequential, which names Named
// elements by their own name.
func namedLayers(ns []L.Named) []graph.Layer {
	out := make([]graph.Layer, len(ns))
	for i, n := range ns {
		out[i] = n
	}
	return out
}

// SetClasses gives the model a new classifier with n outputs: the head's
// parameters (Info.Head, under the same names) are replaced by fresh
// tensors initialized as the architecture initializes its classifier,
// from seed. The values depend only on seed and the names, so
// SetClasses(n, s) gives the head that New(name, WithClasses(n),
// WithSeed(s)) would. Every other tensor is kept. The new tensors are
// trainable and ungrouped; cached evaluation programs are dropped, and so
// must be any programs compiled elsewhere. A solver holding state for the
// old head tensors should Forget them.
func (m *Model) SetClasses(n int, seed uint64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("model %s: SetClasses(%d): %v", m.Info.Name, n, r)
		}
	}()
	if n < 1 {
		return fmt.Errorf("model %s: SetClasses(%d): need at least one class", m.Info.Name, n)
	}
	var layer graph.Layer
	if c, ok := m.Layer.(classSetter); ok {
		layer = c.withClasses(n)
	} else if a, ok := registry[m.Info.Name]; ok {
		layer = a.build(n)
	} else {
		return fmt.Errorf("model %q: its layer %T cannot change its classes and it is not a registered architecture", m.Info.Name, m.Layer)
	}
	body, head, err := split(layer, m.Info.Head)
	if err != nil {
		return fmt.Errorf("model %s: SetClasses(%d): %w", m.Info.Name, n, err)
	}
	// The body's output shape is the head's input shape; the body's
	// tensors all exist, so compiling it creates nothing.
	bp, err := graph.Compile(m.Store, body, graph.Spec{Mode: graph.Eval, Input: m.InputShape(1)})
	if err != nil {
		return fmt.Errorf("model %s: SetClasses(%d): body: %w", m.Info.Name, n, err)
	}
	features := bp.OutputShape()
	bp.Close()
	// The new head is created in a store of its own, seeded with seed, so
	// its values depend on seed and the names only; then it is copied in.
	fresh, err := graph.NewStore(m.Store.Dtype(), seed)
	if err != nil {
		return err
	}
	hp, err := graph.Compile(fresh, head, graph.Spec{Mode: graph.Eval, Input: features})
	if err != nil {
		return fmt.Errorf("model %s: SetClasses(%d): head on features %v: %w", m.Info.Name, n, features, err)
	}
	hp.Close()
	if fresh.Len() != len(m.Info.Head) {
		return fmt.Errorf("model %s: SetClasses(%d): the classifier has %d tensors, Info.Head lists %v", m.Info.Name, n, fresh.Len(), m.Info.Head)
	}
	for _, name := range m.Info.Head {
		if _, ok := fresh.Lookup(name); !ok {
			return fmt.Errorf("model %s: SetClasses(%d): the classifier has no tensor %q of Info.Head", m.Info.Name, n, name)
		}
	}
	for _, name := range m.Info.Head {
		if _, err := m.Store.Remove(name); err != nil {
			return err
		}
		v, _ := fresh.Lookup(name)
		if _, err := m.Store.Get(name, v.Kind, v.Value.Shape(), copyOf(v.Value)); err != nil {
			return fmt.Errorf("model %s: SetClasses(%d): %w", m.Info.Name, n, err)
		}
	}
	m.Layer = layer
	m.Info.Classes = n
	// Pretrained class names and accuracy describe the old classifier.
	m.Info.ClassNames = nil
	m.Info.TestAccuracy = 0
	m.Forget()
	return nil
}

// copyOf is an initializer that copies t's values.
func copyOf(t *tensor.Dense) graph.Init {
	return func(_ *rand.Rand, _ tensor.Shape, data []float64) {
		copy(data, graph.Float64s(t))
	}
}
