// Package spam holds the behaviour signals of spam that the text alone does
// not show: the same text posted by different authors within a sliding
// window (64-bit SimHash over word shingles, found through four 16-bit bands
// so a Hamming distance up to 3 is always caught), links through URL
// shorteners, an author's posting rate, a following/follower ratio typical
// of follow-back bots, and a young account.
//
// A [Detector] keeps bounded state: a ring of the most recent fingerprints
// and an LRU of recent authors, both sized by configuration; windows are
// measured in message time, not wall-clock time, so replays behave like live
// traffic. It is safe for concurrent use.
package spam
