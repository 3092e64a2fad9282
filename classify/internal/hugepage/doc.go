// Package hugepage allocates the classifier's large, long-lived tables
// (interleaved model weights, spam detector state) on the Go heap, placed
// on 2 MiB boundaries and advised to be backed by transparent huge pages
// where the system allows them.
//
// The classifier reads a few hundred scattered entries of several MiB of
// tables per message; with 4 KiB pages nearly every such read also misses
// the TLB. The memory stays the Go heap's, so its lifetime is that of the
// slice like any other (no unmapping, no finalizers); the advice changes
// only the page size behind it. On other systems, or when the advice
// fails, the slices are ordinary ones.
package hugepage
