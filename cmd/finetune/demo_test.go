package main

import (
	"context"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo trains for a few seconds")
	}
	t.Setenv("TMPDIR", t.TempDir()) // the demo's folder
	code, stdout, stderr := invoke(t, context.Background())
	require.Equal(t, 0, code, stderr)
	m := regexp.MustCompile(`validation accuracy: ([0-9.]+)% before, ([0-9.]+)% after`).FindStringSubmatch(stdout)
	require.NotNil(t, m, stdout)
	before, _ := strconv.ParseFloat(m[1], 64)
	after, _ := strconv.ParseFloat(m[2], 64)
	assert.Less(t, before, 50.0, "a new head knows nothing of digits 5–9")
	assert.Greater(t, after, 95.0, "the pretrained features transfer")
	assert.Contains(t, stdout, "predict -model-dir")
}
