package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every augmentation runs in the training pipeline, on gray and RGB models;
// with augmentation on, the frozen-feature cache is not used.
func TestAugmentations(t *testing.T) {
	root := t.TempDir()
	dir := makeFolder(t, filepath.Join(root, "data"), []string{"a", "b"}, 8, 1)
	for _, model := range []string{"lenet5", "resnet18"} {
		out := filepath.Join(root, "out-"+model)
		args := []string{"-data", dir, "-out", out, "-model", model, "-weights", "none", "-epochs", "1", "-batch", "4",
			"-augment", "crop,flip,vflip,rotate,jitter,erase", "-workers", "2"}
		if model == "resnet18" {
			args = append(args, "-size", "32")
		}
		code, stdout, stderr := invoke(t, context.Background(), args...)
		require.Equal(t, 0, code, stderr)
		assert.NotContains(t, stdout, "cached features")
		mf, err := readModel(out)
		require.NoError(t, err)
		assert.Equal(t, "crop,flip,vflip,rotate,jitter,erase", mf.Settings.Augment)
	}
	code, _, stderr := invoke(t, context.Background(), "-data", dir, "-augment", "crop,warp")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, `-augment: unknown "warp"`)
}
