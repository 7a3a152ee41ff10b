package imagefolder

import "sync/atomic"

// cache keeps decoded images within a byte budget, first come first
// served; entries are never evicted, since every epoch reads every image
// and evicting would make each one miss. It is safe for concurrent use.
type cache struct {
	budget int64
	used   atomic.Int64
	count  atomic.Int64
	items  []atomic.Pointer[pixels]
}

func newCache(n int, budget int64) *cache {
	return &cache{budget: budget, items: make([]atomic.Pointer[pixels], n)}
}

// get returns the cached image i, or nil.
func (c *cache) get(i int) *pixels { return c.items[i].Load() }

// put caches image i if it fits in what is left of the budget.
func (c *cache) put(i int, p *pixels) {
	if c.items[i].Load() != nil {
		return
	}
	size := p.bytes()
	for {
		used := c.used.Load()
		if used+size > c.budget {
			return
		}
		if c.used.CompareAndSwap(used, used+size) {
			break
		}
	}
	if c.items[i].CompareAndSwap(nil, p) {
		c.count.Add(1)
	} else {
		c.used.Add(-size) // another goroutine cached it first
	}
}
