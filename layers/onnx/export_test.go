package onnx_test

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers/onnx"
	pb "github.com/tanren-ml/tanren/layers/onnx/internal/onnxpb"
)

// TestExportStructure decodes what Marshal wrote for every zoo
// architecture and a model of every layer, and checks the model against
// the Store: opset and IR version, the input and output with a dynamic
// batch, one initializer per tensor used under its state_dict name with
// the Store's shape and values, nodes in topological order with unique
// names, a value_info for every intermediate value, and the operators.
func TestExportStructure(t *testing.T) {
	for _, m := range append(zooModels(), everyLayer()) {
		t.Run(m.name, func(t *testing.T) {
			st := newStore(t, m, 1)
			_, mp := export(t, st, m)
			assert.EqualValues(t, onnx.IRVersion, mp.IrVersion)
			require.Len(t, mp.OpsetImport, 1)
			assert.Equal(t, "", mp.OpsetImport[0].Domain)
			assert.EqualValues(t, 17, mp.OpsetImport[0].Version)
			assert.Equal(t, "tanren", mp.ProducerName)
			g := mp.Graph

			require.Len(t, g.Input, 1)
			assert.Equal(t, "input", g.Input[0].Name)
			assert.Equal(t, append([]string{"batch"}, dimStrings(m.input)...), dims(t, g.Input[0]))
			out := tanrenLogits(t, st, m.layer, randomInput(m, 1, 1))
			require.Len(t, g.Output, 1)
			assert.Equal(t, "logits", g.Output[0].Name)
			assert.Equal(t, append([]string{"batch"}, dimStrings(out.Shape()[1:])...), dims(t, g.Output[0]))

			checkInitializers(t, st, g)
			checkTopology(t, g)
			counts := map[string]int{}
			for _, n := range g.Node {
				counts[n.OpType]++
			}
			assert.Equal(t, m.ops, counts, "operators")
		})
	}
}

// checkInitializers: every initializer but the shared scalars is a Store
// tensor, under its name, with its shape and its values as float32; every
// Store tensor but num_batches_tracked (unused in evaluation) is one.
func checkInitializers(t *testing.T, st *graph.Store, g *pb.GraphProto) {
	t.Helper()
	seen := map[string]bool{}
	for _, in := range g.Initializer {
		require.False(t, seen[in.Name], "initializer %q twice", in.Name)
		seen[in.Name] = true
		v, ok := st.Lookup(in.Name)
		if !ok {
			assert.True(t, strings.HasPrefix(in.Name, "scalar."), "initializer %q is not in the store", in.Name)
			assert.Empty(t, in.Dims, in.Name)
			continue
		}
		assert.EqualValues(t, pb.TensorProto_FLOAT, in.DataType, in.Name)
		want := []int64{}
		for _, d := range v.Value.Shape() {
			want = append(want, int64(d))
		}
		assert.Equal(t, want, append([]int64{}, in.Dims...), in.Name)
		vals := graph.Float64s(v.Value)
		require.Len(t, in.RawData, 4*len(vals), in.Name)
		for i, x := range vals {
			if got := math.Float32frombits(binary.LittleEndian.Uint32(in.RawData[4*i:])); got != float32(x) {
				t.Fatalf("%s[%d] = %v, store has %v", in.Name, i, got, x)
			}
		}
	}
	for _, v := range st.Vars() {
		if !strings.HasSuffix(v.Name, ".num_batches_tracked") {
			assert.True(t, seen[v.Name], "store tensor %q is not an initializer", v.Name)
		}
	}
}

// checkTopology: each node reads only the input, initializers and the
// outputs of nodes before it; node and value names are unique; every node
// output but logits has a value_info with a full shape.
func checkTopology(t *testing.T, g *pb.GraphProto) {
	t.Helper()
	defined := map[string]bool{"input": true}
	for _, in := range g.Initializer {
		defined[in.Name] = true
	}
	infos := map[string]*pb.ValueInfoProto{}
	for _, vi := range g.ValueInfo {
		infos[vi.Name] = vi
	}
	nodeNames := map[string]bool{}
	for _, n := range g.Node {
		assert.False(t, nodeNames[n.Name], "node name %q twice", n.Name)
		nodeNames[n.Name] = true
		for _, in := range n.Input {
			assert.True(t, in == "" || defined[in], "node %s reads %q before it is defined", n.Name, in)
		}
		for _, o := range n.Output {
			assert.False(t, defined[o], "value %q defined twice", o)
			defined[o] = true
			if o == "logits" {
				continue
			}
			vi, ok := infos[o]
			if assert.True(t, ok, "no value_info for %q", o) {
				assert.NotContains(t, dims(t, vi), "?", o)
			}
		}
	}
	assert.True(t, defined["logits"], "no node computes logits")
}

// dims returns a value_info's dimensions as strings: the value, or the
// symbolic name.
func dims(t *testing.T, vi *pb.ValueInfoProto) []string {
	t.Helper()
	tt := vi.GetType().GetTensorType()
	require.NotNil(t, tt, vi.Name)
	assert.EqualValues(t, pb.TensorProto_FLOAT, tt.ElemType, vi.Name)
	var out []string
	for _, d := range tt.GetShape().GetDim() {
		switch v := d.Value.(type) {
		case *pb.TensorShapeProto_Dimension_DimParam:
			out = append(out, v.DimParam)
		case *pb.TensorShapeProto_Dimension_DimValue:
			out = append(out, strconv.Itoa(int(v.DimValue)))
		default:
			out = append(out, "?")
		}
	}
	return out
}

func dimStrings(s []int) []string {
	out := make([]string, len(s))
	for i, d := range s {
		out[i] = strconv.Itoa(d)
	}
	return out
}
