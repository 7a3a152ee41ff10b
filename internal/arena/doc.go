// Package arena keeps the buffers of one compiled graph between its runs.
//
// A training step of a compiled graph allocates the same buffers, of the
// same sizes and in the same order, every time it runs. Gorgonia's
// TapeMachine drops them all at each Reset, so without an arena every step
// turns its whole working set into garbage: the Go heap then peaks at about
// twice the live memory (GOGC=100), and the step pays for page faults and
// zeroing of fresh memory.
//
// An Arena hands out zeroed slices and takes them all back at once:
//
//	a := arena.Register(g) // the owner of g, once, before building ops on it
//	buf := arena.Get[float32](arena.Lookup(g), n)
//	a.Recycle()            // the owner, when no value of the last run is in use
//
// Only the owner of a graph — graph.Program, which recycles before every run
// and copies every result it returns — registers an arena for it. Ops look
// the arena up when they are added to the graph; on a graph nobody
// registered, Lookup returns nil and Get falls back to make, so ops stay
// correct in a TapeMachine the caller drives directly.
package arena
