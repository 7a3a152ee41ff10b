package ops

import (
	"fmt"
	"runtime"
	"sync"
)

// parallelFor calls fn(i) for 0 ≤ i < n, spread over up to GOMAXPROCS
// goroutines. Every i must write its own part of the output, so no locking
// is needed. A panic in fn comes back as an error: run's recover does not
// see other goroutines, and an escaped panic would kill the process.
func parallelFor(n int, fn func(i int)) error {
	workers := max(1, min(runtime.GOMAXPROCS(0), n))
	work := func(w int) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("worker %d panicked: %v", w, r)
			}
		}()
		for i := w; i < n; i += workers {
			fn(i)
		}
		return nil
	}
	if workers == 1 {
		return work(0)
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = work(w)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// parallelGrain is the fewest elements an element-wise kernel hands to one
// goroutine: below it, starting a goroutine costs more than it saves.
const parallelGrain = 1 << 15

// parallelRange calls fn on contiguous parts [lo, hi) covering [0, n), one
// per core, when n is large enough to be worth splitting, and on the whole
// range otherwise. It reports panics as parallelFor does.
func parallelRange(n int, fn func(lo, hi int)) error {
	return parallelItems(n, 1, fn)
}

// parallelItems is parallelRange over n items of size elements each (such
// as image planes), never splitting an item.
func parallelItems(n, size int, fn func(lo, hi int)) error {
	parts := max(1, min(runtime.GOMAXPROCS(0), n, n*size/parallelGrain))
	return parallelFor(parts, func(p int) { fn(p*n/parts, (p+1)*n/parts) })
}
