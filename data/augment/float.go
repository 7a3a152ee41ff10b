package augment

// float is the element type of the tensors this package works on.
type float interface{ ~float32 | ~float64 }
