package pth

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/nlpodyssey/gopickle/types"
)

// wrapperKeys are the keys under which training checkpoints keep the state
// dict: PyTorch's "saving a general checkpoint" tutorial uses
// "model_state_dict", timm and torchvision's reference scripts "state_dict"
// and "model".
var wrapperKeys = []string{"state_dict", "model_state_dict", "model"}

// maxUnwrap bounds how many wrapper dicts are opened ({"model": {"state_dict": ...}}).
const maxUnwrap = 2

// dataParallelPrefix is what nn.DataParallel and DistributedDataParallel
// put in front of every name.
const dataParallelPrefix = "module."

type entry struct {
	name string
	t    *tensorRef
}

type item struct {
	key, value interface{}
}

// dictItems returns the items of a dict or OrderedDict in order.
func dictItems(v interface{}) ([]item, bool) {
	switch d := v.(type) {
	case *types.Dict:
		out := make([]item, len(*d))
		for i, e := range *d {
			out[i] = item{e.Key, e.Value}
		}
		return out, true
	case *types.OrderedDict:
		out := make([]item, 0, d.Len())
		for e := d.List.Front(); e != nil; e = e.Next() {
			oe := e.Value.(*types.OrderedDictEntry)
			out = append(out, item{oe.Key, oe.Value})
		}
		return out, true
	}
	return nil, false
}

// stateDict finds the state dict in the unpickled object, unwrapping
// training checkpoints, and returns its tensors in order with the
// DataParallel prefix removed.
func stateDict(obj interface{}) ([]entry, error) {
	for depth := 0; ; depth++ {
		items, ok := dictItems(obj)
		if !ok {
			return nil, fmt.Errorf("the file holds a %s, not a state dict (a dict of tensors)", pyType(obj))
		}
		if depth < maxUnwrap && !allTensors(items) {
			if inner, ok := wrapperValue(items); ok {
				obj = inner
				continue
			}
		}
		return tensors(items)
	}
}

func allTensors(items []item) bool {
	for _, it := range items {
		if _, ok := it.value.(*tensorRef); !ok {
			return false
		}
	}
	return true
}

// wrapperValue returns the dict under the first wrapper key present.
func wrapperValue(items []item) (interface{}, bool) {
	for _, k := range wrapperKeys {
		for _, it := range items {
			if s, ok := it.key.(string); ok && s == k {
				if _, isDict := dictItems(it.value); isDict {
					return it.value, true
				}
			}
		}
	}
	return nil, false
}

// tensors converts the items of a state dict.
func tensors(items []item) ([]entry, error) {
	out := make([]entry, 0, len(items))
	strip := len(items) > 0
	for _, it := range items {
		name, ok := it.key.(string)
		if !ok {
			return nil, fmt.Errorf("a state dict key is a %s, not a string", pyType(it.key))
		}
		t, ok := it.value.(*tensorRef)
		if !ok {
			return nil, fmt.Errorf("entry %q is a %s, not a tensor: not a state dict (a checkpoint that wraps one should keep it under %q)", name, pyType(it.value), wrapperKeys)
		}
		strip = strip && strings.HasPrefix(name, dataParallelPrefix)
		out = append(out, entry{name, t})
	}
	// Strip the prefix only when every name has it: a model may well have
	// a submodule called "module" of its own.
	if strip {
		for i := range out {
			out[i].name = strings.TrimPrefix(out[i].name, dataParallelPrefix)
		}
	}
	seen := make(map[string]bool, len(out))
	for _, e := range out {
		if seen[e.name] {
			return nil, fmt.Errorf("tensor %q appears twice (corrupt file?)", e.name)
		}
		seen[e.name] = true
	}
	return out, nil
}

// pyType names an unpickled value's Python type for error messages.
func pyType(v interface{}) string {
	switch v.(type) {
	case nil:
		return "None"
	case *types.Dict, *types.OrderedDict:
		return "dict"
	case *types.List:
		return "list"
	case *types.Tuple:
		return "tuple"
	case string:
		return "str"
	case int, *big.Int:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case []byte:
		return "bytes"
	case *tensorRef:
		return "tensor"
	case *storage:
		return "storage"
	}
	return "Python object"
}
