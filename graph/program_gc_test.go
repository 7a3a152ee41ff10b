package graph

import (
	"runtime"
	"testing"
	"weak"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"
)

// A Program that is no longer referenced must be collected with its graph
// and its machine's memory. A Read op pointing into the Program once closed
// a cycle through the TapeMachine (which has a finalizer), and such cycles
// are never collected: every compiled Program leaked.
func TestProgramsAreGarbageCollected(t *testing.T) {
	for _, mode := range []Mode{Eval, Train} {
		st, err := NewStore(tensor.Float64, 1)
		require.NoError(t, err)
		p, err := Compile(st, two{}, Spec{Mode: mode, Input: tensor.Shape{4, 3}, Loss: mse})
		require.NoError(t, err)
		_, err = p.Run(dense(tensor.Shape{4, 3}, make([]float64, 12)...), dense(tensor.Shape{4, 2}, make([]float64, 8)...))
		require.NoError(t, err)
		require.NoError(t, p.Close())
		w := weak.Make(p)
		p = nil
		for i := 0; i < 4 && w.Value() != nil; i++ {
			runtime.GC()
		}
		assert.Nil(t, w.Value(), "%v program not collected", mode)
	}
}
