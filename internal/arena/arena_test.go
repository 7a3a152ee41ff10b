package arena

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	G "gorgonia.org/gorgonia"
)

func TestGetReusesAfterRecycleAndZeroes(t *testing.T) {
	var a Arena
	x := Get[float32](&a, 8)
	y := Get[float32](&a, 8)
	z := Get[float64](&a, 8)
	if &x[0] == &y[0] {
		t.Fatal("two live slices share memory")
	}
	for i := range x {
		x[i], y[i], z[i] = 1, 2, 3
	}
	if got, want := a.Bytes(), int64(8*4+8*4+8*8); got != want {
		t.Fatalf("Bytes = %d, want %d", got, want)
	}
	a.Recycle()
	seen := map[*float32]bool{&x[0]: true, &y[0]: true}
	for range 2 {
		s := Get[float32](&a, 8)
		if !seen[&s[0]] {
			t.Fatal("Get after Recycle allocated instead of reusing a free slice")
		}
		delete(seen, &s[0])
		for i, v := range s {
			if v != 0 {
				t.Fatalf("reused slice [%d] = %v, want 0", i, v)
			}
		}
	}
	if s := Get[float32](&a, 8); &s[0] == &x[0] || &s[0] == &y[0] {
		t.Fatal("a third float32 slice aliases one of the two handed out")
	}
	if s := Get[float64](&a, 8); &s[0] != &z[0] {
		t.Fatal("float64 slice not reused")
	}
	if s := Get[float64](&a, 9); len(s) != 9 {
		t.Fatalf("len = %d, want 9", len(s))
	}
	a.Release()
	if got := a.Bytes(); got != 0 {
		t.Fatalf("Bytes after Release = %d", got)
	}
}

func TestGetDirtyKeepsValues(t *testing.T) {
	var a Arena
	s := GetDirty[float64](&a, 3)
	assert3 := func(got []float64, want ...float64) {
		t.Helper()
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("got %v, want %v", got, want)
			}
		}
	}
	assert3(s, 0, 0, 0) // new memory is zero anyway
	s[0], s[1], s[2] = 1, 2, 3
	a.Recycle()
	r := GetDirty[float64](&a, 3)
	if &r[0] != &s[0] {
		t.Fatal("GetDirty did not reuse the free slice")
	}
	assert3(r, 1, 2, 3)
	if GetDirty[float64](nil, 2) == nil {
		t.Fatal("nil arena")
	}
}

func TestNilArenaAllocates(t *testing.T) {
	var a *Arena
	if s := Get[float64](a, 3); len(s) != 3 {
		t.Fatalf("len = %d", len(s))
	}
}

func TestRegistry(t *testing.T) {
	g := G.NewGraph()
	if Lookup(g) != nil {
		t.Fatal("unregistered graph has an arena")
	}
	a := Register(g)
	if Lookup(g) != a {
		t.Fatal("Lookup does not return the registered arena")
	}
	if Lookup(G.NewGraph()) != nil {
		t.Fatal("another graph shares the arena")
	}
	Unregister(g)
	if Lookup(g) != nil {
		t.Fatal("arena still registered after Unregister")
	}
	runtime.KeepAlive(g)
}

// A registration must not keep its graph alive, and the entry must go with
// the graph.
func TestRegistryDoesNotLeakGraphs(t *testing.T) {
	count := func() (n int) {
		registry.Range(func(any, any) bool { n++; return true })
		return n
	}
	before := count()
	for range 50 {
		Register(G.NewGraph())
	}
	deadline := time.Now().Add(5 * time.Second)
	for count() > before && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := count(); n > before {
		t.Fatalf("%d registrations left after their graphs became unreachable", n-before)
	}
}

func ExampleGet() {
	var a Arena
	s := Get[float32](&a, 4) // zeroed, like make
	s[0] = 7
	a.Recycle() // s is free again
	r := Get[float32](&a, 4)
	fmt.Println(len(r), r[0], &r[0] == &s[0])
	// Output: 4 0 true
}
