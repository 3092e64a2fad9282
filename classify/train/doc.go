// Package train builds Vigía's text models from labeled CSV files and
// measures them: it reads the public corpora under the shared data
// directory into fixed train/dev splits, tunes the L2 penalty and the
// decision threshold on a seeded split inside the training rows, fits the
// final [text.Model] on all of them, and computes precision, recall, F1 and
// confusion matrices for `vigia eval`.
//
// Everything is deterministic: splits hash row identifiers with a fixed
// seed and the optimizer has no randomness, so the same inputs give
// byte-identical model files.
package train
