//go:build !linux

package text

func hugeArena(n int) ([]int16, *hugeMem) { return nil, nil }

// MappedBytes returns the bytes of model weights currently mapped outside
// the Go heap: none on this platform.
func MappedBytes() int64 { return 0 }
