package text

// Doc is a message analysed once: normalized tokens, hashed features and
// surface flags. It is shared by every model and read-only after Analyze.
type Doc struct {
	tokens []string
	feats  []uint32
	scale  float32

	// HasURL is true when the message contains a link.
	HasURL bool
	// NumMentions counts @mentions.
	NumMentions int
	// NumHashtags counts #hashtags.
	NumHashtags int
	// Emojis lists the emoji found, in order.
	Emojis []string
	// Elongated is true when a word had a letter repeated three or more
	// times ("noooo").
	Elongated bool
}

// Analyze normalizes and tokenizes s and computes its hashed features.
func Analyze(s string) *Doc {
	return &Doc{}
}

// Tokens returns the normalized word tokens: lower-cased, accent-folded,
// elongations squeezed; URLs as "<url>", mentions as "@user", hashtags as
// "#tag" followed by "tag", emoji as themselves and words in a negation
// scope prefixed with "neg_".
func (d *Doc) Tokens() []string { return d.tokens }
