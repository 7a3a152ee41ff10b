package graph

import (
	"gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/internal/fastblas"
)

// UseFastBLAS makes Gorgonia (and package tensor, which gorgonia.Use also
// sets) multiply matrices with tanren's fastblas: packed, cache-blocked
// GEMM with AVX-512 and AVX2 micro-kernels, and a pure-Go fallback on
// other CPUs. It is several times faster than gonum's BLAS, Gorgonia's
// default. tanren's own convolution and linear ops call fastblas directly
// whatever is installed; this call speeds up the Gorgonia built-ins that
// multiply matrices (Mul, BatchedMatMul, ...).
//
// The setting is global: call it once at start-up, before any graph runs.
// It returns a function that restores the BLAS it replaced. tanren's
// commands call it unless TANREN_BLAS=gonum (see cmd/internal/cli).
func UseFastBLAS() (restore func()) {
	previous := fastblas.Register()
	return func() { gorgonia.Use(previous) }
}
