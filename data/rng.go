package data

import "math/rand/v2"

// Independent random streams of one Loader seed.
const (
	streamShuffle uint64 = iota + 1
	streamSample
	streamBatch
)

// SampleRand returns the generator that a Loader with this seed gives the
// Transform of the sample at dataset index i in the given epoch.
func SampleRand(seed int64, epoch, i int) *rand.Rand {
	return deriveRand(seed, streamSample, epoch, i)
}

// BatchRand returns the generator that a Loader with this seed gives the
// BatchTransform of batch b (counted from 0) in the given epoch.
func BatchRand(seed int64, epoch, b int) *rand.Rand {
	return deriveRand(seed, streamBatch, epoch, b)
}

// deriveRand hashes (seed, stream, epoch, index) into a PCG state. Each step
// is a SplitMix64 finalizer, a bijection with good avalanche, so nearby
// seeds, epochs and indices give unrelated streams.
func deriveRand(seed int64, stream uint64, epoch, index int) *rand.Rand {
	h := splitMix64(uint64(seed))
	h = splitMix64(h ^ stream)
	h = splitMix64(h ^ uint64(int64(epoch)))
	lo := splitMix64(h ^ uint64(int64(index)))
	hi := splitMix64(lo ^ 0x6a09e667f3bcc909)
	return rand.New(rand.NewPCG(hi, lo))
}

func splitMix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
