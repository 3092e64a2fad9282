//go:build linux

package text

import (
	"runtime"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// hugePage is the size of a transparent huge page on amd64 and arm64 Linux.
const hugePage = 2 << 20

// hugeArena returns n zeroed int16s mapped outside the Go heap, aligned to
// 2 MiB and advised for transparent huge pages (MADV_HUGEPAGE: the kernel's
// THP mode here is "madvise", and the Go runtime does not advise its heap),
// and the handle whose collection unmaps them; or nil, nil when n is under
// a huge page or the mapping fails. Model weight tables are read at random,
// a few hundred buckets per message, so with 4 KiB pages nearly every read
// also misses the TLB.
func hugeArena(n int) ([]int16, *hugeMem) {
	if 2*n < hugePage {
		return nil, nil
	}
	size := (2*n + hugePage - 1) &^ (hugePage - 1)
	mem, err := syscall.Mmap(-1, 0, size+hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil, nil
	}
	off := (hugePage - int(uintptr(unsafe.Pointer(&mem[0])))&(hugePage-1)) & (hugePage - 1)
	_ = syscall.Madvise(mem[off:off+size], 14) // MADV_HUGEPAGE
	h := &hugeMem{}
	mapped.Add(int64(2 * n)) // the rest of the mapping is never touched
	runtime.AddCleanup(h, func(mem []byte) {
		if syscall.Munmap(mem) == nil {
			mapped.Add(-int64(2 * n))
		}
	}, mem)
	return unsafe.Slice((*int16)(unsafe.Pointer(&mem[off])), n), h
}

var mapped atomic.Int64

// MappedBytes returns the bytes of model weights currently held outside
// the Go heap (runtime.MemStats does not count them).
func MappedBytes() int64 { return mapped.Load() }
