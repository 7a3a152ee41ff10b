package regularize

// float is the element type of the weights a constraint rescales.
type float interface{ ~float32 | ~float64 }
