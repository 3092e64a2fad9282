package hugepage

import "syscall"

// madvCollapse is Linux's MADV_COLLAPSE (6.1 and later).
const madvCollapse = 25

// advise asks for transparent huge pages behind b (2 MiB aligned, whole
// huge pages) and, best effort, collapses what is already populated.
func advise(b []byte) {
	if syscall.Madvise(b, syscall.MADV_HUGEPAGE) == nil {
		_ = syscall.Madvise(b, madvCollapse)
	}
}
