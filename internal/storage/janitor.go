package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// partitionDay is how toDate partitions are named in system.parts
// partition_id.
const partitionDay = "20060102"

// ExpiredPartitions returns the ids among partitionIDs (YYYYMMDD, as
// toDate partitions are named) whose whole day is older than days before
// now: the partition of day D goes once D+1 is more than days ago. Ids that
// are not days are left alone.
func ExpiredPartitions(partitionIDs []string, days int, now time.Time) []string {
	if days <= 0 {
		return nil
	}
	cutoff := now.UTC().AddDate(0, 0, -days)
	var out []string
	for _, id := range partitionIDs {
		day, err := time.Parse(partitionDay, id)
		if err != nil {
			continue
		}
		if !day.AddDate(0, 0, 1).After(cutoff) {
			out = append(out, id)
		}
	}
	return out
}

// DropExpiredPartitions drops the daily partitions of db.table (PARTITION
// BY toDate(...)) that lie wholly more than days before now, reading them
// from system.parts. It is retention for servers without TTL, and returns
// the ids it dropped. Dropping a partition is not a mutation: it detaches
// whole parts at once.
func DropExpiredPartitions(ctx context.Context, conn driver.Conn, db, table string, days int, now time.Time) ([]string, error) {
	if err := errors.Join(checkIdent(db), checkIdent(table)); err != nil {
		return nil, err
	}
	if days <= 0 {
		return nil, nil
	}
	rows, err := conn.Query(ctx, PartitionsSQL(db, table))
	if err != nil {
		return nil, fmt.Errorf("list partitions of %s.%s: %w", db, table, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list partitions of %s.%s: %w", db, table, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list partitions of %s.%s: %w", db, table, err)
	}
	var dropped []string
	for _, id := range ExpiredPartitions(ids, days, now) {
		if err := conn.Exec(ctx, DropPartitionSQL(db, table, id)); err != nil {
			return dropped, fmt.Errorf("drop partition %s of %s.%s: %w", id, db, table, err)
		}
		dropped = append(dropped, id)
	}
	return dropped, nil
}

// Janitor enforces retention by dropping expired daily partitions on a
// schedule, for servers without TTL (see [Features.NeedsJanitor]).
type Janitor struct {
	// Conn reaches ClickHouse.
	Conn driver.Conn
	// Database holds Tables.
	Database string
	// Tables are partitioned by toDate; nil means messages.
	Tables []string
	// Days is the retention; 0 disables the janitor.
	Days int
	// Interval is the time between sweeps; 0 means 1h.
	Interval time.Duration
	// Logger receives the janitor's logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Sweep drops every expired partition once. It tries every table and joins
// the errors.
func (j *Janitor) Sweep(ctx context.Context) error {
	tables := j.Tables
	if tables == nil {
		tables = []string{"messages"}
	}
	now := time.Now
	if j.Now != nil {
		now = j.Now
	}
	var errs []error
	for _, t := range tables {
		if _, err := DropExpiredPartitions(ctx, j.Conn, j.Database, t, j.Days, now()); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Run sweeps at start and then every Interval until ctx ends, logging
// failures (the next sweep retries). It returns nil on cancel.
func (j *Janitor) Run(ctx context.Context) error {
	if j.Days <= 0 {
		return nil
	}
	logger := j.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "storage_janitor")
	interval := j.Interval
	if interval <= 0 {
		interval = time.Hour
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := j.Sweep(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("retention sweep failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
