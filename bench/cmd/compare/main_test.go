package main

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary serve as the tanren worker, as the command
// binary does: run starts os.Executable() with -worker.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == workerFlag {
		if err := workerMain(os.Args[2:], os.Stdout); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestQuickLeNet runs the quick mode of workload (a) on tanren's side only
// (CI has no Python) and checks the table it prints.
func TestQuickLeNet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a worker process that trains LeNet-5 for a moment")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	var out, progress bytes.Buffer
	require.NoError(t, run([]string{"-quick", "-reps", "1", "-only", "a", "-python", ""}, exe, &out, &progress))
	lines := regexp.MustCompile(`\r?\n`).Split(out.String(), -1)
	require.Len(t, lines, 5, "header, unavailable note, column names, one row, trailing newline:\n%s", out.String())
	assert.Contains(t, lines[0], "medians of 1 repetitions")
	assert.Equal(t, "PyTorch unavailable: disabled by -python ''", lines[1])
	assert.Regexp(t, `^workload\s+tanren\s+PyTorch\s+ratio\s+PyTorch threads$`, lines[2])
	row := regexp.MustCompile(`^\(a\) LeNet-5 training, batch 64 \(images/s\)\s+([0-9.]+)\s+-\s+-\s+-$`).FindStringSubmatch(lines[3])
	require.NotNil(t, row, "row: %q", lines[3])
	v, err := strconv.ParseFloat(row[1], 64)
	require.NoError(t, err)
	assert.Greater(t, v, 0.0, "images/s")
	assert.Regexp(t, `rep 1/1 \(a\) tanren: [0-9.e+]+ \([0-9]+ MiB\)`, progress.String())
}

func TestSelectWorkloads(t *testing.T) {
	all := newPlan(false).Workloads
	keys := func(ws []workload) (k []string) {
		for _, w := range ws {
			k = append(k, w.Key)
		}
		return k
	}
	cases := []struct {
		only       string
		rows, runs []string
		err        string
	}{
		{"", []string{"a", "b", "c", "d", "e"}, []string{"a", "b", "c", "d"}, ""},
		{"e", []string{"e"}, []string{"b"}, ""},
		{"c, a", []string{"a", "c"}, []string{"a", "c"}, ""},
		{"a,x", nil, nil, `unknown workload "x"`},
	}
	for _, c := range cases {
		t.Run(c.only, func(t *testing.T) {
			rows, runs, err := selectWorkloads(all, c.only)
			if c.err != "" {
				assert.ErrorContains(t, err, c.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.rows, keys(rows))
			assert.Equal(t, c.runs, keys(runs))
		})
	}
}

func TestMedian(t *testing.T) {
	assert.Equal(t, 2.0, median([]float64{3, 1, 2}))
	assert.Equal(t, 2.5, median([]float64{4, 1, 2, 3}))
	xs := []float64{3, 1, 2}
	median(xs)
	assert.Equal(t, []float64{3, 1, 2}, xs, "median leaves its input alone")
}
