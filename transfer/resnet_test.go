package transfer

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/zoo"
)

// TestResNet18Freeze fine-tunes torchvision's ResNet-18 (random weights,
// 32×32 inputs to stay fast) with a new 3-class head: the frozen body,
// its 20 batch norms' statistics included, stays bit-for-bit unchanged;
// with TrainBN only the batch norms' γ and β move below the head.
func TestResNet18Freeze(t *testing.T) {
	if testing.Short() {
		t.Skip("ResNet-18 training steps take a few seconds")
	}
	for _, trainBN := range []bool{false, true} {
		m, err := zoo.New("resnet18", zoo.WithSeed(1))
		require.NoError(t, err)
		require.NoError(t, ReplaceHead(m, 3, 2))
		fc, ok := m.Store.Lookup("fc.weight")
		require.True(t, ok)
		require.Equal(t, []int{3, 512}, []int(fc.Value.Shape()))
		require.NoError(t, FreezeTo(m.Store, m.Info.Groups, -1, Options{TrainBN: trainBN}))
		// Non-trivial statistics, so that "unchanged" means something.
		for _, v := range m.Store.Vars() {
			if strings.HasSuffix(v.Name, "running_var") {
				d := v.Value.Data().([]float32)
				for i := range d {
					d[i] = 0.5 + float32(i%7)/7
				}
			}
		}
		before := snapshot(m.Store)
		fit(t, m, &data.Loader{Dataset: squares(8, 3, 3, 32, 1), BatchSize: 4, Workers: 1}, 1)
		after := snapshot(m.Store)
		moved := 0
		for _, v := range m.Store.Vars() {
			n := v.Name
			switch {
			case strings.HasPrefix(n, "fc."), trainBN && IsBatchNormAffine(m.Store, v):
				assert.NotEqual(t, before[n], after[n], "trainBN=%v: %s did not move", trainBN, n)
				moved++
			default:
				assert.Equal(t, before[n], after[n], "trainBN=%v: %s changed", trainBN, n)
			}
		}
		if trainBN {
			assert.Equal(t, 2+2*20, moved)
		} else {
			assert.Equal(t, 2, moved)
		}
	}
}
