//go:build !amd64 || purego

package fastblas

// bestLevel is the pure-Go kernel: there is no assembly for this
// architecture, or the purego build tag asked for none.
func bestLevel() int { return levelGo }

// Only the pure-Go kernels exist here; the other levels fall back to them
// so that forcing a level is always safe.
var (
	kernels32 = [...]*kernelSet[float32]{levelGo: goKernels32, levelAVX2: goKernels32, levelAVX512: goKernels32}
	kernels64 = [...]*kernelSet[float64]{levelGo: goKernels64, levelAVX2: goKernels64, levelAVX512: goKernels64}
	narrow32  [levelAVX512 + 1]*kernelSet[float32]
)
