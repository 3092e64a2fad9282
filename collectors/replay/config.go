package replay

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// Format is the layout of a replay file.
type Format string

// Known formats.
const (
	FormatAuto  Format = "auto"  // by extension, then by the first bytes
	FormatJSONL Format = "jsonl" // one message.Message JSON object per line
	FormatTwcs  Format = "twcs"  // CSV of the Kaggle "Customer Support on Twitter" dataset
)

// Valid reports whether f is a known format.
func (f Format) Valid() bool { return f == FormatAuto || f == FormatJSONL || f == FormatTwcs }

// UTF8Policy says what to do with invalid UTF-8 in the input.
type UTF8Policy string

// Known UTF-8 policies.
const (
	UTF8Replace UTF8Policy = "replace" // replace each invalid byte sequence with U+FFFD
	UTF8Reject  UTF8Policy = "reject"  // skip the row, counted and logged
)

// UnmappedHandle says which brand a twcs row gets when its brand handle is
// not in HandleToBrand.
type UnmappedHandle string

// Known UnmappedHandle values.
const (
	UnmappedUseHandle       UnmappedHandle = "handle"        // the handle itself, lowercased
	UnmappedUseDefaultBrand UnmappedHandle = "default_brand" // Config.DefaultBrand
)

// Defaults and bounds.
const (
	DefaultBatchSize    = 500
	MaxBatchSize        = 10_000
	DefaultMaxLineBytes = 1 << 20 // 1 MiB
	MinMaxLineBytes     = 1 << 10
	MaxMaxLineBytes     = 64 << 20
	DefaultMaxGap       = time.Minute
)

// Config configures one replay collector.
type Config struct {
	// Name names this collector in logs and metrics.
	Name string `yaml:"name"`
	// Path is the file to replay, relative to the config file's directory.
	Path string `yaml:"path"`
	// Format is auto, jsonl or twcs.
	Format Format `yaml:"format"`
	// Speed is 0 for as fast as possible, or N > 0 to replay at N times the
	// recorded pace (gaps between created_at values divided by N).
	Speed float64 `yaml:"speed"`
	// MaxGap caps any single wait when Speed > 0, so a quiet night in the
	// recording does not stall a demo. 0 means no cap.
	MaxGap time.Duration `yaml:"max_gap"`
	// BatchSize is how many messages go in one Publish call.
	BatchSize int `yaml:"batch_size"`
	// MaxLineBytes bounds one line (jsonl) or one record (twcs).
	MaxLineBytes int `yaml:"max_line_bytes"`
	// InvalidUTF8 is replace or reject.
	InvalidUTF8 UTF8Policy `yaml:"invalid_utf8"`
	// DefaultBrand is the brand of messages whose brand is not otherwise known.
	DefaultBrand string `yaml:"default_brand"`
	// HandleToBrand maps a brand's handle (case-insensitive, without "@") to
	// the brand name. The app adds the handles of the top-level brands.
	HandleToBrand map[string]string `yaml:"handle_to_brand"`
	// UnmappedHandle is handle or default_brand: the brand of a twcs reply
	// whose author handle is not in HandleToBrand.
	UnmappedHandle UnmappedHandle `yaml:"unmapped_handle"`
}

// DefaultConfig returns the defaults; Path and DefaultBrand must be set.
func DefaultConfig() Config {
	return Config{
		Name:           "replay",
		Format:         FormatAuto,
		MaxGap:         DefaultMaxGap,
		BatchSize:      DefaultBatchSize,
		MaxLineBytes:   DefaultMaxLineBytes,
		InvalidUTF8:    UTF8Replace,
		DefaultBrand:   "default",
		UnmappedHandle: UnmappedUseHandle,
	}
}

// Validate reports every problem with c, each naming the field.
func (c Config) Validate() error {
	var errs []error
	bad := func(field string, value any, want string) {
		errs = append(errs, fmt.Errorf("%s: %v: %s", field, value, want))
	}
	if c.Name == "" {
		bad("name", `""`, "must not be empty")
	}
	if strings.TrimSpace(c.Path) == "" {
		bad("path", `""`, "must name the file to replay")
	}
	if !c.Format.Valid() {
		bad("format", fmt.Sprintf("%q", c.Format), "want auto, jsonl or twcs")
	}
	if c.Speed < 0 || math.IsNaN(c.Speed) || math.IsInf(c.Speed, 0) {
		bad("speed", c.Speed, "want 0 (as fast as possible) or a positive multiplier")
	}
	if c.MaxGap < 0 {
		bad("max_gap", fmt.Sprintf("%q", c.MaxGap), "must not be negative")
	}
	if c.BatchSize < 1 || c.BatchSize > MaxBatchSize {
		bad("batch_size", c.BatchSize, fmt.Sprintf("must be between 1 and %d", MaxBatchSize))
	}
	if c.MaxLineBytes < MinMaxLineBytes || c.MaxLineBytes > MaxMaxLineBytes {
		bad("max_line_bytes", c.MaxLineBytes, fmt.Sprintf("must be between %d and %d", MinMaxLineBytes, MaxMaxLineBytes))
	}
	if c.InvalidUTF8 != UTF8Replace && c.InvalidUTF8 != UTF8Reject {
		bad("invalid_utf8", fmt.Sprintf("%q", c.InvalidUTF8), "want replace or reject")
	}
	if c.DefaultBrand == "" {
		bad("default_brand", `""`, "must not be empty")
	}
	if c.UnmappedHandle != UnmappedUseHandle && c.UnmappedHandle != UnmappedUseDefaultBrand {
		bad("unmapped_handle", fmt.Sprintf("%q", c.UnmappedHandle), "want handle or default_brand")
	}
	for _, h := range slices.Sorted(maps.Keys(c.HandleToBrand)) {
		b := c.HandleToBrand[h]
		if normHandle(h) == "" {
			bad("handle_to_brand", fmt.Sprintf("%q", h), "handle must not be empty")
		}
		if b == "" {
			bad("handle_to_brand."+h, `""`, "brand must not be empty")
		}
	}
	return errors.Join(errs...)
}

// normHandle lowercases a handle and drops a leading "@".
func normHandle(h string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "@"))
}
