package onnx

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/tanren-ml/tanren/graph"
	pb "github.com/tanren-ml/tanren/layers/onnx/internal/onnxpb"
)

// Exporter is implemented by a layer that writes itself as ONNX nodes.
// ExportONNX gets a Builder at the layer's own path, as Forward gets the
// layer's graph.Scope, and the layer's input; it returns the layer's
// output. A layer made of other layers exports them with Builder.Call; a
// layer that computes adds nodes with Builder.Node and reads its tensors
// with Builder.Tensor. It is called for evaluation mode only.
type Exporter interface {
	ExportONNX(b *Builder, x Value) (Value, error)
}

// graphState is what every Builder of one export shares: the ONNX graph
// under construction.
type graphState struct {
	store   *graph.Store
	nodes   []*pb.NodeProto
	inits   []*pb.TensorProto
	infos   []*pb.ValueInfoProto
	names   map[string]bool  // every value and node name used so far
	tensors map[string]Value // Store tensors added as initializers
	scalars map[float32]Value
}

// Builder adds a layer's nodes to the ONNX graph under construction. Like
// graph.Scope, it carries the layer's path ("layer1.0.conv1"), under which
// the layer's tensors are found in the Store and its nodes are named.
type Builder struct {
	g    *graphState
	path string
}

// Path is the builder's layer path ("" at the root).
func (b *Builder) Path() string { return b.path }

// Name returns the full name of a tensor or sub-layer called local, as
// graph.Scope.Name does: "layer1.0.conv1" and "weight" give
// "layer1.0.conv1.weight".
func (b *Builder) Name(local string) string { return graph.JoinName(b.path, local) }

// Sub returns a builder for the sub-layer called name.
func (b *Builder) Sub(name string) *Builder { return &Builder{g: b.g, path: b.Name(name)} }

// Call exports layer l under the sub-path name ("" for the builder's own
// path, as graph.Call), with the layer's own exporter if it implements
// Exporter, or the built-in one for a layer of package layers. An error
// (and a panic) becomes a *graph.LayerError naming the layer's path and
// input shape; a layer without an exporter is one.
func (b *Builder) Call(name string, l graph.Layer, x Value) (out Value, err error) {
	sub := b
	if name != "" {
		sub = b.Sub(name)
	}
	fail := func(err error) (Value, error) {
		var le *graph.LayerError
		if errors.As(err, &le) {
			return Value{}, err
		}
		return Value{}, &graph.LayerError{Path: sub.path, Input: shapeString(x.shape), Err: err}
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = fail(fmt.Errorf("ONNX exporter of %T panicked: %v", l, r))
		}
	}()
	if l == nil {
		return fail(errors.New("nil layer"))
	}
	export, ok := exporterOf(l)
	if !ok {
		return fail(fmt.Errorf("%T has no ONNX exporter: implement onnx.Exporter (ExportONNX) for it, or, for a type of package layers, add a built-in exporter to package layers/onnx", l))
	}
	if out, err = export(sub, x); err != nil {
		return fail(err)
	}
	if out.name == "" {
		return fail(fmt.Errorf("the ONNX exporter of %T returned no value", l))
	}
	return out, nil
}

// Tensor returns the Store's tensor called local (under the builder's
// path), a parameter or a buffer, as an initializer of that name. With a
// shape, the stored tensor must have it: an exporter passes the shape its
// layer's configuration implies, so weights of another configuration are
// an error rather than a broken graph.
func (b *Builder) Tensor(local string, shape ...int) (Value, error) {
	name := b.Name(local)
	v, ok := b.g.tensors[name]
	if !ok {
		sv, found := b.g.store.Lookup(name)
		if !found {
			return Value{}, fmt.Errorf("the store has no tensor %q: load the model's weights, or compile the model once (which creates them), before exporting", name)
		}
		dims := []int(sv.Value.Shape())
		if sv.Value.Shape().IsScalar() {
			dims = []int{}
		}
		v = b.g.initializer(name, dims, rawFloat32s(sv.Value))
		b.g.tensors[name] = v
	}
	if len(shape) > 0 && !slices.Equal(v.shape, shape) {
		return Value{}, fmt.Errorf("tensor %q has shape %s in the store; the layer's configuration needs %s (weights for another configuration?)", name, shapeString(v.shape), shapeString(shape))
	}
	return v, nil
}

// Constant adds a float32 initializer named after local (made unique) with
// the given shape and row-major data.
func (b *Builder) Constant(local string, shape []int, data []float32) (Value, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return Value{}, fmt.Errorf("constant %q: invalid shape %s", b.Name(local), shapeString(shape))
		}
		n *= d
	}
	if n != len(data) {
		return Value{}, fmt.Errorf("constant %q: %d values for shape %s", b.Name(local), len(data), shapeString(shape))
	}
	return b.g.initializer(b.g.unique(b.Name(local)), slices.Clone(shape), appendFloat32s(nil, data)), nil
}

// Int64s adds a one-dimensional int64 initializer named after local (made
// unique), such as the shape input of Reshape or the axes of Unsqueeze.
func (b *Builder) Int64s(local string, data ...int64) Value {
	name := b.g.unique(b.Name(local))
	b.g.inits = append(b.g.inits, &pb.TensorProto{
		Name: name, Dims: []int64{int64(len(data))}, DataType: int32(pb.TensorProto_INT64), Int64Data: slices.Clone(data),
	})
	return Value{name: name, shape: []int{len(data)}}
}

// Scalar returns a float32 scalar initializer holding v, shared by every
// layer of the model that asks for the same value.
func (b *Builder) Scalar(v float32) Value {
	if s, ok := b.g.scalars[v]; ok {
		return s
	}
	name := b.g.unique("scalar." + strconv.FormatFloat(float64(v), 'g', -1, 32))
	s := b.g.initializer(name, []int{}, appendFloat32s(nil, []float32{v}))
	b.g.scalars[v] = s
	return s
}

// Node adds an ONNX operator of the default domain (opset 17) with the
// given inputs and attributes and returns its output, whose shape is out
// (batch first, Batch for the dynamic batch dimension; nil when the
// exporter does not know it). The node and its output are named after the
// builder's path and the operator, "layer1.0.conv1/Conv". A zero Value
// among the inputs is an omitted optional input.
func (b *Builder) Node(op string, inputs []Value, out []int, attrs ...Attr) Value {
	base := op
	if b.path != "" {
		base = b.path + "/" + op
	}
	name := b.g.unique(base)
	n := &pb.NodeProto{OpType: op, Name: name, Output: []string{name}}
	for _, in := range inputs {
		n.Input = append(n.Input, in.name)
	}
	for _, a := range attrs {
		n.Attribute = append(n.Attribute, a.proto())
	}
	b.g.nodes = append(b.g.nodes, n)
	if out != nil {
		out = slices.Clone(out)
		b.g.infos = append(b.g.infos, valueInfo(name, out))
	}
	return Value{name: name, shape: out}
}

// unique returns base, or base with the first free suffix "_1", "_2", …
// so that no two values or nodes of the graph share a name.
func (g *graphState) unique(base string) string {
	name := base
	for i := 1; g.names[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	g.names[name] = true
	return name
}

// initializer adds a float32 initializer; name must be unique already, or
// a Store name (which no generated name takes: see unique).
func (g *graphState) initializer(name string, dims []int, raw []byte) Value {
	g.names[name] = true
	t := &pb.TensorProto{Name: name, DataType: int32(pb.TensorProto_FLOAT), RawData: raw}
	for _, d := range dims {
		t.Dims = append(t.Dims, int64(d))
	}
	g.inits = append(g.inits, t)
	return Value{name: name, shape: dims}
}
