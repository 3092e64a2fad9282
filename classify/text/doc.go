// Package text holds Vigía's text models: a normalizer and tokenizer for
// short social-media messages (Unicode NFKC, case and accent folding, URL,
// @mention, #hashtag and emoji tokens, elongation squeezing, negation scope),
// hashed word and character n-gram features, and linear models (binary
// logistic regression and multinomial softmax) for the complaint, troll,
// spam and sentiment tasks, per language.
//
// A message is analysed once with [Analyze]; the resulting [Doc] is shared by
// every model. [LoadEmbedded] returns the models trained by `vigia train` and
// embedded in package classify/models.
package text
