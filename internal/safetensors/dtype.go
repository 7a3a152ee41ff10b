package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
)

// DType names an element type as spelled in a safetensors header.
type DType string

// The element types tanren converts to and from floating point.
const (
	F64  DType = "F64"
	F32  DType = "F32"
	F16  DType = "F16"
	BF16 DType = "BF16"
	I64  DType = "I64"
	I32  DType = "I32"
	U8   DType = "U8"
)

// Size returns the number of bytes of one element, or 0 for an unknown type.
func (d DType) Size() int {
	switch d {
	case F64, I64:
		return 8
	case F32, I32:
		return 4
	case F16, BF16:
		return 2
	case U8:
		return 1
	}
	return 0
}

// decode converts little-endian raw data of type d into float64 values.
func decode(d DType, raw []byte, dst []float64) error {
	size := d.Size()
	if size == 0 {
		return fmt.Errorf("unsupported dtype %q (supported: F64, F32, F16, BF16, I64, I32, U8)", d)
	}
	if len(raw) != size*len(dst) {
		return fmt.Errorf("%d bytes for %d elements of %s", len(raw), len(dst), d)
	}
	for i := range dst {
		b := raw[i*size : (i+1)*size]
		switch d {
		case F64:
			dst[i] = math.Float64frombits(binary.LittleEndian.Uint64(b))
		case F32:
			dst[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
		case F16:
			dst[i] = float64(halfToFloat32(binary.LittleEndian.Uint16(b)))
		case BF16:
			dst[i] = float64(math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16))
		case I64:
			dst[i] = float64(int64(binary.LittleEndian.Uint64(b)))
		case I32:
			dst[i] = float64(int32(binary.LittleEndian.Uint32(b)))
		case U8:
			dst[i] = float64(b[0])
		}
	}
	return nil
}

// halfToFloat32 converts an IEEE 754 binary16 value to float32 exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: value = frac · 2^-24
		v := float32(frac) * float32(math.Ldexp(1, -24))
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}
