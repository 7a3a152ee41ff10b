package onnx

import (
	"encoding/binary"
	"math"
	"slices"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	pb "github.com/tanren-ml/tanren/layers/onnx/internal/onnxpb"
)

// rawFloat32s returns a float32 or float64 Store tensor's values as the
// little-endian float32 bytes of an initializer's raw_data. A float64
// Store exports float32 weights, as the graph computes in float32.
func rawFloat32s(t *tensor.Dense) []byte {
	switch d := t.Data().(type) {
	case []float32:
		return appendFloat32s(nil, d)
	case []float64:
		return appendFloat32s(nil, d)
	}
	return appendFloat32s(nil, graph.Float64s(t)) // a scalar
}

func appendFloat32s[T graph.Float](dst []byte, v []T) []byte {
	dst = slices.Grow(dst, 4*len(v))
	for _, x := range v {
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(float32(x)))
	}
	return dst
}

// valueInfo describes a float32 tensor of the given shape, Batch as the
// symbolic dimension "batch".
func valueInfo(name string, shape []int) *pb.ValueInfoProto {
	dims := make([]*pb.TensorShapeProto_Dimension, len(shape))
	for i, d := range shape {
		if d == Batch {
			dims[i] = &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimParam{DimParam: batchParam}}
		} else {
			dims[i] = &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}}
		}
	}
	return &pb.ValueInfoProto{Name: name, Type: &pb.TypeProto{Value: &pb.TypeProto_TensorType{TensorType: &pb.TypeProto_Tensor{
		ElemType: int32(pb.TensorProto_FLOAT),
		Shape:    &pb.TensorShapeProto{Dim: dims},
	}}}}
}
