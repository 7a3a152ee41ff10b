package graph

import (
	"os"

	"github.com/tanren-ml/tanren/graph/fastblas"
)

// BLASEnv names the environment variable that selects Gorgonia's matrix
// multiplication: unset (or "fastblas") means tanren's fastblas, "gonum"
// keeps Gorgonia's default, gonum's pure-Go BLAS.
const BLASEnv = "TANREN_BLAS"

// Every graph multiplies matrices through the BLAS Gorgonia uses globally;
// fastblas is several times faster than gonum's on CPUs with AVX2 or
// AVX-512 and falls back to pure Go elsewhere, so it is installed as soon
// as this package is imported.
func init() {
	if os.Getenv(BLASEnv) != "gonum" {
		fastblas.Register()
	}
}
