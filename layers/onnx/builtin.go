package onnx

import (
	"reflect"

	"github.com/tanren-ml/tanren/graph"
)

// exportFunc exports one layer; see Exporter.
type exportFunc func(b *Builder, l graph.Layer, x Value) (Value, error)

// builtins are the exporters of package layers' types, which cannot
// implement Exporter themselves (this package imports layers). Each file
// registers its layers in its init, so that adding a layer adds a file and
// edits no shared list.
var builtins = map[reflect.Type]exportFunc{}

// builtin registers f as the exporter of layer type L.
func builtin[L graph.Layer](f func(b *Builder, l L, x Value) (Value, error)) {
	builtins[reflect.TypeFor[L]()] = func(b *Builder, l graph.Layer, x Value) (Value, error) {
		return f(b, l.(L), x)
	}
}

// exporterOf returns l's exporter: its own ExportONNX, or the built-in one
// for its type (or, for a pointer, for the type it points to).
func exporterOf(l graph.Layer) (func(b *Builder, x Value) (Value, error), bool) {
	if e, ok := l.(Exporter); ok {
		return e.ExportONNX, true
	}
	if f, ok := builtins[reflect.TypeOf(l)]; ok {
		return func(b *Builder, x Value) (Value, error) { return f(b, l, x) }, true
	}
	if v := reflect.ValueOf(l); v.Kind() == reflect.Pointer && !v.IsNil() {
		if f, ok := builtins[v.Elem().Type()]; ok {
			if elem, ok := v.Elem().Interface().(graph.Layer); ok {
				return func(b *Builder, x Value) (Value, error) { return f(b, elem, x) }, true
			}
		}
	}
	return nil, false
}

// identity is the exporter of layers that do nothing in evaluation.
func identity[L graph.Layer](_ *Builder, _ L, x Value) (Value, error) { return x, nil }
