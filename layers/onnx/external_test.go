package onnx_test

// The tests in this file check exported models with ONNX's own tools:
// ONNX's checker and shape inference (Debian's python3-onnx) and
// onnxruntime (the npm package onnxruntime-node, run by Node.js). They skip
// when the tools are absent, unless TANREN_REQUIRE_ONNX=1, which CI sets
// after running testdata/install.sh, so that a broken installation fails.

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parityTolerance is the largest difference allowed between a logit of
// tanren and onnxruntime's.
const parityTolerance = 1e-4

// unavailable skips the test, or fails it under TANREN_REQUIRE_ONNX=1.
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...) + " (run layers/onnx/testdata/install.sh)"
	if os.Getenv("TANREN_REQUIRE_ONNX") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// pythonWithONNX returns Debian's python3 if it imports onnx.
func pythonWithONNX(t *testing.T) string {
	t.Helper()
	const py = "/usr/bin/python3" // the interpreter Debian's python3-onnx is for
	if err := exec.Command(py, "-c", "import onnx").Run(); err != nil {
		unavailable(t, "ONNX checker: %s cannot import onnx (apt-get install -y python3-onnx): %v", py, err)
	}
	return py
}

// nodeWithORT returns the node binary if onnxruntime-node is installed in
// testdata/ort.
func nodeWithORT(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		unavailable(t, "onnxruntime: no node on PATH (apt-get install -y nodejs npm)")
	}
	if _, err := os.Stat("testdata/ort/node_modules/onnxruntime-node/package.json"); err != nil {
		unavailable(t, "onnxruntime: onnxruntime-node is not installed in testdata/ort")
	}
	return node
}

// TestONNXChecker validates every exported model with ONNX's checker
// (full check) and strict shape inference, which must infer the shapes the
// exporters stated.
func TestONNXChecker(t *testing.T) {
	py := pythonWithONNX(t)
	dir := t.TempDir()
	models := append(zooModels(), everyLayer())
	args := []string{"testdata/check.py"}
	for _, m := range models {
		data, _ := export(t, newStore(t, m, 2), m)
		path := filepath.Join(dir, m.name+".onnx")
		require.NoError(t, os.WriteFile(path, data, 0o644))
		args = append(args, path)
	}
	out, err := exec.Command(py, args...).Output()
	require.NoError(t, err, "check.py: %s", stderrOf(err))
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Len(t, lines, len(models))
	for i, line := range lines {
		var r struct {
			IRVersion int            `json:"ir_version"`
			Opset     int            `json:"opset"`
			Ops       map[string]int `json:"ops"`
			Checked   int            `json:"checked_values"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		m := models[i]
		assert.Equal(t, 8, r.IRVersion, m.name)
		assert.Equal(t, 17, r.Opset, m.name)
		assert.Equal(t, m.ops, r.Ops, m.name)
		assert.Positive(t, r.Checked, m.name)
		t.Logf("%s: ONNX checker and shape inference agree on %d values", m.name, r.Checked)
	}
}

// TestONNXRuntimeParity runs every exported model in onnxruntime on
// batches of random input, some of another batch size than one, and
// compares the logits with tanren's.
func TestONNXRuntimeParity(t *testing.T) {
	node := nodeWithORT(t)
	for i, m := range append(zooModels(), everyLayer()) {
		t.Run(m.name, func(t *testing.T) {
			seed := uint64(10 + i)
			st := newStore(t, m, seed)
			dir := t.TempDir()
			data, _ := export(t, st, m)
			model := filepath.Join(dir, "model.onnx")
			require.NoError(t, os.WriteFile(model, data, 0o644))
			args := []string{"testdata/ort/run.js", model}
			var want [][]float32
			var shapes [][]int
			for _, n := range m.batches {
				x := randomInput(m, n, seed*100+uint64(n))
				out := tanrenLogits(t, st, m.layer, x)
				want = append(want, out.Data().([]float32))
				shapes = append(shapes, []int(out.Shape()))
				path := filepath.Join(dir, fmt.Sprintf("input%d.f32", n))
				require.NoError(t, os.WriteFile(path, float32Bytes(x.Data().([]float32)), 0o644))
				args = append(args, path, joinInts(x.Shape()))
			}
			raw, err := exec.Command(node, args...).Output()
			require.NoError(t, err, "run.js: %s", stderrOf(err))
			var got []struct {
				Dims []int     `json:"dims"`
				Data []float64 `json:"data"`
			}
			require.NoError(t, json.Unmarshal(raw, &got))
			require.Len(t, got, len(want))
			for j, n := range m.batches {
				assert.Equal(t, shapes[j], got[j].Dims, "batch %d: shape", n)
				require.Len(t, got[j].Data, len(want[j]))
				diff, scale := 0.0, 0.0
				for k, w := range want[j] {
					diff = math.Max(diff, math.Abs(got[j].Data[k]-float64(w)))
					scale = math.Max(scale, math.Abs(float64(w)))
				}
				t.Logf("%s, batch of %d: max |tanren − onnxruntime| = %.3g, max |logit| = %.3g", m.name, n, diff, scale)
				assert.LessOrEqual(t, diff, parityTolerance, "batch %d", n)
			}
		})
	}
}

func float32Bytes(v []float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

func joinInts(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, ",")
}

// stderrOf returns the first lines a failed command wrote to stderr.
func stderrOf(err error) string {
	ee, ok := err.(*exec.ExitError)
	if !ok {
		return ""
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(ee.Stderr)))
	for sc.Scan() && len(lines) < 20 {
		lines = append(lines, sc.Text())
	}
	return strings.Join(lines, "\n")
}
