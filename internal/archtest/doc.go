// Package archtest holds tests of the repository's architecture: which
// packages may import which, that every package is documented, and that
// every collector is wired into the app. It has no code of its own.
package archtest
