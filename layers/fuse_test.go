package layers

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// A batch norm followed by a ReLU in a Sequential runs as one op with
// frozen statistics; outputs, gradients and tensor names must be those of
// the two layers apart (here kept apart by nesting the ReLU).
func TestSequentialFusesBatchNormReLU(t *testing.T) {
	fused := Sequential{Conv2d{In: 2, Out: 3, Kernel: Pair{3, 3}}, Named{Name: "bn", Layer: BatchNorm2d{Features: 3}}, Named{Name: "relu", Layer: ReLU{}}}
	apart := Sequential{Conv2d{In: 2, Out: 3, Kernel: Pair{3, 3}}, Named{Name: "bn", Layer: BatchNorm2d{Features: 3}}, Sequential{ReLU{}}}
	x, y := randomDense(tensor.Float64, 4, 2, 2, 6, 6), randomDense(tensor.Float64, 5, 2, 3, 4, 4)
	for _, mode := range []graph.Mode{graph.Eval, graph.Train} {
		t.Run(mode.String(), func(t *testing.T) {
			run := func(model graph.Layer) (graph.Result, map[string]*tensor.Dense, []string) {
				st, err := graph.NewStore(tensor.Float64, 3)
				require.NoError(t, err)
				if mode == graph.Eval { // frozen statistics: the fused op, and gradients still flow
					_, err := graph.Compile(st, model, graph.Spec{Input: x.Shape()}) // creates the tensors
					require.NoError(t, err)
					for _, v := range st.Vars() {
						v.Frozen = v.Kind == graph.Buffer
					}
				}
				p, err := graph.Compile(st, model, graph.Spec{Mode: graph.Train, Input: x.Shape(), Loss: MSE()})
				require.NoError(t, err)
				defer p.Close()
				r, err := p.Run(x, y)
				require.NoError(t, err)
				grads, err := p.Grads()
				require.NoError(t, err)
				var names []string
				for _, v := range st.Vars() {
					names = append(names, v.Name)
				}
				return r, grads, names
			}
			rf, gf, nf := run(fused)
			ra, ga, na := run(apart)
			assert.Equal(t, na, nf, "tensor names")
			assert.Equal(t, ra.Loss, rf.Loss)
			assert.Equal(t, ra.Output.Data(), rf.Output.Data())
			assert.Equal(t, ga, gf)
		})
	}
}
