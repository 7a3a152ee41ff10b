package graph

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/internal/safetensors"
)

// Save writes every tensor of the store to a .safetensors file, in insertion
// order, with their PyTorch names, so that
// `model.load_state_dict(safetensors.torch.load_file(path))` works in
// PyTorch. The write is atomic. metadata is stored in the header.
func (s *Store) Save(path string, metadata map[string]string) error {
	meta := make(map[string]string, len(metadata)+1)
	for k, v := range metadata {
		meta[k] = v
	}
	var buffers []string
	for _, v := range s.vars {
		if v.Kind == Buffer {
			buffers = append(buffers, v.Name)
		}
	}
	if len(buffers) > 0 {
		raw, _ := json.Marshal(buffers)
		meta[buffersKey] = string(raw)
	}
	if err := safetensors.WriteFile(path, s.Tensors(), meta); err != nil {
		return fmt.Errorf("save store: %w", err)
	}
	return nil
}

// buffersKey is the metadata entry listing which tensors are buffers, so a
// load with LoadOptions.Create restores their kind.
const buffersKey = "tanren.buffers"

// Tensors returns the store's entries as safetensors tensors of the store's
// dtype (F32 or F64), or I64 for Integer buffers, sharing no memory with
// the store.
func (s *Store) Tensors() []safetensors.Tensor {
	out := make([]safetensors.Tensor, 0, len(s.vars))
	for _, v := range s.vars {
		shape := []int(v.Value.Shape())
		if v.Integer {
			out = append(out, safetensors.FromInt64(v.Name, shape, integers(v.Value)))
			continue
		}
		switch d := v.Value.Data().(type) {
		case []float32:
			out = append(out, safetensors.FromFloat32(v.Name, shape, d))
		case []float64:
			out = append(out, safetensors.FromFloat64(v.Name, shape, d))
		case float32: // a scalar such as num_batches_tracked
			out = append(out, safetensors.FromFloat32(v.Name, shape, []float32{d}))
		case float64:
			out = append(out, safetensors.FromFloat64(v.Name, shape, []float64{d}))
		}
	}
	return out
}

// integers rounds a tensor's values to int64.
func integers(t *tensor.Dense) []int64 {
	var out []int64
	switch d := t.Data().(type) {
	case []float32:
		for _, x := range d {
			out = append(out, int64(math.Round(float64(x))))
		}
	case []float64:
		for _, x := range d {
			out = append(out, int64(math.Round(x)))
		}
	case float32:
		out = []int64{int64(math.Round(float64(d)))}
	case float64:
		out = []int64{int64(math.Round(d))}
	}
	return out
}

// LoadOptions tune Load. The zero value is strict, like PyTorch's
// load_state_dict(strict=True).
type LoadOptions struct {
	// AllowMissing accepts a file that lacks some of the store's tensors;
	// they keep their current values.
	AllowMissing bool
	// AllowUnexpected ignores tensors in the file that the store lacks.
	AllowUnexpected bool
	// SkipMismatched ignores tensors whose shape differs from the store's
	// (for example a classifier head with another number of classes).
	SkipMismatched bool
	// Rename maps a file's names to the store's; nil keeps names.
	Rename func(string) string
	// Create adds the file's tensors that the store lacks (instead of
	// reporting them as unexpected), as parameters or, when the file's
	// metadata lists them as buffers, as buffers. It restores a checkpoint
	// into a Store no graph has been compiled from yet.
	Create bool
}

// Load reads a .safetensors file into the store's existing tensors, in
// place, converting F16, BF16, F32 and F64 to the store's dtype. It checks
// every name and shape first and reports all mismatches in one error;
// nothing is changed unless the whole file fits.
func (s *Store) Load(path string, opts LoadOptions) error {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return err
	}
	if err := s.LoadFile(f, opts); err != nil {
		return fmt.Errorf("load %s: %w", path, err)
	}
	return nil
}

// LoadFile is Load for a file already read.
func (s *Store) LoadFile(f *safetensors.File, opts LoadOptions) error {
	if opts.Create {
		var buffers []string
		if raw, ok := f.Metadata[buffersKey]; ok {
			if err := json.Unmarshal([]byte(raw), &buffers); err != nil {
				return fmt.Errorf("bad %s metadata: %w", buffersKey, err)
			}
		}
		if err := s.create(f.Tensors, buffers, opts.Rename); err != nil {
			return err
		}
	}
	return s.LoadTensors(f.Tensors, opts)
}

// create adds entries for tensors the store lacks.
func (s *Store) create(tensors []safetensors.Tensor, buffers []string, rename func(string) string) error {
	isBuffer := make(map[string]bool, len(buffers))
	for _, b := range buffers {
		isBuffer[b] = true
	}
	for _, t := range tensors {
		name := t.Name
		if rename != nil {
			name = rename(name)
		}
		if _, ok := s.index[name]; ok {
			continue
		}
		kind := Parameter
		if isBuffer[name] {
			kind = Buffer
		}
		v, err := s.Get(name, kind, tensor.Shape(t.Shape), nil)
		if err != nil {
			return err
		}
		v.Integer = kind == Buffer && t.DType == safetensors.I64
	}
	return nil
}

// LoadTensors is Load for tensors already in memory.
func (s *Store) LoadTensors(tensors []safetensors.Tensor, opts LoadOptions) error {
	var missing, unexpected, mismatched []string
	seen := map[string]bool{}
	type pair struct {
		v *Var
		t *safetensors.Tensor
	}
	var plan []pair
	for i := range tensors {
		t := &tensors[i]
		name := t.Name
		if opts.Rename != nil {
			name = opts.Rename(name)
		}
		v, ok := s.index[name]
		if !ok {
			if !opts.AllowUnexpected {
				unexpected = append(unexpected, name)
			}
			continue
		}
		seen[name] = true
		if !v.Value.Shape().Eq(tensor.Shape(t.Shape)) && !(len(t.Shape) == 0 && v.Value.Shape().TotalSize() == 1) {
			if !opts.SkipMismatched {
				mismatched = append(mismatched, fmt.Sprintf("%s: file %v, model %v", name, t.Shape, v.Value.Shape()))
			}
			continue
		}
		plan = append(plan, pair{v, t})
	}
	for _, v := range s.vars {
		if !seen[v.Name] && !opts.AllowMissing {
			missing = append(missing, v.Name)
		}
	}
	if len(missing)+len(unexpected)+len(mismatched) > 0 {
		var parts []string
		if len(missing) > 0 {
			parts = append(parts, "missing: "+list(missing))
		}
		if len(unexpected) > 0 {
			parts = append(parts, "unexpected: "+list(unexpected))
		}
		if len(mismatched) > 0 {
			parts = append(parts, "shape mismatch: "+strings.Join(mismatched, "; "))
		}
		return fmt.Errorf("weights do not fit the model (%s); weights for another architecture or class count? (a non-strict load skips such keys)", strings.Join(parts, "; "))
	}
	values := make([][]float64, len(plan))
	for i, p := range plan {
		vals, err := p.t.Float64s()
		if err != nil {
			return err
		}
		values[i] = vals
	}
	for i, p := range plan {
		setFloat64s(p.v.Value, values[i])
	}
	return nil
}

// list shortens a long list of names for an error message.
func list(names []string) string {
	sort.Strings(names)
	const show = 12
	if len(names) > show {
		return fmt.Sprintf("%s, … (%d in all)", strings.Join(names[:show], ", "), len(names))
	}
	return strings.Join(names, ", ")
}

// ReadMetadata returns the metadata of a .safetensors file.
func ReadMetadata(path string) (map[string]string, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return f.Metadata, nil
}
