package ops

import (
	"runtime"
	"sync"

	"github.com/pkg/errors"
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
				err = errors.Errorf("worker %d panicked: %v", w, r)
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
