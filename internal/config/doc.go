// Package config loads and validates vigia.yaml, the one configuration file.
//
// Loading is strict: unknown keys are errors. Validation is total: every
// problem is reported at once, each naming the field path, the bad value and
// what is expected. Secrets never appear in the file itself, only references
// to an environment variable or a file (`*_env`, `*_file`), resolved at start
// into a Secret that prints as <secret>.
package config
