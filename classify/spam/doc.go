// Package spam holds the behaviour signals of spam that the text alone does
// not show: the same text posted by different authors within a sliding
// window (64-bit SimHash over word shingles, found through four 16-bit bands
// so a Hamming distance up to 3 is always caught), links through URL
// shorteners, an author's posting rate, a following/follower ratio typical
// of follow-back bots, and a young account.
//
// A [Detector] keeps bounded state, allocated once when it is built and
// sized by configuration: a ring of the most recent fingerprints with four
// band indexes (fixed buckets of the 16 newest fingerprints per band
// value), and a set-associative table of recent authors' post times (LRU
// within each set of 8). Observing a message allocates nothing. Windows are
// measured in message time, not wall-clock time, so replays behave like
// live traffic. It is safe for concurrent use.
package spam
