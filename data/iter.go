package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"sync"
	"sync/atomic"
)

// Iter delivers the batches of one epoch in order. Next and All are for one
// goroutine; Close may be called from any goroutine, also while Next waits.
type Iter struct {
	ctx    context.Context
	cancel context.CancelFunc
	epoch  int
	nb     int // number of batches
	next   int // number of the batch Next returns next

	// Batch b is delivered in slots[b % len(slots)]. A token is taken before
	// b is dispatched and given back when Next has received it, so at most
	// len(slots) batches are ahead of the consumer, and slot b%P is empty
	// again before batch b+P is dispatched.
	slots  []chan result
	tokens chan struct{}

	wg     sync.WaitGroup
	err    error // sticky error returned by Next
	closed atomic.Bool
}

type result struct {
	batch *Batch
	err   error
}

// errClosed is returned by Next after Close.
var errClosed = errors.New("data: Next called on a closed iterator")

func startIter(parent context.Context, asm *assembler, order []int, nb, bs, workers, prefetch int) *Iter {
	ctx, cancel := context.WithCancel(parent)
	p := max(1, min(prefetch, nb))
	it := &Iter{
		ctx:    ctx,
		cancel: cancel,
		epoch:  asm.epoch,
		nb:     nb,
		slots:  make([]chan result, p),
		tokens: make(chan struct{}, p),
	}
	for i := range it.slots {
		it.slots[i] = make(chan result, 1)
	}
	jobs := make(chan int)
	it.wg.Add(1)
	go func() { // dispatcher: hands out batch numbers in order, at most p ahead
		defer it.wg.Done()
		defer close(jobs)
		for b := range nb {
			select {
			case it.tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range min(workers, nb) {
		it.wg.Add(1)
		go func() {
			defer it.wg.Done()
			for b := range jobs {
				// A failed batch does not cancel the others: the consumer
				// receives the batches before it first, then the error, so
				// where an epoch fails does not depend on timing.
				batch, err := asm.build(ctx, b, order[b*bs:min((b+1)*bs, len(order))])
				select {
				case it.slots[b%p] <- result{batch, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	return it
}

// NumBatches returns the number of batches of the epoch.
func (it *Iter) NumBatches() int { return it.nb }

// Next returns the next batch, io.EOF after the last one, or the error that
// stopped the epoch: a sample that failed to load or transform (also a
// panic), or the context's error. Errors are sticky.
func (it *Iter) Next() (*Batch, error) {
	if it.closed.Load() {
		return nil, errClosed
	}
	if it.err != nil {
		return nil, it.err
	}
	if it.next >= it.nb {
		it.cancel() // the workers are done; this releases the context
		return nil, io.EOF
	}
	if it.ctx.Err() == nil { // cancellation wins over a batch that is ready
		select {
		case r := <-it.slots[it.next%len(it.slots)]:
			<-it.tokens
			it.next++
			if r.err != nil {
				it.fail(r.err)
				return nil, it.err
			}
			return r.batch, nil
		case <-it.ctx.Done():
		}
	}
	if it.closed.Load() {
		return nil, errClosed
	}
	it.fail(fmt.Errorf("data: epoch %d stopped before batch %d of %d: %w", it.epoch, it.next, it.nb, it.ctx.Err()))
	return nil, it.err
}

func (it *Iter) fail(err error) {
	it.err = err
	it.cancel() // stop the workers; Close waits for them
}

// Close stops the workers and waits for them to return; a Get or Transform
// call in progress is finished first. It is safe to call more than once.
func (it *Iter) Close() {
	if it.closed.Swap(true) {
		return
	}
	it.cancel()
	it.wg.Wait()
}

// All returns the remaining batches as a range-over-func sequence. An error
// is yielded once, with a nil batch, and ends the sequence; the iterator is
// closed when the loop ends, also by break.
//
//	for b, err := range it.All() {
//		if err != nil { return err }
//		...
//	}
func (it *Iter) All() iter.Seq2[*Batch, error] {
	return func(yield func(*Batch, error) bool) {
		defer it.Close()
		for {
			b, err := it.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(b, nil) {
				return
			}
		}
	}
}
