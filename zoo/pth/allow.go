package pth

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nlpodyssey/gopickle/types"
)

// RefusedError reports a pickle global outside the allow-list. Such a file
// is not a plain state dict (it may pickle a whole model, other Python
// objects, or code meant to run on load); nothing in it has been executed.
type RefusedError struct {
	// Global is the module-qualified name, e.g. "os.system".
	Global string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to load: the file references %s; only PyTorch state dicts are supported "+
		"(dicts of tensors, as written by torch.save(model.state_dict(), path)); no code in the file was run. "+
		"If the file is yours, load it in PyTorch and re-save model.state_dict()", e.Global)
}

// gopickleModules are the modules whose globals gopickle resolves itself
// (__builtin__.object, copy_reg._reconstructor) without asking FindClass;
// the scan refuses them by name before gopickle runs.
var gopickleModules = []string{"__builtin__", "copy_reg"}

// allowed maps each allowed global to a constructor of the Go value the
// pickle virtual machine pushes for it. These are what torch.save writes
// for a state dict; torch.load(weights_only=True) allows a superset.
var allowed = map[string]func(l *loader) interface{}{
	"collections.OrderedDict":         func(*loader) interface{} { return &types.OrderedDictClass{} },
	"torch._utils._rebuild_tensor_v2": func(l *loader) interface{} { return rebuildTensor{l, "_rebuild_tensor_v2", 4, 7} },
	"torch._utils._rebuild_tensor":    func(l *loader) interface{} { return rebuildTensor{l, "_rebuild_tensor", 4, 4} },
	"torch._utils._rebuild_parameter": func(*loader) interface{} { return rebuildParameter{"_rebuild_parameter", 3} },
	"torch._utils._rebuild_parameter_with_state": func(*loader) interface{} {
		return rebuildParameter{"_rebuild_parameter_with_state", 4}
	},
	"torch.Size": func(*loader) interface{} { return torchSize{} },
}

func init() {
	for name, typ := range storageTypes {
		typ := typ
		allowed["torch."+name] = func(*loader) interface{} { return typ }
	}
}

// checkGlobal refuses a global outside the allow-list.
func checkGlobal(module, name string) error {
	if _, ok := allowed[module+"."+name]; ok {
		return nil
	}
	if module == "torch" && strings.HasSuffix(name, "Storage") {
		supported := make([]string, 0, len(storageTypes))
		for n := range storageTypes {
			supported = append(supported, n)
		}
		sort.Strings(supported)
		return fmt.Errorf("tensors of type torch.%s are not supported (supported: %s)", name, strings.Join(supported, ", "))
	}
	return &RefusedError{Global: module + "." + name}
}

// findClass resolves a global for gopickle: allowed globals become Go
// values, anything else is refused. The scan has already refused globals
// named inline (GLOBAL, INST); this also covers STACK_GLOBAL.
func (l *loader) findClass(module, name string) (interface{}, error) {
	if err := checkGlobal(module, name); err != nil {
		return nil, err
	}
	return allowed[module+"."+name](l), nil
}

// rebuildTensor is torch._utils._rebuild_tensor_v2(storage, storage_offset,
// size, stride, requires_grad, backward_hooks[, metadata]) and its
// predecessor _rebuild_tensor(storage, storage_offset, size, stride).
type rebuildTensor struct {
	l                *loader
	name             string
	minArgs, maxArgs int
}

var _ types.Callable = rebuildTensor{}

func (r rebuildTensor) Call(args ...interface{}) (interface{}, error) {
	if len(args) < r.minArgs || len(args) > r.maxArgs {
		return nil, fmt.Errorf("%s called with %d arguments, expected %d to %d", r.name, len(args), r.minArgs, r.maxArgs)
	}
	st, ok := args[0].(*storage)
	if !ok {
		return nil, fmt.Errorf("%s: first argument is a %T, not a storage", r.name, args[0])
	}
	offset, ok := asInt64(args[1])
	if !ok {
		return nil, fmt.Errorf("%s: storage offset is a %T, not an integer", r.name, args[1])
	}
	shape, err := asInt64s(args[2], "size")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.name, err)
	}
	stride, err := asInt64s(args[3], "stride")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.name, err)
	}
	t, err := newTensorRef(st, offset, shape, stride, r.l.lim)
	if err != nil {
		return t, fmt.Errorf("%s: %w", r.name, err)
	}
	return t, nil
}

// rebuildParameter is torch._utils._rebuild_parameter(data, requires_grad,
// backward_hooks) and _rebuild_parameter_with_state(..., state): an
// nn.Parameter is its tensor.
type rebuildParameter struct {
	name string
	args int
}

var _ types.Callable = rebuildParameter{}

func (r rebuildParameter) Call(args ...interface{}) (interface{}, error) {
	if len(args) != r.args {
		return nil, fmt.Errorf("%s called with %d arguments, expected %d", r.name, len(args), r.args)
	}
	t, ok := args[0].(*tensorRef)
	if !ok {
		return nil, fmt.Errorf("%s: data is a %T, not a tensor", r.name, args[0])
	}
	return t, nil
}

// torchSize is torch.Size(sequence): a tuple.
type torchSize struct{}

var _ types.Callable = torchSize{}

func (torchSize) Call(args ...interface{}) (interface{}, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("torch.Size called with %d arguments, expected 1", len(args))
	}
	switch v := args[0].(type) {
	case *types.Tuple:
		return v, nil
	case *types.List:
		t := types.Tuple(append([]interface{}(nil), *v...))
		return &t, nil
	}
	return nil, fmt.Errorf("torch.Size of a %T, expected a tuple or list", args[0])
}
