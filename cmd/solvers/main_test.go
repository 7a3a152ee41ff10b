package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSelectRuns(t *testing.T) {
	all, err := selectRuns("", "")
	require.NoError(t, err)
	assert.Len(t, all, len(runs))

	got, err := selectRuns("adam, batch-1", "adam=3e-3")
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "adam", got[0].name)
	assert.Equal(t, 3e-3, got[0].lr)
	assert.Equal(t, 0.01, got[1].lr)
	assert.Equal(t, 1e-3, runs[indexOf(runs, "adam")].lr, "overrides do not change the defaults")

	for _, tc := range []struct{ only, lrs, want string }{
		{"lbfgs", "", "unknown run"},
		{"", "adam", "want name=rate"},
		{"", "adam=-1", "want name=rate"},
		{"", "lbfgs=0.1", "unknown run"},
	} {
		_, err := selectRuns(tc.only, tc.lrs)
		assert.ErrorContains(t, err, tc.want, "%q %q", tc.only, tc.lrs)
	}
}

func TestEverySolverBuilds(t *testing.T) {
	for _, r := range runs {
		s, err := r.newSolver()
		require.NoError(t, err, r.name)
		assert.NotNil(t, s, r.name)
	}
}

func TestPerStep(t *testing.T) {
	assert.Equal(t, "31.0 ms", perStep(7.44, 240))
	assert.Equal(t, "3.23 s", perStep(9.69, 3))
	assert.Equal(t, "—", perStep(1, 0))
}

func TestShellQuote(t *testing.T) {
	assert.Equal(t, "-png", shellQuote("-png"))
	assert.Equal(t, "''", shellQuote(""))
	assert.Equal(t, "'a b'", shellQuote("a b"))
	assert.Equal(t, `'it'\''s'`, shellQuote("it's"))
}
