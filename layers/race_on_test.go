//go:build race

package layers

// raceEnabled: the race detector makes sync.Pool drop buffers at random,
// so allocation counts are not meaningful.
const raceEnabled = true
