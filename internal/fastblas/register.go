package fastblas

import "gorgonia.org/gorgonia"

// Compile-time check that Implementation can replace Gorgonia's BLAS.
var _ gorgonia.BLAS = Implementation{}

// Register makes Gorgonia (and the tensor package, which gorgonia.Use also
// sets) use fastblas for every matrix product, and returns the BLAS it
// replaced so that a caller can restore it with gorgonia.Use. The setting
// is global: register once at start-up, before any graph runs.
func Register() (previous gorgonia.BLAS) {
	previous = gorgonia.WhichBLAS()
	gorgonia.Use(Implementation{})
	return previous
}
