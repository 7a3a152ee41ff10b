package ops

// The depthwise kernels work on row-major NCHW data, one (image, channel)
// plane p = n·C + c at a time, or for the weight gradient one channel.
// Output position (oy, ox) reads input (oy·stride − pad + i·dilation,
// ox·stride − pad + j·dilation) for kernel tap (i, j); the tap ranges say
// which of them lie inside the input, so the inner loops test no bounds.

// depthwiseKernel runs the op's pass, spread over the planes or, for the
// weight gradient, over the channels.
func depthwiseKernel[T Float](op *depthwiseOp) kernelFunc[T] {
	return func(in [][]T, out []T) error {
		a, b, o := op.signature()
		for _, c := range []struct {
			what      string
			got, want int
		}{{"input 0", len(in[0]), a.TotalSize()}, {"input 1", len(in[1]), b.TotalSize()}, {"output", len(out), o.TotalSize()}} {
			if err := checkLen(c.what, c.got, c.want); err != nil {
				return err
			}
		}
		l, planes := op.loop(), op.in[0]*op.in[1]
		a1, b1 := in[0], in[1]
		switch op.pass {
		case passGradX: // (w, dy) → dx
			return parallelFor(planes, func(p int) {
				dwGradXPlane(&l, part(a1, p%l.channels, l.khw), part(b1, p, l.ohw), part(out, p, l.hw))
			})
		case passGradW: // (x, dy) → dw
			return parallelFor(l.channels, func(c int) { dwGradWChannel(&l, c, a1, b1, part(out, c, l.khw)) })
		}
		return parallelFor(planes, func(p int) { // (x, w) → y
			dwForwardPlane(&l, part(a1, p, l.hw), part(b1, p%l.channels, l.khw), part(out, p, l.ohw))
		})
	}
}

// part returns run i of the consecutive runs of n elements in s.
func part[T any](s []T, i, n int) []T { return s[i*n : (i+1)*n] }

// dwLoop is what the kernels need of a geometry, computed once per run.
type dwLoop struct {
	channels, width, outW, kw int // C, W, output width, kernel width
	hw, ohw, khw              int // elements of an input plane, an output plane, a filter
	dilY, dilX                int
	rows, cols                []tapRange // of every output row and column
}

// tapRange is, for one output position along one axis, the input index of
// kernel tap 0 (possibly in the padding) and the taps [lo, hi) that fall
// inside the input.
type tapRange struct{ start, lo, hi int }

func (g dwGeom) loop() dwLoop {
	return dwLoop{
		channels: g.in[1], width: g.in[3], outW: g.out[1], kw: g.kernel[1],
		hw: g.in[2] * g.in[3], ohw: g.out[0] * g.out[1], khw: g.kernel[0] * g.kernel[1],
		dilY: g.dilation[0], dilX: g.dilation[1],
		rows: g.taps(0), cols: g.taps(1),
	}
}

// taps returns the tap ranges of every output position along axis d (0 for
// rows, 1 for columns).
func (g dwGeom) taps(d int) []tapRange {
	n, k, dil := g.in[2+d], g.kernel[d], g.dilation[d]
	out := make([]tapRange, g.out[d])
	for o := range out {
		start := o*g.stride[d] - g.pad[d]
		lo := 0
		if start < 0 {
			lo = (-start + dil - 1) / dil // first i with start + i·dil ≥ 0
		}
		hi := 0
		if start < n {
			hi = min(k, (n-1-start)/dil+1) // past the last i with start + i·dil ≤ n − 1
		}
		out[o] = tapRange{start: start, lo: lo, hi: max(hi, lo)}
	}
	return out
}

// dwForwardPlane computes one output plane: y[oy, ox] = Σ_ij w[i, j]·x[iy, ix].
func dwForwardPlane[T Float](l *dwLoop, x, w, y []T) {
	for oy, r := range l.rows {
		for ox, cl := range l.cols {
			var sum T
			for i := r.lo; i < r.hi; i++ {
				// xo + j·dilX lies before the row for the taps below
				// lo, which are never read.
				xo, wrow := (r.start+i*l.dilY)*l.width+cl.start, w[i*l.kw:(i+1)*l.kw]
				for j := cl.lo; j < cl.hi; j++ {
					sum += wrow[j] * x[xo+j*l.dilX]
				}
			}
			y[oy*l.outW+ox] = sum
		}
	}
}

// dwGradXPlane scatters one plane of dy back through the filter: dx[iy, ix]
// sums w[i, j]·dy[oy, ox] over the output positions and taps that read it.
// dx arrives zeroed (run allocates it).
func dwGradXPlane[T Float](l *dwLoop, w, dy, dx []T) {
	for oy, r := range l.rows {
		for ox, cl := range l.cols {
			d := dy[oy*l.outW+ox]
			for i := r.lo; i < r.hi; i++ {
				xo, wrow := (r.start+i*l.dilY)*l.width+cl.start, w[i*l.kw:(i+1)*l.kw]
				for j := cl.lo; j < cl.hi; j++ {
					dx[xo+j*l.dilX] += wrow[j] * d
				}
			}
		}
	}
}

// dwGradWChannel computes channel c's filter gradient, dw[i, j] =
// Σ_n,oy,ox dy[n, c, oy, ox]·x[n, c, iy, ix], accumulating in float64:
// each sum runs over every output position of the batch, too many terms
// for float32.
func dwGradWChannel[T Float](l *dwLoop, c int, x, dy, dw []T) {
	acc := make([]float64, l.khw)
	for p := c; p*l.hw < len(x); p += l.channels {
		xp, dyp := part(x, p, l.hw), part(dy, p, l.ohw)
		for oy, r := range l.rows {
			for ox, cl := range l.cols {
				d := float64(dyp[oy*l.outW+ox])
				for i := r.lo; i < r.hi; i++ {
					xo, arow := (r.start+i*l.dilY)*l.width+cl.start, acc[i*l.kw:(i+1)*l.kw]
					for j := cl.lo; j < cl.hi; j++ {
						arow[j] += d * float64(xp[xo+j*l.dilX])
					}
				}
			}
		}
	}
	for k, v := range acc {
		dw[k] = T(v)
	}
}
