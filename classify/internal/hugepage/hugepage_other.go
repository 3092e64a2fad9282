//go:build !linux

package hugepage

// advise does nothing where transparent huge pages are not advised.
func advise([]byte) {}
