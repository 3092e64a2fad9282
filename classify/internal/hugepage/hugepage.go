package hugepage

import "unsafe"

// Size is the huge page size advised (x86-64 and arm64 with 4 KiB base
// pages).
const Size = 2 << 20

// Make returns a zeroed slice of n elements. When the slice spans at least
// one huge page it starts on a huge page boundary, inside an allocation up
// to Size larger (never touched beyond the slice, so not resident), and
// its whole huge pages are advised to be huge.
func Make[T any](n int) []T {
	var zero T
	sz := int(unsafe.Sizeof(zero))
	if sz == 0 || n*sz < Size {
		return make([]T, n)
	}
	buf := make([]T, n+(Size+sz-1)/sz)
	off := 0
	if rem := int(uintptr(unsafe.Pointer(&buf[0])) % Size); rem != 0 {
		off = (Size - rem + sz - 1) / sz
	}
	s := buf[off : off+n : off+n]
	// s starts less than one element past a huge page boundary, which is
	// still inside buf; advise from there to the last boundary inside s.
	p := unsafe.Pointer(&s[0])
	back := int(uintptr(p) % Size)
	whole := (back + n*sz) &^ (Size - 1)
	if whole > 0 {
		advise(unsafe.Slice((*byte)(unsafe.Add(p, -back)), whole))
	}
	return s
}
