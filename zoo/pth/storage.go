package pth

import (
	"fmt"
	"math/big"

	"github.com/nlpodyssey/gopickle/types"

	"github.com/tanren-ml/tanren/internal/safetensors"
)

// storageType is one of torch's typed storages, named in the pickle by a
// global such as torch.FloatStorage.
type storageType struct {
	name string
	size int // bytes per element in the file
	// out is the safetensors dtype of the tensors read from it. Types
	// safetensors.DType has no name for are widened without changing any
	// value: bool (0 or 1) to U8, int8 and int16 to I32.
	out safetensors.DType
}

var storageTypes = map[string]*storageType{
	"FloatStorage":    {"FloatStorage", 4, safetensors.F32},
	"DoubleStorage":   {"DoubleStorage", 8, safetensors.F64},
	"HalfStorage":     {"HalfStorage", 2, safetensors.F16},
	"BFloat16Storage": {"BFloat16Storage", 2, safetensors.BF16},
	"LongStorage":     {"LongStorage", 8, safetensors.I64},
	"IntStorage":      {"IntStorage", 4, safetensors.I32},
	"ByteStorage":     {"ByteStorage", 1, safetensors.U8},
	"BoolStorage":     {"BoolStorage", 1, safetensors.U8},
	"CharStorage":     {"CharStorage", 1, safetensors.I32},
	"ShortStorage":    {"ShortStorage", 2, safetensors.I32},
}

// storage is one storage a persistent id names. Its bytes are read only
// when a tensor of the selected state dict needs them.
type storage struct {
	key   string
	typ   *storageType
	numel int64
	// root and offset (in elements) describe a legacy-format storage view:
	// a slice of another storage.
	root   *storage
	offset int64
	data   []byte // little-endian, numel·typ.size bytes once loaded
}

// newStorage checks a storage's element count against the limits.
func newStorage(key string, typ *storageType, numel int64, lim Limits) (*storage, error) {
	if numel < 0 || numel > lim.maxBytes()/int64(typ.size) {
		return nil, fmt.Errorf("storage %q: %d elements of %s is negative or exceeds the limit of %d bytes (Limits.MaxBytes)", key, numel, typ.name, lim.maxBytes())
	}
	return &storage{key: key, typ: typ, numel: numel}, nil
}

// nbytes is the storage's size in bytes; newStorage keeps it below MaxBytes.
func (s *storage) nbytes() int64 { return s.numel * int64(s.typ.size) }

// sameAs checks that two persistent ids naming one key agree.
func (s *storage) sameAs(typ *storageType, numel int64) error {
	if s.typ != typ || s.numel != numel {
		return fmt.Errorf("storage %q is named as %d elements of %s and as %d elements of %s (corrupt file?)", s.key, s.numel, s.typ.name, numel, typ.name)
	}
	return nil
}

// swapBytes reverses the bytes of each element, for files that record big-
// endian data.
func swapBytes(data []byte, size int) {
	for i := 0; i+size <= len(data); i += size {
		e := data[i : i+size]
		for a, b := 0, size-1; a < b; a, b = a+1, b-1 {
			e[a], e[b] = e[b], e[a]
		}
	}
}

// asInt64 converts a pickled integer.
func asInt64(v interface{}) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case *big.Int:
		if x.IsInt64() {
			return x.Int64(), true
		}
	}
	return 0, false
}

// asInt64s converts a pickled tuple (or list) of integers, such as a size
// or a stride.
func asInt64s(v interface{}, what string) ([]int64, error) {
	var items []interface{}
	switch x := v.(type) {
	case *types.Tuple:
		items = *x
	case *types.List:
		items = *x
	default:
		return nil, fmt.Errorf("%s is a %T, not a tuple", what, v)
	}
	if len(items) > maxRank {
		return nil, fmt.Errorf("%s has %d dimensions, more than %d", what, len(items), maxRank)
	}
	out := make([]int64, len(items))
	for i, it := range items {
		n, ok := asInt64(it)
		if !ok {
			return nil, fmt.Errorf("%s[%d] is a %T, not an integer", what, i, it)
		}
		out[i] = n
	}
	return out, nil
}

// mulLimit returns a·b if both are non-negative and the product is at most
// max, and false otherwise.
func mulLimit(a, b, max int64) (int64, bool) {
	if a < 0 || b < 0 {
		return 0, false
	}
	if a == 0 || b == 0 {
		return 0, true
	}
	if a > max/b {
		return 0, false
	}
	return a * b, true
}

// addLimit returns a+b if the sum of the non-negative a and b is at most max.
func addLimit(a, b, max int64) (int64, bool) {
	if a < 0 || b < 0 || a > max-b {
		return 0, false
	}
	return a + b, true
}
