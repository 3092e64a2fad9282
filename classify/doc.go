// Package classify labels messages for the care team: complaint, troll,
// spam, influencer and urgent, each with a score in [0,1], a decision from a
// configurable threshold and short reasons naming the phrases, rules and
// signals that fired; plus the language and a sentiment score in [-1,1].
//
// A [Classifier] analyses the text once (classify/text), detects the
// language among the configured ones (classify/lang), scores the text
// models, matches the lexicons and the brand's keywords (classify/lexicon),
// and adds the behaviour signals of spam (classify/spam), the author's reach
// (classify/influence) and the urgency rules (classify/urgent). Evidence for
// a label is combined as independent evidence (noisy-OR): a model
// probability p and phrase weights w1, w2 give 1-(1-p)(1-w1)(1-w2).
//
// Per-brand configuration adds keywords per label and language, a VIP list
// (always influencers), a block list (marked spam or troll, or ignored) and
// its own thresholds and influencer tiers.
package classify
