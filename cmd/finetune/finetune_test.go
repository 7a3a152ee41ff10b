package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var fast = []string{"-model", "lenet5", "-weights", "none", "-epochs", "3", "-batch", "8", "-lr", "3e-3", "-workers", "2", "-quiet"}

func TestTrainPredictEval(t *testing.T) {
	root := t.TempDir()
	classes := []string{"cat", "dog", "ß x", "über fish"} // unicode and spaces, sorted
	trainDir := makeFolder(t, filepath.Join(root, "train"), classes, 12, 1)
	valDir := makeFolder(t, filepath.Join(root, "val"), classes, 6, 2)
	out := filepath.Join(root, "out")
	code, stdout, stderr := invoke(t, context.Background(), append([]string{"-data", trainDir, "-val", valDir, "-out", out}, fast...)...)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "validation accuracy:")
	for _, f := range []string{modelJSON, runJSON, bestWeights, lastWeights, historyCSV, curvesPNG, confusionPNG, reportTXT} {
		assert.FileExists(t, filepath.Join(out, f))
	}
	assert.NoFileExists(t, filepath.Join(out, checkpointFile))
	mf, err := readModel(out)
	require.NoError(t, err)
	assert.Equal(t, classes, mf.Classes)
	assert.Equal(t, 3, mf.Metrics.Epochs)
	assert.Greater(t, mf.Metrics.ValAccuracy, 0.9, "the squares are easy to tell apart")
	hist, _ := os.ReadFile(filepath.Join(out, historyCSV))
	assert.Equal(t, 4, strings.Count(string(hist), "\n"))
	report, _ := os.ReadFile(filepath.Join(out, reportTXT))
	assert.Contains(t, string(report), "über fish")

	// predict: a folder and a file, text and JSON.
	code, stdout, stderr = invoke(t, context.Background(), "predict", "-model-dir", out, "-top", "2", filepath.Join(valDir, "dog"), filepath.Join(valDir, "cat", "imgaa.png"))
	require.Equal(t, 0, code, stdout+stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 7)
	for _, l := range lines[:6] {
		assert.Contains(t, l, ": dog ")
	}
	assert.Contains(t, lines[6], "imgaa.png: cat ")
	code, stdout, _ = invoke(t, context.Background(), "predict", "-model-dir", out, "-json", filepath.Join(valDir, "ß x"))
	require.Equal(t, 0, code)
	var preds []prediction
	require.NoError(t, json.Unmarshal([]byte(stdout), &preds))
	require.Len(t, preds, 6)
	assert.Equal(t, "ß x", preds[0].Predictions[0].Class)
	assert.Len(t, preds[0].Predictions, 4)

	// eval on the validation folder reproduces model.json's accuracy.
	code, stdout, stderr = invoke(t, context.Background(), "eval", "-model-dir", out, "-data", valDir)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "samples: 24")
	assert.Contains(t, stdout, "accuracy: ")

	// A second run into the same folder is refused; -force replaces it.
	code, _, stderr = invoke(t, context.Background(), append([]string{"-data", trainDir, "-val", valDir, "-out", out}, fast...)...)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "already holds another run")
}

// cancelOnCheckpoint cancels the run as soon as a mid-epoch checkpoint
// exists, like a Ctrl-C.
func cancelOnCheckpoint(ctx context.Context, cancel context.CancelFunc, path string) {
	go func() {
		for ctx.Err() == nil {
			if _, err := os.Stat(path); err == nil {
				cancel()
				return
			}
		}
	}()
}

func TestInterruptAndResumeEndsAsAnUninterruptedRun(t *testing.T) {
	root := t.TempDir()
	classes := []string{"a", "b", "c"}
	trainDir := makeFolder(t, filepath.Join(root, "train"), classes, 16, 1)
	args := func(out string) []string {
		return append([]string{"-data", trainDir, "-val-split", "0.25", "-out", out, "-epochs", "4"}, fast...)
	}
	ref := filepath.Join(root, "ref")
	code, _, stderr := invoke(t, context.Background(), args(ref)...)
	require.Equal(t, 0, code, stderr)

	out := filepath.Join(root, "run")
	ctx, cancel := context.WithCancel(context.Background())
	cancelOnCheckpoint(ctx, cancel, filepath.Join(out, checkpointFile))
	code, _, stderr = invoke(t, ctx, args(out)...)
	cancel()
	require.Equal(t, 130, code, stderr)
	assert.Contains(t, stderr, "-resume")
	assert.FileExists(t, filepath.Join(out, checkpointFile))
	assert.NoFileExists(t, filepath.Join(out, modelJSON))

	// Resuming with other settings is refused; with the same, it finishes.
	code, _, stderr = invoke(t, context.Background(), append(args(out)[:len(args(out))-len(fast)], append([]string{"-resume"}, replace(fast, "3e-3", "1e-3")...)...)...)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "other settings (lr: 0.003 then, 0.001 now)")
	code, _, stderr = invoke(t, context.Background(), append(args(out), "-resume")...)
	require.Equal(t, 0, code, stderr)
	for _, f := range []string{bestWeights, lastWeights} {
		a, _ := os.ReadFile(filepath.Join(ref, f))
		b, _ := os.ReadFile(filepath.Join(out, f))
		assert.Equal(t, a, b, "%s differs from the uninterrupted run's", f)
	}
	a, _ := os.ReadFile(filepath.Join(ref, historyCSV))
	b, _ := os.ReadFile(filepath.Join(out, historyCSV))
	assert.Equal(t, columns(string(a), 5), columns(string(b), 5), "history (without times)")
}

func replace(list []string, old, new string) []string {
	out := append([]string(nil), list...)
	for i := range out {
		if out[i] == old {
			out[i] = new
		}
	}
	return out
}

// columns keeps the first n CSV columns of each line.
func columns(csv string, n int) []string {
	var out []string
	for _, l := range strings.Split(csv, "\n") {
		f := strings.Split(l, ",")
		out = append(out, strings.Join(f[:min(n, len(f))], ","))
	}
	return out
}
