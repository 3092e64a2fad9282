// Package models embeds the trained text-model weights written by
// `vigia train` (files named <task>_<lang>.bin), so the vigia binary runs
// with no data directory.
package models

import "embed"

// FS holds the weight files.
//
//go:embed *.bin
var FS embed.FS
