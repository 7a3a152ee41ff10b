package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// genPeak emits a loop of n×12 independent float32 FMAs on vectors of
// width bits (512 or 256), touching no memory: its rate is the core's FMA
// peak, which the benchmarks report beside the GEMM rates. Twelve chains
// cover the FMA latency of current x86 cores several times over.
func genPeak(width int) {
	name := fmt.Sprintf("peakFMA%d", width)
	TEXT(name, NOSPLIT, "func(n int)")
	Doc(fmt.Sprintf("%s runs n×12 independent %d-bit float32 FMAs.", name, width))
	n := Load(Param("n"), GP64())
	vec := func() reg.VecVirtual {
		if width == 512 {
			return ZMM()
		}
		return YMM()
	}
	acc := make([]reg.VecVirtual, 12)
	for i := range acc {
		acc[i] = vec()
		if width == 512 {
			VPXORD(acc[i], acc[i], acc[i])
		} else {
			VXORPS(acc[i], acc[i], acc[i])
		}
	}
	x, y := vec(), vec()
	if width == 512 {
		VPXORD(x, x, x)
		VPXORD(y, y, y)
	} else {
		VXORPS(x, x, x)
		VXORPS(y, y, y)
	}
	TESTQ(n, n)
	JZ(LabelRef("done"))
	Label("loop")
	for _, a := range acc {
		VFMADD231PS(x, y, a)
	}
	DECQ(n)
	JNZ(LabelRef("loop"))
	Label("done")
	// Keep the accumulators live to the end.
	for _, a := range acc[1:] {
		VADDPS(a, acc[0], acc[0])
	}
	VZEROUPPER()
	RET()
}
