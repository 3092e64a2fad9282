// Package lang detects the language of short social-media texts among the
// languages a deployment has configured.
//
// The decision belongs to lingua-go (github.com/pemistahl/lingua-go), built
// only from the configured languages. Because lingua costs tens of
// microseconds per text, a cheap first pass runs before it: the normalized
// tokens vote with per-language stopword lists (data, supplied by the
// caller), and only when that vote is not clear-cut is lingua asked. Adding a
// language is adding its ISO 639-1 code to the configuration and its
// stopword list to the lexicons; no code changes.
package lang
