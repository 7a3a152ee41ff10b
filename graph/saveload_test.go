package graph

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/internal/safetensors"
)

func newTwo(t *testing.T, dt tensor.Dtype, seed uint64) *Store {
	t.Helper()
	st, err := NewStore(dt, seed)
	require.NoError(t, err)
	_, err = Compile(st, two{}, Spec{Input: tensor.Shape{1, 3}})
	require.NoError(t, err)
	return st
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.safetensors")
	a := newTwo(t, tensor.Float32, 1)
	require.NoError(t, a.Save(path, map[string]string{"arch": "two"}))
	f, err := safetensors.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "two", f.Metadata["arch"])
	assert.Equal(t, "fc1.weight", f.Tensors[0].Name)
	assert.Equal(t, []int{4, 3}, f.Tensors[0].Shape)

	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		b := newTwo(t, dt, 2)
		require.NoError(t, b.Load(path, LoadOptions{}))
		for _, v := range a.Vars() {
			w, ok := b.Lookup(v.Name)
			require.True(t, ok)
			assert.InDeltaSlice(t, Float64s(v.Value), Float64s(w.Value), 0, v.Name)
		}
	}
}

func TestLoadReportsEveryMismatchAndChangesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.safetensors")
	other := []safetensors.Tensor{
		safetensors.FromFloat32("fc1.weight", []int{4, 3}, make([]float32, 12)),
		safetensors.FromFloat32("fc2.weight", []int{3, 4}, make([]float32, 12)), // wrong shape
		safetensors.FromFloat32("fc3.bias", []int{2}, make([]float32, 2)),       // unexpected
	} // fc1.bias, fc2.bias missing
	require.NoError(t, safetensors.WriteFile(path, other, nil))
	st := newTwo(t, tensor.Float32, 1)
	before := st.Snapshot()
	err := st.Load(path, LoadOptions{})
	require.Error(t, err)
	for _, want := range []string{"missing: fc1.bias, fc2.bias", "unexpected: fc3.bias", "fc2.weight: file [3 4], model (2, 4)", path} {
		assert.Contains(t, err.Error(), want)
	}
	for _, v := range st.Vars() {
		assert.Equal(t, before.values[v.Name].Data(), v.Value.Data(), "%s changed by a failed load", v.Name)
	}
	// Non-strict: loads fc1.weight only.
	require.NoError(t, st.Load(path, LoadOptions{AllowMissing: true, AllowUnexpected: true, SkipMismatched: true}))
	v, _ := st.Lookup("fc1.weight")
	assert.Equal(t, make([]float32, 12), v.Value.Data())
}

func TestLoadConvertsHalfPrecision(t *testing.T) {
	// 1.0, -2.0, 0.5, 65504 (max half), smallest subnormal 2^-24, in F16;
	// and the same as BF16 where representable.
	f16 := []byte{0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0xff, 0x7b, 0x01, 0x00}
	bf16 := []byte{0x80, 0x3f, 0x00, 0xc0, 0x00, 0x3f, 0x80, 0x47, 0x80, 0x33}
	for _, tc := range []struct {
		dt   safetensors.DType
		data []byte
		want []float64
	}{
		{safetensors.F16, f16, []float64{1, -2, 0.5, 65504, 5.960464477539063e-08}},
		{safetensors.BF16, bf16, []float64{1, -2, 0.5, 65536, 5.960464477539063e-08}},
	} {
		st, _ := NewStore(tensor.Float64, 1)
		_, err := st.Get("w", Parameter, tensor.Shape{5}, nil)
		require.NoError(t, err)
		require.NoError(t, st.LoadTensors([]safetensors.Tensor{{Name: "w", DType: tc.dt, Shape: []int{5}, Data: tc.data}}, LoadOptions{}))
		v, _ := st.Lookup("w")
		assert.Equal(t, tc.want, v.Value.Data(), string(tc.dt))
	}
}

func TestReadRejectsCorruptFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.safetensors")
	require.NoError(t, safetensors.WriteFile(good, []safetensors.Tensor{safetensors.FromFloat32("a", []int{2, 2}, []float32{1, 2, 3, 4})}, nil))
	raw, err := os.ReadFile(good)
	require.NoError(t, err)
	cases := map[string][]byte{
		"empty":          {},
		"truncated data": raw[:len(raw)-3],
		"huge header":    append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0}, raw[8:]...),
		"not json":       append(append([]byte{}, raw[:8]...), []byte("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")...),
	}
	for name, data := range cases {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, 0o644))
		_, err := safetensors.ReadFile(p)
		assert.Error(t, err, name)
	}
	// A shape that claims more than the data holds.
	bad := []byte(`{"a":{"dtype":"F32","shape":[1000000000,1000000000],"data_offsets":[0,16]}}`)
	var hdr [8]byte
	hdr[0] = byte(len(bad))
	p := filepath.Join(dir, "bigshape")
	require.NoError(t, os.WriteFile(p, append(append(hdr[:], bad...), make([]byte, 16)...), 0o644))
	_, err = safetensors.ReadFile(p)
	assert.ErrorContains(t, err, "larger than the file")
}

func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	st := newTwo(t, tensor.Float32, 1)
	require.NoError(t, st.Save(path, nil))
	before, _ := os.ReadFile(path)
	require.Error(t, st.Save(filepath.Join(dir, "missing-dir", "w.safetensors"), nil))
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1)
	after, _ := os.ReadFile(path)
	assert.Equal(t, before, after)
}

func TestScalarBuffersSaveAndLoad(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		st, _ := NewStore(dt, 1)
		v, err := st.Get("bn.num_batches_tracked", Buffer, tensor.Shape{}, Constant(7))
		require.NoError(t, err)
		assert.Equal(t, []float64{7}, Float64s(v.Value))
		path := filepath.Join(t.TempDir(), "s.safetensors")
		require.NoError(t, st.Save(path, nil))
		f, err := safetensors.ReadFile(path)
		require.NoError(t, err)
		require.Len(t, f.Tensors, 1, "the scalar must be saved")
		assert.Equal(t, []int{}, f.Tensors[0].Shape)

		other, _ := NewStore(dt, 2)
		_, err = other.Get("bn.num_batches_tracked", Buffer, tensor.Shape{}, nil)
		require.NoError(t, err)
		require.NoError(t, other.Load(path, LoadOptions{}))
		w, _ := other.Lookup("bn.num_batches_tracked")
		assert.Equal(t, []float64{7}, Float64s(w.Value), dt.String())
	}
}

// Integer buffers are saved as I64, as PyTorch keeps num_batches_tracked,
// and a checkpoint restored into an empty store keeps them integer.
func TestIntegerBuffersSaveAsI64(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		st, _ := NewStore(dt, 1)
		count, err := st.Get("bn.num_batches_tracked", Buffer, tensor.Shape{}, Constant(1000003))
		require.NoError(t, err)
		count.Integer = true
		_, err = st.Get("bn.running_mean", Buffer, tensor.Shape{2}, Constant(0.5))
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "s.safetensors")
		require.NoError(t, st.Save(path, nil))
		f, err := safetensors.ReadFile(path)
		require.NoError(t, err)
		require.Len(t, f.Tensors, 2)
		assert.Equal(t, safetensors.I64, f.Tensors[0].DType)
		assert.Equal(t, []byte{0x43, 0x42, 0x0f, 0, 0, 0, 0, 0}, f.Tensors[0].Data, "1000003 little-endian")
		assert.NotEqual(t, safetensors.I64, f.Tensors[1].DType)

		restored, _ := NewStore(dt, 2)
		require.NoError(t, restored.Load(path, LoadOptions{Create: true}))
		w, ok := restored.Lookup("bn.num_batches_tracked")
		require.True(t, ok)
		assert.True(t, w.Integer, "restored as an integer buffer")
		assert.Equal(t, []float64{1000003}, Float64s(w.Value), dt.String())
		m, _ := restored.Lookup("bn.running_mean")
		assert.False(t, m.Integer)
	}
}
