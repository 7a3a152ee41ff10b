package zoo

import (
	"encoding/json"
	"os"
	"path"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// stateKey is one entry of testdata/keys.json: a torchvision state_dict
// name and its shape, in state_dict order.
type stateKey struct {
	Name  string
	Shape []int
}

func (k *stateKey) UnmarshalJSON(b []byte) error {
	var raw [2]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if err := json.Unmarshal(raw[0], &k.Name); err != nil {
		return err
	}
	return json.Unmarshal(raw[1], &k.Shape)
}

func torchvisionKeys(t *testing.T) map[string][]stateKey {
	t.Helper()
	raw, err := os.ReadFile("testdata/keys.json")
	require.NoError(t, err, "regenerate with: /usr/bin/python3 zoo/testdata/gen/gen_zoo.py keys")
	var keys map[string][]stateKey
	require.NoError(t, json.Unmarshal(raw, &keys))
	return keys
}

// imagenetModels are the registered torchvision architectures.
var imagenetModels = []string{"resnet18", "resnet34", "resnet50", "mobilenet_v2"}

var (
	modelsMu sync.Mutex
	models   = map[string]*Model{}
)

// defaultModel returns New(name) with default options, built once per test
// binary: initializing 25 million weights is the slow part of these tests.
func defaultModel(t *testing.T, name string) *Model {
	t.Helper()
	modelsMu.Lock()
	defer modelsMu.Unlock()
	if m, ok := models[name]; ok {
		return m
	}
	m, err := New(name)
	require.NoError(t, err)
	models[name] = m
	return m
}

// TestTorchvisionStateDict checks that each registered model has exactly
// torchvision 0.14's state_dict: the same names, in the same order, with
// the same shapes, running statistics and num_batches_tracked as buffers
// and everything else as parameters.
func TestTorchvisionStateDict(t *testing.T) {
	keys := torchvisionKeys(t)
	for _, name := range imagenetModels {
		t.Run(name, func(t *testing.T) {
			want, ok := keys[name]
			require.True(t, ok, "keys.json lacks %s", name)
			vars := defaultModel(t, name).Store.Vars()
			require.Len(t, vars, len(want), "number of tensors")
			for i, k := range want {
				v := vars[i]
				require.Equal(t, k.Name, v.Name, "tensor %d", i)
				assert.Equal(t, tensor.Shape(k.Shape), v.Value.Shape(), k.Name)
				isBuffer := path.Ext(k.Name) == ".running_mean" || path.Ext(k.Name) == ".running_var" ||
					path.Ext(k.Name) == ".num_batches_tracked"
				assert.Equal(t, isBuffer, v.Kind == graph.Buffer, "%s is a %v", k.Name, v.Kind)
			}
		})
	}
}

// TestImagenetInfo checks the registered metadata: ImageNet input and
// preprocessing, a head that exists, and layer groups that cover every
// tensor exactly once, with the head alone in the last group.
func TestImagenetInfo(t *testing.T) {
	for _, name := range imagenetModels {
		t.Run(name, func(t *testing.T) {
			m := defaultModel(t, name)
			info := m.Info
			assert.Equal(t, name, info.Name)
			assert.Equal(t, [4]int{3, 224, 224, 1000}, [4]int{info.Channels, info.Height, info.Width, info.Classes})
			assert.Equal(t, imagenetPreprocess(), info.Preprocess)
			require.Len(t, info.Head, 2)
			w, ok := m.Store.Lookup(info.Head[0])
			require.True(t, ok, "head %s", info.Head[0])
			assert.Equal(t, 1000, w.Value.Shape()[0], "classes of the head")
			_, ok = m.Store.Lookup(info.Head[1])
			require.True(t, ok, "head %s", info.Head[1])

			require.Len(t, info.Groups, 3)
			for _, v := range m.Store.Vars() {
				var in []string
				for _, g := range info.Groups {
					for _, p := range g.Patterns {
						ok, err := path.Match(p, v.Name)
						require.NoError(t, err)
						if ok {
							in = append(in, g.Name)
							break
						}
					}
				}
				require.Len(t, in, 1, "%s is in groups %v", v.Name, in)
			}
			for _, h := range info.Head {
				for _, p := range info.Groups[2].Patterns {
					ok, _ := path.Match(p, h)
					assert.True(t, ok, "head %s outside the last group", h)
				}
			}
		})
	}
}

// TestClasses checks that WithClasses sizes the head of each architecture
// and leaves the rest of the state dict alone.
func TestClasses(t *testing.T) {
	cases := []struct {
		layer graph.Layer
		head  string
	}{
		{ResNet18(7), "fc"},
		{ResNet50(7), "fc"},
		{MobileNetV2{Classes: 7}, "classifier.1"},
	}
	for _, c := range cases {
		st, err := graph.NewStore(tensor.Float32, 1)
		require.NoError(t, err)
		p, err := graph.Compile(st, c.layer, graph.Spec{Input: tensor.Shape{1, 3, 32, 32}})
		require.NoError(t, err)
		assert.Equal(t, tensor.Shape{1, 7}, p.OutputShape())
		w, ok := st.Lookup(c.head + ".weight")
		require.True(t, ok)
		assert.Equal(t, 7, w.Value.Shape()[0])
		b, ok := st.Lookup(c.head + ".bias")
		require.True(t, ok)
		assert.Equal(t, tensor.Shape{7}, b.Value.Shape())
		p.Close()
	}
	m, err := New("resnet34", WithClasses(3))
	require.NoError(t, err)
	assert.Equal(t, 3, m.Info.Classes)
}
