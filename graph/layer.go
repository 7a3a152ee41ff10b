package graph

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Layer is anything that adds itself to a graph. Layers are plain
// configuration values: their tensors live in the Store, reached through
// Scope.Param and Scope.Buffer. A model is a Layer.
type Layer interface {
	Forward(s *Scope, x *G.Node) (*G.Node, error)
}

// LayerFunc adapts a function to the Layer interface.
type LayerFunc func(s *Scope, x *G.Node) (*G.Node, error)

// Forward calls f.
func (f LayerFunc) Forward(s *Scope, x *G.Node) (*G.Node, error) { return f(s, x) }

// LayerError reports which layer failed while a graph was built.
type LayerError struct {
	// Path is the layer's scope name, e.g. "layer1.0.conv1".
	Path string
	// Input is the shape of the layer's input.
	Input string
	Err   error
}

func (e *LayerError) Error() string {
	path := e.Path
	if path == "" {
		path = "(root)"
	}
	return fmt.Sprintf("layer %s (input shape %s): %v", path, e.Input, e.Err)
}

// Unwrap returns the underlying error.
func (e *LayerError) Unwrap() error { return e.Err }

// Call runs layer l under the sub-scope name (no sub-scope when name is
// ""), turning Gorgonia panics into errors and naming the layer and its
// input shape in any error. Container layers call their children through it.
func Call(s *Scope, name string, l Layer, x *G.Node) (out *G.Node, err error) {
	sub := s
	if name != "" {
		sub = s.Sub(name)
	}
	defer func() {
		if r := recover(); r != nil {
			err = &LayerError{Path: sub.prefix, Input: shapeOf(x), Err: fmt.Errorf("%v", r)}
		}
	}()
	if l == nil {
		return nil, &LayerError{Path: sub.prefix, Input: shapeOf(x), Err: errors.New("nil layer")}
	}
	out, err = l.Forward(sub, x)
	if err != nil {
		var le *LayerError
		if errors.As(err, &le) {
			return nil, err
		}
		return nil, &LayerError{Path: sub.prefix, Input: shapeOf(x), Err: err}
	}
	if out == nil {
		return nil, &LayerError{Path: sub.prefix, Input: shapeOf(x), Err: errors.New("layer returned no output")}
	}
	return out, nil
}

func shapeOf(n *G.Node) string {
	if n == nil {
		return "<nil>"
	}
	return fmt.Sprint(n.Shape())
}
