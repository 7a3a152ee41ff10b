package imagefolder

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// verify checks the image files paths with c.Workers goroutines: the header
// only (Lazy), or a full decode whose result is offered to the cache
// (indexed like paths). It returns the problem of each file, nil for a
// usable one. In Strict mode it stops at the first problem; the caller
// reports the first one in path order among those found.
func verify(ctx context.Context, paths []string, c config, ch *cache) ([]*fileError, error) {
	stop, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		problems = make([]*fileError, len(paths))
		next     atomic.Int64
		mu       sync.Mutex // serializes Progress
		done     int
		wg       sync.WaitGroup
	)
	progress := func() {
		mu.Lock()
		defer mu.Unlock()
		defer func() {
			if r := recover(); r != nil {
				cancel(fmt.Errorf("imagefolder: Options.Progress panicked: %v", r))
			}
		}()
		done++
		c.Progress(done, len(paths))
	}
	for range min(c.Workers, len(paths)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for stop.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(paths) {
					return
				}
				if problems[i] = check(paths[i], c, ch, i); problems[i] != nil && c.Strict {
					cancel(errStrictStop)
				}
				if c.Progress != nil {
					progress()
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("imagefolder: checking images interrupted: %w", err)
	}
	if err := context.Cause(stop); err != nil && err != errStrictStop {
		return nil, err
	}
	return problems, nil
}

// errStrictStop is the cause of stopping early in Strict mode.
var errStrictStop = errors.New("imagefolder: stopped at a problem in strict mode")

// check checks one file; see verify.
func check(path string, c config, ch *cache, i int) *fileError {
	var err error
	if c.Lazy {
		err = checkHeader(path, c.MaxPixels)
	} else {
		var p *pixels
		if p, err = load(path, c.Channels, c.MaxPixels); err == nil {
			ch.put(i, p)
		}
	}
	if err == nil {
		return nil
	}
	var fe *fileError
	if errors.As(err, &fe) {
		return fe
	}
	return &fileError{path, Corrupt, fmt.Sprint(err)}
}
