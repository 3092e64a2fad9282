// Package storage keeps Vigía's history in ClickHouse: versioned schema
// migrations, a batching message writer that retries until ClickHouse takes
// the rows, retention (TTL or a partition janitor) and the queries the
// application counts with.
//
// The DDL is written for two engines. The baseline is what Debian's
// ClickHouse 18.16 accepts; newer servers get LowCardinality columns,
// compression codecs and TTL retention, switched on from the server version
// (see [Features]). The runtime SQL is built by the same functions for the
// native driver and for the chDB tests (build tag chdb), so both engines run
// the same strings.
//
// Duplicates are expected: the messages table is a ReplacingMergeTree keyed
// by (brand, created_at, id), and every query that counts reads it with FINAL.
package storage
