package pth

import (
	"fmt"
	"math"

	"github.com/tanren-ml/tanren/internal/safetensors"
)

// tensorRef is a tensor as the pickle describes it: a strided view of a
// storage, not yet read.
type tensorRef struct {
	storage *storage
	offset  int64 // in elements
	shape   []int64
	stride  []int64 // in elements
	numel   int64
}

// newTensorRef checks a view against its storage before anything is read:
// non-negative offset, sizes and strides, a size within the limits, and
// every element it addresses inside the storage.
func newTensorRef(st *storage, offset int64, shape, stride []int64, lim Limits) (*tensorRef, error) {
	if len(shape) != len(stride) {
		return nil, fmt.Errorf("size %v and stride %v have different lengths", shape, stride)
	}
	if offset < 0 {
		return nil, fmt.Errorf("negative storage offset %d", offset)
	}
	maxElems := lim.maxBytes() / int64(st.typ.size)
	numel := int64(1)
	last := offset // index of the last element addressed
	for i, d := range shape {
		if d < 0 || stride[i] < 0 {
			return nil, fmt.Errorf("negative size or stride: size %v, stride %v", shape, stride)
		}
		var ok bool
		if numel, ok = mulLimit(numel, d, maxElems); !ok {
			return nil, fmt.Errorf("size %v exceeds the limit of %d bytes (Limits.MaxBytes)", shape, lim.maxBytes())
		}
		if d > 0 {
			step, ok := mulLimit(d-1, stride[i], math.MaxInt64)
			if ok {
				last, ok = addLimit(last, step, math.MaxInt64)
			}
			if !ok {
				return nil, fmt.Errorf("size %v and stride %v overflow", shape, stride)
			}
		}
	}
	if numel > 0 && last >= st.numel {
		return nil, fmt.Errorf("view (offset %d, size %v, stride %v) reaches element %d of storage %q, which has %d elements (corrupt file?)", offset, shape, stride, last, st.key, st.numel)
	}
	return &tensorRef{storage: st, offset: offset, shape: shape, stride: stride, numel: numel}, nil
}

// nbytes is the size of the materialized tensor in the file's dtype.
func (t *tensorRef) nbytes() int64 { return t.numel * int64(t.storage.typ.size) }

// contiguous reports whether the view is a row-major block of its storage.
func (t *tensorRef) contiguous() bool {
	want := int64(1)
	for i := len(t.shape) - 1; i >= 0; i-- {
		if t.shape[i] != 1 && t.stride[i] != want {
			return false
		}
		want *= t.shape[i]
	}
	return true
}

// materialize returns the tensor in row-major order from its storage's
// bytes. A contiguous view shares memory with the storage (and with the
// other tensors viewing it, such as tied weights); any other view is
// copied element by element.
func (t *tensorRef) materialize(name string, src []byte) safetensors.Tensor {
	size := int64(t.storage.typ.size)
	shape := make([]int, len(t.shape))
	for i, d := range t.shape {
		shape[i] = int(d)
	}
	var data []byte
	switch {
	case t.numel == 0:
		data = []byte{}
	case t.contiguous():
		lo, hi := t.offset*size, (t.offset+t.numel)*size
		data = src[lo:hi:hi]
	default:
		data = gather(src, size, t.offset, t.shape, t.stride, t.numel)
	}
	return safetensors.Tensor{Name: name, DType: t.storage.typ.out, Shape: shape, Data: widen(t.storage.typ, data)}
}

// gather copies a strided view into row-major order, a run of the innermost
// dimension at a time when that dimension is contiguous.
func gather(src []byte, size, offset int64, shape, stride []int64, numel int64) []byte {
	out := make([]byte, 0, numel*size)
	rank := len(shape)
	inner, innerStride := shape[rank-1], stride[rank-1]
	idx := make([]int64, rank-1)
	for {
		base := offset
		for i, j := range idx {
			base += j * stride[i]
		}
		if innerStride == 1 {
			out = append(out, src[base*size:(base+inner)*size]...)
		} else {
			for j := int64(0); j < inner; j++ {
				e := (base + j*innerStride) * size
				out = append(out, src[e:e+size]...)
			}
		}
		// Advance the outer index like an odometer.
		i := rank - 2
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < shape[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return out
		}
	}
}

// widen converts the element types safetensors has no name for.
func widen(typ *storageType, data []byte) []byte {
	switch typ.name {
	case "BoolStorage":
		out := make([]byte, len(data))
		for i, b := range data {
			if b != 0 {
				out[i] = 1
			}
		}
		return out
	case "CharStorage":
		out := make([]byte, 4*len(data))
		for i, b := range data {
			putInt32(out[4*i:], int32(int8(b)))
		}
		return out
	case "ShortStorage":
		out := make([]byte, 2*len(data))
		for i := 0; i < len(data)/2; i++ {
			putInt32(out[4*i:], int32(int16(uint16(data[2*i])|uint16(data[2*i+1])<<8)))
		}
		return out
	}
	return data
}

func putInt32(b []byte, v int32) {
	u := uint32(v)
	b[0], b[1], b[2], b[3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
}
