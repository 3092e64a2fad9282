package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Version is a ClickHouse release, major.minor; patch levels never gate a
// feature here.
type Version struct {
	Major, Minor uint64
}

// String returns the version as "major.minor".
func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// AtLeast reports whether v is the release o or a later one.
func (v Version) AtLeast(o Version) bool {
	return v.Major > o.Major || (v.Major == o.Major && v.Minor >= o.Minor)
}

// ParseVersion reads "major.minor[.anything]", the form `SELECT version()`
// returns on servers and in chDB (e.g. "18.16.1", "26.7.3.1").
func ParseVersion(s string) (Version, error) {
	parts := strings.SplitN(strings.TrimSpace(s), ".", 3)
	if len(parts) < 2 {
		return Version{}, fmt.Errorf("parse clickhouse version %q: want major.minor", s)
	}
	major, err := strconv.ParseUint(parts[0], 10, 32)
	if err != nil {
		return Version{}, fmt.Errorf("parse clickhouse version %q: %w", s, err)
	}
	minor, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil {
		return Version{}, fmt.Errorf("parse clickhouse version %q: %w", s, err)
	}
	return Version{Major: major, Minor: minor}, nil
}

// Features are the optional parts of the DDL a server supports. The zero
// value is the 18.16 baseline.
type Features struct {
	// HasLowCardinality renders enum-like columns as LowCardinality(String).
	HasLowCardinality bool
	// HasCodecs adds CODEC(...) to large text and time columns.
	HasCodecs bool
	// HasTTL enables table TTL retention with ttl_only_drop_parts = 1;
	// without it retention is the partition janitor's job.
	HasTTL bool
}

// FeaturesFor returns the features the release v supports.
//
// Each feature arrived earlier than the release it is gated on (CODEC in
// 19.1, table TTL in 19.6, LowCardinality leaving experimental and
// ttl_only_drop_parts during 19.x); we gate on the first LTS release where
// all of them are stable, 20.3, rather than on the exact release that
// introduced each one. 18.16 has none of them.
func FeaturesFor(v Version) Features {
	lts203 := Version{Major: 20, Minor: 3}
	return Features{
		HasLowCardinality: v.AtLeast(lts203),
		HasCodecs:         v.AtLeast(lts203),
		HasTTL:            v.AtLeast(lts203),
	}
}

// DetectFeatures asks the server behind conn for its version and returns the
// features it supports.
func DetectFeatures(ctx context.Context, conn driver.Conn) (Features, Version, error) {
	if err := ctx.Err(); err != nil {
		return Features{}, Version{}, err
	}
	sv, err := conn.ServerVersion()
	if err != nil {
		return Features{}, Version{}, fmt.Errorf("read clickhouse server version: %w", err)
	}
	v := Version{Major: sv.Version.Major, Minor: sv.Version.Minor}
	return FeaturesFor(v), v, nil
}

// NeedsJanitor reports whether retention of retentionDays must be enforced
// by [DropExpiredPartitions] because the server has no table TTL.
func (f Features) NeedsJanitor(retentionDays int) bool {
	return retentionDays > 0 && !f.HasTTL
}
