package onnx

import (
	pb "github.com/tanren-ml/tanren/layers/onnx/internal/onnxpb"
)

// Attr is an attribute of an ONNX node, made by AttrInt, AttrInts,
// AttrFloat, AttrFloats or AttrString.
type Attr struct {
	p *pb.AttributeProto
}

func (a Attr) proto() *pb.AttributeProto { return a.p }

// AttrInt is an integer attribute, such as Softmax's axis.
func AttrInt(name string, v int) Attr {
	return Attr{&pb.AttributeProto{Name: name, Type: pb.AttributeProto_INT, I: int64(v)}}
}

// AttrInts is a list of integers, such as Conv's kernel_shape.
func AttrInts(name string, v ...int) Attr {
	return Attr{&pb.AttributeProto{Name: name, Type: pb.AttributeProto_INTS, Ints: convert[int64](v)}}
}

// AttrFloat is a float attribute, such as BatchNormalization's epsilon.
func AttrFloat(name string, v float64) Attr {
	return Attr{&pb.AttributeProto{Name: name, Type: pb.AttributeProto_FLOAT, F: float32(v)}}
}

// AttrFloats is a list of floats.
func AttrFloats(name string, v ...float64) Attr {
	return Attr{&pb.AttributeProto{Name: name, Type: pb.AttributeProto_FLOATS, Floats: convert[float32](v)}}
}

// AttrString is a string attribute, such as Resize's mode.
func AttrString(name, v string) Attr {
	return Attr{&pb.AttributeProto{Name: name, Type: pb.AttributeProto_STRING, S: []byte(v)}}
}

// convert returns v with each element converted to To, the element types
// ONNX's protobuf stores.
func convert[To, From int | int64 | float32 | float64](v []From) []To {
	out := make([]To, len(v))
	for i, x := range v {
		out[i] = To(x)
	}
	return out
}
