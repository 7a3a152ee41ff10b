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

// Cache blocking for the assembly kernels, for the 32 KiB L1 and 1 MiB L2
// per core of Zen 4 (and Intel's AVX-512 cores, which have as much or
// more): a float32 mr×kc panel of A takes 14·256·4 B = 14 KiB of L1 and a
// kc×nc block of B 256·512·4 B = 512 KiB of L2. Measured on Zen 4, GEMM
// speed is flat within a few percent for kc from 128 to 512 and nc from
// 256 to 1024 (float64 likewise); these sizes sit in the middle of that
// plateau.
var (
	kernels32 = [...]*kernelSet[float32]{
		levelGo:   goKernels32,
		levelAVX2: {name: "avx2", mr: savx2x16MR, nr: savx2x16NR, kc: 256, nc: 512, mcBytes: 2 << 20, tile: tileSAVX2},
		levelAVX512: {name: "avx512", mr: savx512x32MR, nr: savx512x32NR, kc: 256, nc: 512, mcBytes: 2 << 20, tile: tileSAVX512,
			packA: savx512x32PackA, packAT: savx512x32PackAT, packB: savx512x32PackB, packBT: savx512x32PackBT},
	}
	// narrow32 serves float32 products with n <= 16 on AVX-512: a 24×16
	// tile wastes less of each FMA on LeNet's 6 and 16 channels than a
	// 14×32 one. Its 24×256 panel of A takes 24 KiB of L1, but with a
	// single panel of B the roles swap: B's 16 KiB panel is the one that
	// stays in L1 while the panels of A stream past.
	narrow32 = [...]*kernelSet[float32]{
		levelAVX512: {name: "avx512-narrow", mr: savx512x16MR, nr: savx512x16NR, kc: 256, nc: 512, mcBytes: 2 << 20, tile: tileSAVX512x16,
			packA: savx512x16PackA, packAT: savx512x16PackAT, packB: savx512x16PackB, packBT: savx512x16PackBT},
	}
	kernels64 = [...]*kernelSet[float64]{
		levelGo:   goKernels64,
		levelAVX2: {name: "avx2", mr: davx2x8MR, nr: davx2x8NR, kc: 256, nc: 256, mcBytes: 2 << 20, tile: tileDAVX2},
		levelAVX512: {name: "avx512", mr: davx512x16MR, nr: davx512x16NR, kc: 256, nc: 256, mcBytes: 2 << 20, tile: tileDAVX512,
			packA: davx512x16PackA, packAT: davx512x16PackAT, packB: davx512x16PackB, packBT: davx512x16PackBT},
	}
)

func tileSAVX512(k int, a, b, c *float32, ldc int, alpha, beta float32, mr, nr int) {
	savx512x32Kernels[mr-1](k, a, b, c, ldc, alpha, beta, 1<<uint(nr)-1)
}

func tileSAVX512x16(k int, a, b, c *float32, ldc int, alpha, beta float32, mr, nr int) {
	savx512x16Kernels[mr-1](k, a, b, c, ldc, alpha, beta, 1<<uint(nr)-1)
}

func tileDAVX512(k int, a, b, c *float64, ldc int, alpha, beta float64, mr, nr int) {
	davx512x16Kernels[mr-1](k, a, b, c, ldc, alpha, beta, 1<<uint(nr)-1)
}

func tileSAVX2(k int, a, b, c *float32, ldc int, alpha, beta float32, mr, nr int) {
	savx2x16Kernels[mr-1](k, a, b, c, ldc, alpha, beta, nr)
}

func tileDAVX2(k int, a, b, c *float64, ldc int, alpha, beta float64, mr, nr int) {
	davx2x8Kernels[mr-1](k, a, b, c, ldc, alpha, beta, nr)
}
