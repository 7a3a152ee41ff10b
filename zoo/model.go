package zoo

import (
	"sync"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// Model is an architecture with its weights.
type Model struct {
	Info  Info
	Layer graph.Layer
	Store *graph.Store

	mu       sync.Mutex
	programs map[int]*graph.Program // evaluation programs by batch size
}

// InputShape returns the NCHW input shape for a batch of n images.
func (m *Model) InputShape(n int) tensor.Shape {
	return tensor.Shape{n, m.Info.Channels, m.Info.Height, m.Info.Width}
}

// Predict runs the model in evaluation mode on an NCHW batch of any size
// (already preprocessed) and returns the logits (N, classes). It compiles
// and caches one program per batch size. Safe for concurrent use.
func (m *Model) Predict(x *tensor.Dense) (*tensor.Dense, error) {
	if x == nil || x.Dims() != 4 {
		return nil, errors.Errorf("predict: want an NCHW batch, got %v", shapeOrNil(x))
	}
	want := m.InputShape(x.Shape()[0])
	if !x.Shape().Eq(want) {
		return nil, errors.Errorf("predict: %s takes %v, got %v", m.Info.Name, want, x.Shape())
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p, err := m.program(x.Shape()[0])
	if err != nil {
		return nil, err
	}
	out, err := p.Forward(x)
	return out, errors.Wrapf(err, "predict %s", m.Info.Name)
}

// Forget drops cached programs, for example after the architecture's
// Store was changed in shape.
func (m *Model) Forget() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.programs {
		p.Close()
	}
	m.programs = map[int]*graph.Program{}
}

func (m *Model) program(n int) (*graph.Program, error) {
	if p, ok := m.programs[n]; ok {
		return p, nil
	}
	p, err := graph.Compile(m.Store, m.Layer, graph.Spec{Mode: graph.Eval, Input: m.InputShape(n)})
	if err != nil {
		return nil, err
	}
	m.programs[n] = p
	return p, nil
}

func shapeOrNil(x *tensor.Dense) any {
	if x == nil {
		return "nil"
	}
	return x.Shape()
}
