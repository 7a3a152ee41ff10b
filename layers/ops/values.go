package ops

import (
	"fmt"
	"hash/fnv"
	"io"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/internal/arena"
)

// Float is the set of element types the kernels of this package accept.
type Float interface {
	float32 | float64
}

// floatDtype returns the dtype of n if it is float32 or float64.
func floatDtype(name string, n *G.Node) (dt tensor.Dtype, err error) {
	defer func() {
		// Node.Dtype panics for nodes without a tensor type
		if r := recover(); r != nil {
			dt, err = tensor.Dtype{}, fmt.Errorf("ops: %s has no float dtype: %v", name, r)
		}
	}()
	if n == nil {
		return tensor.Dtype{}, fmt.Errorf("ops: %s is nil", name)
	}
	if n.Graph() == nil {
		return tensor.Dtype{}, fmt.Errorf("ops: %s (%v) belongs to no graph", name, n)
	}
	dt = n.Dtype()
	if dt != tensor.Float64 && dt != tensor.Float32 {
		return tensor.Dtype{}, fmt.Errorf("ops: %s has dtype %v; only float32 and float64 are supported", name, dt)
	}
	return dt, nil
}

// sameGraphDtype checks that b is a float node of the same graph and dtype as a.
func sameGraphDtype(aName string, a *G.Node, bName string, b *G.Node) error {
	if _, err := floatDtype(bName, b); err != nil {
		return err
	}
	if a.Graph() != b.Graph() {
		return fmt.Errorf("ops: %s and %s belong to different graphs", aName, bName)
	}
	if a.Dtype() != b.Dtype() {
		return fmt.Errorf("ops: %s has dtype %v but %s has dtype %v; convert one of them", aName, a.Dtype(), bName, b.Dtype())
	}
	return nil
}

// typeOf is the Hindley-Milner type of a float value of the given rank:
// the bare element type for a scalar, a tensor type otherwise. All types of
// one op share the type variable a, so inputs and outputs have one dtype.
func typeOf(dims int) hm.Type {
	a := hm.TypeVariable('a')
	if dims == 0 {
		return a
	}
	return G.TensorType{Dims: dims, Of: a}
}

// fnType builds the type input dims... → output dims.
func fnType(out int, in ...int) hm.Type {
	ts := make([]hm.Type, 0, len(in)+1)
	for _, d := range in {
		ts = append(ts, typeOf(d))
	}
	ts = append(ts, typeOf(out))
	return hm.NewFnType(ts...)
}

// shapesOf converts the DimSizers given to InferShape, checking their number.
func shapesOf(op fmt.Stringer, want int, in []G.DimSizer) ([]tensor.Shape, error) {
	if len(in) != want {
		return nil, fmt.Errorf("ops: %v takes %d inputs, got %d", op, want, len(in))
	}
	out := make([]tensor.Shape, len(in))
	for i, d := range in {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, fmt.Errorf("ops: %v: input %d has no concrete shape (%T)", op, i, d)
		}
		out[i] = s
	}
	return out, nil
}

// data returns the elements of v in row-major order as a []T. Views and
// transposed tensors are materialized (copied) first, so the kernels can
// always index a contiguous slice. Scalars become a one-element slice.
func data[T Float](v G.Value) ([]T, error) {
	switch t := v.(type) {
	case *tensor.Dense:
		if t.IsMaterializable() || t.RequiresIterator() {
			m, ok := t.Materialize().(*tensor.Dense)
			if !ok {
				return nil, fmt.Errorf("ops: cannot materialize %v view", t.Shape())
			}
			t = m
		}
		if t.IsScalar() {
			s, ok := t.Data().(T)
			if !ok {
				return nil, fmt.Errorf("ops: scalar tensor of dtype %v, want %T", t.Dtype(), s)
			}
			return []T{s}, nil
		}
		s, ok := t.Data().([]T)
		if !ok {
			return nil, fmt.Errorf("ops: tensor of dtype %v, want %T", t.Dtype(), s)
		}
		return s[:t.Shape().TotalSize()], nil
	case *G.F64:
		if s, ok := any([]float64{float64(*t)}).([]T); ok {
			return s, nil
		}
	case *G.F32:
		if s, ok := any([]float32{float32(*t)}).([]T); ok {
			return s, nil
		}
	}
	var zero T
	return nil, fmt.Errorf("ops: value %T (dtype %v) is not a %T tensor", v, v.Dtype(), zero)
}

// inputs extracts the data of every value as []T.
func inputs[T Float](vs []G.Value) ([][]T, error) {
	out := make([][]T, len(vs))
	for i, v := range vs {
		d, err := data[T](v)
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
		out[i] = d
	}
	return out, nil
}

// result wraps the backing slice d into a Value of the given shape: a
// Gorgonia scalar for the empty shape, a dense tensor otherwise.
func result[T Float](shape tensor.Shape, d []T) G.Value {
	if len(shape) == 0 {
		switch s := any(d[0]).(type) {
		case float64:
			return G.NewF64(s)
		case float32:
			return G.NewF32(s)
		}
	}
	return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(d))
}

// kernelFunc computes an op's output (with the given shape) from its
// inputs. The output arrives zeroed unless the op has a method
// writesAll() bool that returns true: its kernel promises to write every
// element, so the arena need not clear a reused buffer first.
type kernelFunc[T Float] func(in [][]T, out []T) error

// run is the body shared by the Do methods of the own ops: it checks the
// arity and dtype, extracts the inputs, runs the kernel for the matching
// element type and recovers from any panic so that it cannot escape from
// TapeMachine.RunAll (where it would kill the process).
func run(op fmt.Stringer, vs []G.Value, arity int, shape tensor.Shape,
	k64 kernelFunc[float64], k32 kernelFunc[float32]) (v G.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("ops: %v panicked: %v", op, r)
		}
	}()
	if len(vs) != arity {
		return nil, fmt.Errorf("ops: %v takes %d inputs, got %d", op, arity, len(vs))
	}
	switch dt := vs[0].Dtype(); dt {
	case tensor.Float64:
		return runT(op, vs, shape, k64)
	case tensor.Float32:
		return runT(op, vs, shape, k32)
	default:
		return nil, fmt.Errorf("ops: %v: dtype %v is not supported", op, dt)
	}
}

func runT[T Float](op fmt.Stringer, vs []G.Value, shape tensor.Shape, k kernelFunc[T]) (G.Value, error) {
	in, err := inputs[T](vs)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	var out []T
	if w, ok := op.(interface{ writesAll() bool }); ok && w.writesAll() {
		out = arena.GetDirty[T](arenaOf(op), shape.TotalSize())
	} else {
		out = arena.Get[T](arenaOf(op), shape.TotalSize())
	}
	if err := k(in, out); err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	return result(shape, out), nil
}

// checkLen reports a length mismatch between a kernel's inputs.
func checkLen(what string, got, want int) error {
	if got != want {
		return fmt.Errorf("%s has %d elements, want %d", what, got, want)
	}
	return nil
}

// hashOf hashes an op by its String, which for every op of this package
// spells out all of its parameters, so that Gorgonia's hash-consing merges
// two nodes only when they compute the same thing.
func hashOf(op fmt.Stringer) uint32 {
	h := fnv.New32a()
	_, _ = io.WriteString(h, op.String())
	return h.Sum32()
}

// pure is embedded by the own ops: they allocate their output and neither
// call out of Go nor overwrite an input. It carries the arena of the op's
// graph (see package internal/arena), from which run takes the output and the
// kernels their scratch buffers; nil means plain allocation.
type pure struct{ arena *arena.Arena }

func (p *pure) setArena(a *arena.Arena) { p.arena = a }
func (p *pure) arenaOf() *arena.Arena   { return p.arena }

// arenaOf returns the arena of one of this package's ops, or nil.
func arenaOf(op any) *arena.Arena {
	if o, ok := op.(interface{ arenaOf() *arena.Arena }); ok {
		return o.arenaOf()
	}
	return nil
}

func (pure) ReturnsPtr() bool     { return false }
func (pure) CallsExtern() bool    { return false }
func (pure) OverwritesInput() int { return -1 }

// apply adds op over children to the graph. On failure it returns a nil
// node and an error saying where; Gorgonia panics become errors too.
func apply(where string, op G.Op, children ...*G.Node) (out *G.Node, err error) {
	defer recoverTo(&out, &err, where)
	if out, err = applyOp(op, children...); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return out, nil
}

// applyOp is G.ApplyOp for this package's ops, forward and gradient alike:
// it first gives op the arena registered for the children's graph.
func applyOp(op G.Op, children ...*G.Node) (*G.Node, error) {
	if o, ok := op.(interface{ setArena(*arena.Arena) }); ok && len(children) > 0 {
		o.setArena(arena.Lookup(children[0].Graph()))
	}
	return G.ApplyOp(op, children...)
}

// recoverTo, deferred by a graph-building function with named results,
// turns a panic inside Gorgonia into an error, so none escapes the package.
func recoverTo(out **G.Node, err *error, where string) {
	if r := recover(); r != nil {
		*out, *err = nil, fmt.Errorf("%s: gorgonia panicked: %v", where, r)
	}
}
