package graph

import (
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// Init fills data (row-major, of the given shape) with initial values drawn
// from rng. Values are float64 and converted to the Store's dtype.
type Init func(rng *rand.Rand, shape tensor.Shape, data []float64)

// Zeros initializes to 0.
func Zeros(*rand.Rand, tensor.Shape, []float64) {}

// Ones initializes to 1.
func Ones(_ *rand.Rand, _ tensor.Shape, data []float64) { Constant(1)(nil, nil, data) }

// Constant initializes every element to v.
func Constant(v float64) Init {
	return func(_ *rand.Rand, _ tensor.Shape, data []float64) {
		for i := range data {
			data[i] = v
		}
	}
}

// Uniform initializes from U(lo, hi).
func Uniform(lo, hi float64) Init {
	return func(rng *rand.Rand, _ tensor.Shape, data []float64) {
		for i := range data {
			data[i] = lo + (hi-lo)*rng.Float64()
		}
	}
}

// Normal initializes from N(mean, std²).
func Normal(mean, std float64) Init {
	return func(rng *rand.Rand, _ tensor.Shape, data []float64) {
		for i := range data {
			data[i] = mean + std*rng.NormFloat64()
		}
	}
}

// FanIn returns the fan-in of a PyTorch-layout weight: shape[1] times the
// receptive field (the product of shape[2:]).
func FanIn(shape tensor.Shape) int {
	if len(shape) < 2 {
		return 1
	}
	n := shape[1]
	for _, d := range shape[2:] {
		n *= d
	}
	return n
}

// KaimingUniform is PyTorch's default for nn.Linear and nn.Conv2d weights:
// kaiming_uniform_(a=√5), that is U(−b, b) with b = √(1/fan_in) · √3 ·
// √(2/(1+a²)) = 1/√fan_in.
func KaimingUniform(rng *rand.Rand, shape tensor.Shape, data []float64) {
	b := 1 / math.Sqrt(float64(FanIn(shape)))
	Uniform(-b, b)(rng, shape, data)
}

// BiasUniform is PyTorch's default for the bias of nn.Linear and nn.Conv2d:
// U(−1/√fan_in, 1/√fan_in) where fan_in is that of the layer's weight.
func BiasUniform(fanIn int) Init {
	b := 1 / math.Sqrt(float64(max(fanIn, 1)))
	return Uniform(-b, b)
}

// KaimingNormal is kaiming_normal_(mode="fan_out", nonlinearity="relu"), the
// initialization torchvision's ResNets use for convolutions.
func KaimingNormal(rng *rand.Rand, shape tensor.Shape, data []float64) {
	fanOut := 1
	if len(shape) > 0 {
		fanOut = shape[0]
		for _, d := range shape[2:] {
			fanOut *= d
		}
	}
	Normal(0, math.Sqrt(2/float64(fanOut)))(rng, shape, data)
}
