package onnx

import (
	"strconv"
	"strings"
)

// Batch marks the dynamic batch dimension in a shape.
const Batch = -1

// Value is a tensor of the ONNX graph under construction: the graph's
// input, an initializer or a node's output. The zero Value is "no value",
// which as a node input means an omitted optional input.
type Value struct {
	name  string
	shape []int // nil when unknown; Batch for the dynamic batch dimension
}

// Name returns the value's name in the ONNX graph.
func (v Value) Name() string { return v.name }

// Shape returns a copy of the value's shape, batch first for activations
// (Batch stands for the dynamic batch dimension), or nil when no exporter
// stated it.
func (v Value) Shape() []int {
	if v.shape == nil {
		return nil
	}
	return append([]int{}, v.shape...)
}

// Known reports whether the value's shape is known.
func (v Value) Known() bool { return v.shape != nil }

// Rank returns the number of dimensions, or -1 when the shape is unknown.
func (v Value) Rank() int {
	if v.shape == nil {
		return -1
	}
	return len(v.shape)
}

// shapeString formats a shape as tanren prints shapes, "(batch, 3, 32, 32)",
// or "unknown".
func shapeString(s []int) string {
	if s == nil {
		return "unknown"
	}
	parts := make([]string, len(s))
	for i, d := range s {
		if d == Batch {
			parts[i] = batchParam
		} else {
			parts[i] = strconv.Itoa(d)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
