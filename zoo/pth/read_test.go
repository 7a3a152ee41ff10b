package pth

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/internal/safetensors"
)

// TestFixtures checks every tensor of every PyTorch-written fixture
// against PyTorch's own values: names in state-dict order, dtypes, shapes
// and every value exactly.
func TestFixtures(t *testing.T) {
	expected := loadExpected(t)
	names := make([]string, 0, len(expected))
	for name := range expected {
		names = append(names, name)
	}
	sort.Strings(names)
	require.Len(t, names, 7)
	for _, file := range names {
		t.Run(file, func(t *testing.T) {
			got, err := ReadFile(filepath.Join("testdata", file))
			require.NoError(t, err)
			want := expected[file]
			require.Len(t, got, len(want))
			for i, w := range want {
				g := got[i]
				assert.Equal(t, w.Name, g.Name)
				assert.Equal(t, safetensors.DType(w.DType), g.DType, w.Name)
				assert.Equal(t, w.Shape, g.Shape, w.Name)
				values, err := g.Float64s()
				require.NoError(t, err, w.Name)
				if len(w.Values) == 0 {
					assert.Empty(t, values, w.Name)
					continue
				}
				assert.Equal(t, w.Values, values, w.Name)
			}
		})
	}
}

// TestReadMatchesReadFile reads through the io.ReaderAt API.
func TestReadMatchesReadFile(t *testing.T) {
	for _, file := range []string{"tiny_zip.pth", "tiny_legacy.pth", "dtypes_zip.pth", "dtypes_legacy.pth"} {
		path := filepath.Join("testdata", file)
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		fromFile, err := ReadFile(path)
		require.NoError(t, err)
		fromBytes, err := readBytes(b, Limits{})
		require.NoError(t, err)
		assert.Equal(t, fromFile, fromBytes, file)
	}
}

// tinyStore builds the store of testdata/gen's Tiny model as layers would:
// parameters and buffers under PyTorch's names.
func tinyStore(t *testing.T, dtype tensor.Dtype, skip string) *graph.Store {
	s, err := graph.NewStore(dtype, 1)
	require.NoError(t, err)
	entries := []struct {
		name  string
		kind  graph.Kind
		shape tensor.Shape
	}{
		{"conv.weight", graph.Parameter, tensor.Shape{3, 2, 3, 3}},
		{"conv.bias", graph.Parameter, tensor.Shape{3}},
		{"bn.weight", graph.Parameter, tensor.Shape{3}},
		{"bn.bias", graph.Parameter, tensor.Shape{3}},
		{"bn.running_mean", graph.Buffer, tensor.Shape{3}},
		{"bn.running_var", graph.Buffer, tensor.Shape{3}},
		{"bn.num_batches_tracked", graph.Buffer, tensor.Shape{}},
		{"fc.weight", graph.Parameter, tensor.Shape{4, 12}},
		{"fc.bias", graph.Parameter, tensor.Shape{4}},
	}
	for _, e := range entries {
		if e.name == skip {
			continue
		}
		_, err := s.Get(e.name, e.kind, e.shape, graph.Zeros)
		require.NoError(t, err, e.name)
	}
	return s
}

func TestLoadIntoStore(t *testing.T) {
	expected := loadExpected(t)
	for _, dtype := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, file := range []string{"tiny_zip.pth", "tiny_legacy.pth", "wrapped.pth", "data_parallel.pth"} {
			t.Run(dtype.String()+"/"+file, func(t *testing.T) {
				tensors, err := ReadFile(filepath.Join("testdata", file))
				require.NoError(t, err)
				s := tinyStore(t, dtype, "")
				require.NoError(t, s.LoadTensors(tensors, graph.LoadOptions{}))
				for _, w := range expected[file] {
					v, ok := s.Lookup(w.Name)
					require.True(t, ok, w.Name)
					if len(w.Shape) == 0 {
						// graph's setFloat64s skips 0-dim tensors (their Data
						// is a float, not a slice), so num_batches_tracked
						// keeps its value; TestFixtures checks the value read.
						continue
					}
					var got []float64
					switch d := v.Value.Data().(type) {
					case []float32:
						for _, x := range d {
							got = append(got, float64(x))
						}
					case []float64:
						got = d
					}
					// Every fixture value is a float32 or a small integer, so
					// both dtypes hold it exactly.
					assert.Equal(t, w.Values, got, w.Name)
				}
			})
		}
	}
}

func TestLoadIntoStoreStrict(t *testing.T) {
	tensors, err := ReadFile(filepath.Join("testdata", "tiny_zip.pth"))
	require.NoError(t, err)
	s := tinyStore(t, tensor.Float32, "fc.bias")
	err = s.LoadTensors(tensors, graph.LoadOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unexpected: fc.bias")
	require.NoError(t, s.LoadTensors(tensors, graph.LoadOptions{AllowUnexpected: true}))
}

// TestTruncated cuts every fixture at every length: each cut must fail
// with an error, never a panic (read does not recover) and never a
// partial result.
func TestTruncated(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.pth"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		for n := 0; n < len(b); n++ {
			out, err := read(bytes.NewReader(b[:n]), int64(n), Limits{})
			if !assert.Error(t, err, "%s cut at %d bytes", path, n) {
				break
			}
			assert.Nil(t, out)
		}
	}
}

// TestCorrupted overwrites each byte of the fixtures in turn: the reader
// may succeed or fail, but must not panic (read does not recover).
func TestCorrupted(t *testing.T) {
	for _, file := range []string{"tiny_legacy.pth", "dtypes_legacy.pth", "tiny_zip.pth", "dtypes_zip.pth"} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		require.NoError(t, err)
		c := make([]byte, len(b))
		for i := range b {
			for _, v := range []byte{0x00, 0xff, b[i] ^ 0x01, b[i] ^ 0x80} {
				copy(c, b)
				c[i] = v
				_, _ = read(bytes.NewReader(c), int64(len(c)), Limits{})
			}
		}
	}
}

func TestNotACheckpoint(t *testing.T) {
	var st bytes.Buffer
	require.NoError(t, safetensors.Write(&st, []safetensors.Tensor{safetensors.FromFloat32("w", []int{1}, []float32{1})}, nil))
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a PyTorch checkpoint"},
		{"text", []byte("hello, world"), "not a PyTorch checkpoint"},
		{"safetensors", st.Bytes(), "safetensors file"},
		{"plain pickle", append(newPickler().op('}', '.').Bytes(), 0), "magic number"},
		{"zip without data.pkl", zipWithout(t), "data.pkl"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := readBytes(c.data, Limits{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func zipWithout(t *testing.T) []byte {
	b := zipCheckpoint(t, nil, nil)
	return bytes.Replace(b, []byte("archive/data.pkl"), []byte("archive/other.pk"), -1)
}

func TestMissingFile(t *testing.T) {
	_, err := ReadFile(filepath.Join("testdata", "no-such-file.pth"))
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
}
