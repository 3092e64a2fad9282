// Package lexicon holds the classifier's per-language word lists and phrase
// lexicons as data files (one YAML file per language, embedded), and matches
// phrases over normalized tokens in one pass.
//
// Adding a language is adding <code>.yaml next to es.yaml and en.yaml: its
// common words (the cheap first pass of language detection) and its phrases
// per group (complaint, troll, spam.scam, spam.promo, urgent.outage,
// urgent.safety, urgent.legal, urgent.money). A word ending in "*" matches
// any token starting with it ("cobr* dos veces").
package lexicon
