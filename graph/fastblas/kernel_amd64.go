//go:build !purego

package fastblas

import "golang.org/x/sys/cpu"

// bestLevel is the fastest kernel level this CPU and OS support. x/sys/cpu
// also checks that the OS saves the vector state (XCR0), without which the
// instructions fault.
func bestLevel() int {
	switch {
	case cpu.X86.HasAVX512F:
		return levelAVX512
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return levelAVX2
	}
	return levelGo
}

// Cache blocking for the assembly kernels. An mr×kc panel of A is kept in
// the 32 KiB L1 (14·256·4 B = 14 KiB for float32) and a kc×nc block of B in
// L2 (256·512·4 B = 512 KiB, half of a 1 MiB L2).
var (
	kernels32 = [...]*kernelSet[float32]{
		levelGo:     goKernels32,
		levelAVX2:   {name: "avx2", mr: savx2MR, nr: savx2NR, kc: 256, nc: 512, mcBytes: 2 << 20, tile: tileSAVX2},
		levelAVX512: {name: "avx512", mr: savx512MR, nr: savx512NR, kc: 256, nc: 512, mcBytes: 2 << 20, tile: tileSAVX512},
	}
	kernels64 = [...]*kernelSet[float64]{
		levelGo:     goKernels64,
		levelAVX2:   {name: "avx2", mr: davx2MR, nr: davx2NR, kc: 256, nc: 256, mcBytes: 2 << 20, tile: tileDAVX2},
		levelAVX512: {name: "avx512", mr: davx512MR, nr: davx512NR, kc: 256, nc: 256, mcBytes: 2 << 20, tile: tileDAVX512},
	}
)

func tileSAVX512(k int, a, b, c *float32, ldc int, alpha, beta float32, mr, nr int) {
	savx512Kernels[mr-1](k, a, b, c, ldc, alpha, beta, 1<<uint(nr)-1)
}

func tileDAVX512(k int, a, b, c *float64, ldc int, alpha, beta float64, mr, nr int) {
	davx512Kernels[mr-1](k, a, b, c, ldc, alpha, beta, 1<<uint(nr)-1)
}

func tileSAVX2(k int, a, b, c *float32, ldc int, alpha, beta float32, mr, nr int) {
	savx2Kernels[mr-1](k, a, b, c, ldc, alpha, beta, nr)
}

func tileDAVX2(k int, a, b, c *float64, ldc int, alpha, beta float64, mr, nr int) {
	davx2Kernels[mr-1](k, a, b, c, ldc, alpha, beta, nr)
}
