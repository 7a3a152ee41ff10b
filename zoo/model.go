package zoo

import (
	"fmt"
	"sync"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// Model is an architecture with its weights.
type Model struct {
	Info  Info
	Layer graph.Layer
	Store *graph.Store

	mu       sync.Mutex
	programs map[string]*graph.Program // evaluation programs by input shape
}

// InputShape returns the NCHW input shape for a batch of n images.
func (m *Model) InputShape(n int) tensor.Shape {
	return tensor.Shape{n, m.Info.Channels, m.Info.Height, m.Info.Width}
}

// Predict runs the model in evaluation mode on an NCHW batch (already
// preprocessed) of any batch size and returns the logits (N, classes). The
// image size may differ from Info's where the architecture allows it
// (ResNets and MobileNetV2 pool globally; LeNet-5 needs 28×28). It compiles
// and caches one program per input shape. Safe for concurrent use.
func (m *Model) Predict(x *tensor.Dense) (*tensor.Dense, error) {
	if x == nil || x.Dims() != 4 || x.Shape()[1] != m.Info.Channels {
		return nil, fmt.Errorf("predict: %s takes NCHW batches with %d channels, like %v; got %v", m.Info.Name, m.Info.Channels, m.InputShape(1), shapeOrNil(x))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p, err := m.program(x.Shape())
	if err != nil {
		return nil, err
	}
	out, err := p.Forward(x)
	if err != nil {
		return out, fmt.Errorf("predict %s: %w", m.Info.Name, err)
	}
	return out, nil
}

// Forget drops cached programs, for example after the architecture's
// Store was changed in shape.
func (m *Model) Forget() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.programs {
		p.Close()
	}
	m.programs = map[string]*graph.Program{}
}

func (m *Model) program(shape tensor.Shape) (*graph.Program, error) {
	key := fmt.Sprint(shape)
	if p, ok := m.programs[key]; ok {
		return p, nil
	}
	p, err := graph.Compile(m.Store, m.Layer, graph.Spec{Mode: graph.Eval, Input: shape})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.Info.Name, err)
	}
	m.programs[key] = p
	return p, nil
}

func shapeOrNil(x *tensor.Dense) any {
	if x == nil {
		return "nil"
	}
	return x.Shape()
}
