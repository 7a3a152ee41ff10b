package zoo

import (
	"runtime"
	"sync"
)

// dwForward computes y[n,c,oy,ox] = Σ_ij w[c,i,j]·x[n,c,oy·s−p+i,ox·s−p+j].
func dwForward[T float32 | float64](g dwGeom, x, w, y []T) {
	oh, ow, h, wd := g.outH(), g.outW(), g.in[2], g.in[3]
	kh, kw := g.k[0], g.k[1]
	parallelPlanes(g.in[0]*g.in[1], func(p int) {
		c := p % g.in[1]
		xp, yp, wc := x[p*h*wd:(p+1)*h*wd], y[p*oh*ow:(p+1)*oh*ow], w[c*kh*kw:(c+1)*kh*kw]
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				var sum T
				for i := 0; i < kh; i++ {
					iy := oy*g.stride[0] - g.pad[0] + i
					if iy < 0 || iy >= h {
						continue
					}
					row := xp[iy*wd : (iy+1)*wd]
					for j := 0; j < kw; j++ {
						if ix := ox*g.stride[1] - g.pad[1] + j; ix >= 0 && ix < wd {
							sum += wc[i*kw+j] * row[ix]
						}
					}
				}
				yp[oy*ow+ox] = sum
			}
		}
	})
}

// dwGradX scatters dy back through the filters: dx = Σ w·dy over every
// output position each input pixel contributed to.
func dwGradX[T float32 | float64](g dwGeom, w, dy, dx []T) {
	oh, ow, h, wd := g.outH(), g.outW(), g.in[2], g.in[3]
	kh, kw := g.k[0], g.k[1]
	parallelPlanes(g.in[0]*g.in[1], func(p int) {
		c := p % g.in[1]
		dxp, dyp, wc := dx[p*h*wd:(p+1)*h*wd], dy[p*oh*ow:(p+1)*oh*ow], w[c*kh*kw:(c+1)*kh*kw]
		clear(dxp)
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				d := dyp[oy*ow+ox]
				for i := 0; i < kh; i++ {
					iy := oy*g.stride[0] - g.pad[0] + i
					if iy < 0 || iy >= h {
						continue
					}
					row := dxp[iy*wd : (iy+1)*wd]
					for j := 0; j < kw; j++ {
						if ix := ox*g.stride[1] - g.pad[1] + j; ix >= 0 && ix < wd {
							row[ix] += wc[i*kw+j] * d
						}
					}
				}
			}
		}
	})
}

// dwGradW computes dw[c,i,j] = Σ_n,oy,ox dy[n,c,oy,ox]·x[n,c,oy·s−p+i,ox·s−p+j].
func dwGradW[T float32 | float64](g dwGeom, x, dy, dw []T) {
	n, ch, oh, ow, h, wd := g.in[0], g.in[1], g.outH(), g.outW(), g.in[2], g.in[3]
	kh, kw := g.k[0], g.k[1]
	parallelPlanes(ch, func(c int) {
		dwc := dw[c*kh*kw : (c+1)*kh*kw]
		for i := 0; i < kh; i++ {
			for j := 0; j < kw; j++ {
				var sum T
				for b := 0; b < n; b++ {
					p := b*ch + c
					xp, dyp := x[p*h*wd:(p+1)*h*wd], dy[p*oh*ow:(p+1)*oh*ow]
					for oy := 0; oy < oh; oy++ {
						iy := oy*g.stride[0] - g.pad[0] + i
						if iy < 0 || iy >= h {
							continue
						}
						for ox := 0; ox < ow; ox++ {
							if ix := ox*g.stride[1] - g.pad[1] + j; ix >= 0 && ix < wd {
								sum += dyp[oy*ow+ox] * xp[iy*wd+ix]
							}
						}
					}
				}
				dwc[i*kw+j] = sum
			}
		}
	})
}

// parallelPlanes runs fn for 0 ≤ p < n, spread over GOMAXPROCS goroutines.
// Every p writes its own part of the output, so no locking is needed.
func parallelPlanes(n int, fn func(p int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for p := 0; p < n; p++ {
			fn(p)
		}
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for p := w; p < n; p += workers {
				fn(p)
			}
		}(w)
	}
	wg.Wait()
}
