package arena

import (
	"reflect"
	"runtime"
	"sync"
	"weak"

	G "gorgonia.org/gorgonia"
)

// Arena hands out zeroed slices and takes them back all at once. The zero
// value is ready to use; a nil *Arena allocates every slice with make. It is
// safe for concurrent use (ops may run their kernels in parallel).
type Arena struct {
	mu   sync.Mutex
	free map[key][]any // slices returned by Recycle, by element type and length
	used []slot        // slices handed out since the last Recycle
}

type key struct {
	elem reflect.Type
	n    int
}

type slot struct {
	k key
	s any
}

// Get returns a zeroed slice of n elements of type T from a, reusing one
// that a handed out before the last Recycle when one of that type and length
// is free.
func Get[T any](a *Arena, n int) []T {
	return get[T](a, n, true)
}

// GetDirty is Get for a caller that writes every element before reading
// any: a reused slice keeps the values of its last use instead of being
// zeroed, which saves a pass over memory.
func GetDirty[T any](a *Arena, n int) []T {
	return get[T](a, n, false)
}

func get[T any](a *Arena, n int, zero bool) []T {
	if a == nil {
		return make([]T, n)
	}
	k := key{reflect.TypeFor[T](), n}
	a.mu.Lock()
	defer a.mu.Unlock()
	var s []T
	if l := a.free[k]; len(l) > 0 {
		s = l[len(l)-1].([]T)
		l[len(l)-1] = nil
		a.free[k] = l[:len(l)-1]
		if zero {
			clear(s)
		}
	} else {
		s = make([]T, n)
	}
	a.used = append(a.used, slot{k, s})
	return s
}

// Recycle makes every slice handed out so far available again. The caller
// guarantees that none of them is still in use.
func (a *Arena) Recycle() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.free == nil {
		a.free = make(map[key][]any)
	}
	for i, u := range a.used {
		a.free[u.k] = append(a.free[u.k], u.s)
		a.used[i] = slot{}
	}
	a.used = a.used[:0]
}

// Release drops every slice, free or handed out, so the garbage collector
// can take them; the arena stays usable.
func (a *Arena) Release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.free, a.used = nil, nil
}

// Bytes returns the memory the arena holds, handed out and free.
func (a *Arena) Bytes() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	var b int64
	for _, u := range a.used {
		b += int64(u.k.n) * int64(u.k.elem.Size())
	}
	for k, l := range a.free {
		b += int64(len(l)) * int64(k.n) * int64(k.elem.Size())
	}
	return b
}

// registry maps graphs to their arenas. It holds the graphs weakly, so a
// registration never keeps a graph alive, and a cleanup removes the entry
// once the graph is collected.
var registry sync.Map // weak.Pointer[G.ExprGraph] → *Arena

// Register creates the arena of g and returns it. The caller owns it: it
// must call Recycle only when no value computed by g is in use any more.
// Registering g again replaces its arena.
func Register(g *G.ExprGraph) *Arena {
	a := new(Arena)
	k := weak.Make(g)
	if _, loaded := registry.Swap(k, a); !loaded {
		runtime.AddCleanup(g, func(k weak.Pointer[G.ExprGraph]) { registry.Delete(k) }, k)
	}
	return a
}

// Unregister removes g's arena, if any; ops added to g afterwards allocate
// with make.
func Unregister(g *G.ExprGraph) {
	registry.Delete(weak.Make(g))
}

// Lookup returns the arena registered for g, or nil.
func Lookup(g *G.ExprGraph) *Arena {
	if g == nil {
		return nil
	}
	if a, ok := registry.Load(weak.Make(g)); ok {
		return a.(*Arena)
	}
	return nil
}
