package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigia-dev/vigia/internal/message"
)

// Count is how many distinct messages share a brand, channel, kind and
// direction.
type Count struct {
	Brand     string `ch:"brand"`
	Channel   string `ch:"channel"`
	Kind      string `ch:"kind"`
	Direction string `ch:"direction"`
	N         uint64 `ch:"n"`
}

// CountMessages returns how many distinct messages db holds.
func CountMessages(ctx context.Context, conn driver.Conn, db string) (uint64, error) {
	if err := checkIdent(db); err != nil {
		return 0, err
	}
	var n uint64
	if err := conn.QueryRow(ctx, CountMessagesSQL(db)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count messages in %s: %w", db, err)
	}
	return n, nil
}

// CountsBy returns distinct message counts by brand, channel, kind and
// direction, ordered by those columns.
func CountsBy(ctx context.Context, conn driver.Conn, db string) ([]Count, error) {
	if err := checkIdent(db); err != nil {
		return nil, err
	}
	var out []Count
	if err := conn.Select(ctx, &out, CountsBySQL(db)); err != nil {
		return nil, fmt.Errorf("count messages by brand, channel, kind, direction in %s: %w", db, err)
	}
	return out, nil
}

// ReadMessages reads back whole messages from db, deduplicated, ordered by
// creation time and id. where is an optional SQL condition with ?
// placeholders bound to args; it is trusted SQL, so never build it from
// input. Times come back in UTC at whole seconds and scores as float32
// values, as they were stored.
func ReadMessages(ctx context.Context, conn driver.Conn, db, where string, args ...any) ([]message.Message, error) {
	if err := checkIdent(db); err != nil {
		return nil, err
	}
	rows, err := conn.Query(ctx, SelectMessagesSQL(db, where), args...)
	if err != nil {
		return nil, fmt.Errorf("read messages from %s: %w", db, err)
	}
	defer rows.Close()
	var out []message.Message
	for rows.Next() {
		var r messageRow
		if err := rows.ScanStruct(&r); err != nil {
			return nil, fmt.Errorf("read messages from %s: %w", db, err)
		}
		out = append(out, r.message())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read messages from %s: %w", db, err)
	}
	return out, nil
}

// InsertMessages writes msgs into db as one native batch, without retrying;
// ingested_at is now. The [Writer] is what the pipeline uses; this is for
// benchmarks, tools and tests.
func InsertMessages(ctx context.Context, conn driver.Conn, db string, msgs []message.Message) error {
	if err := checkIdent(db); err != nil {
		return err
	}
	rows := make([]messageRow, len(msgs))
	now := time.Now()
	for i := range msgs {
		rows[i] = toRow(&msgs[i], now)
	}
	return insertRows(ctx, conn, db, rows)
}

// insertRows is one PrepareBatch, a columnar Append per column, Send.
// Appending whole columns avoids a []any and a type switch per value, which
// at a million rows is most of the client's cost.
func insertRows(ctx context.Context, conn driver.Conn, db string, rows []messageRow) error {
	batch, err := conn.PrepareBatch(ctx, InsertMessagesSQL(db))
	if err != nil {
		return fmt.Errorf("insert batch of %d into %s.messages: %w", len(rows), db, err)
	}
	defer func() { _ = batch.Close() }() // after Send it is a no-op; before, it releases the connection
	for i, col := range rowColumns(rows) {
		if err := batch.Column(i).Append(col); err != nil {
			return fmt.Errorf("insert batch of %d into %s.messages: append column %s: %w", len(rows), db, MessageColumns()[i], err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert batch of %d into %s.messages: %w", len(rows), db, err)
	}
	return nil
}

// rowColumns turns rows into one slice per column, in messageColumns order.
func rowColumns(rows []messageRow) []any {
	n := len(rows)
	str := func(f func(*messageRow) string) []string {
		out := make([]string, n)
		for i := range rows {
			out[i] = f(&rows[i])
		}
		return out
	}
	tm := func(f func(*messageRow) time.Time) []time.Time {
		out := make([]time.Time, n)
		for i := range rows {
			out[i] = f(&rows[i])
		}
		return out
	}
	i64 := func(f func(*messageRow) int64) []int64 {
		out := make([]int64, n)
		for i := range rows {
			out[i] = f(&rows[i])
		}
		return out
	}
	verified, sentiment := make([]uint8, n), make([]float32, n)
	names, reasons := make([][]string, n), make([][]string, n)
	scores, decisions := make([][]float32, n), make([][]uint8, n)
	for i := range rows {
		r := &rows[i]
		verified[i], sentiment[i] = r.AuthorVerified, r.Sentiment
		names[i], scores[i], decisions[i], reasons[i] = r.LabelNames, r.LabelScores, r.LabelDecisions, r.LabelReasons
	}
	return []any{
		str(func(r *messageRow) string { return r.ID }),
		str(func(r *messageRow) string { return r.Brand }),
		str(func(r *messageRow) string { return r.Channel }),
		str(func(r *messageRow) string { return r.Kind }),
		str(func(r *messageRow) string { return r.Direction }),
		str(func(r *messageRow) string { return r.ConversationID }),
		str(func(r *messageRow) string { return r.InReplyTo }),
		str(func(r *messageRow) string { return r.AuthorID }),
		str(func(r *messageRow) string { return r.AuthorHandle }),
		str(func(r *messageRow) string { return r.AuthorName }),
		i64(func(r *messageRow) int64 { return r.AuthorFollowers }),
		i64(func(r *messageRow) int64 { return r.AuthorFollowing }),
		verified,
		tm(func(r *messageRow) time.Time { return r.AuthorCreatedAt }),
		str(func(r *messageRow) string { return r.Text }),
		str(func(r *messageRow) string { return r.Lang }),
		sentiment,
		names, scores, decisions, reasons,
		tm(func(r *messageRow) time.Time { return r.CreatedAt }),
		tm(func(r *messageRow) time.Time { return r.ReceivedAt }),
		tm(func(r *messageRow) time.Time { return r.IngestedAt }),
		str(func(r *messageRow) string { return r.Raw }),
	}
}

// Feedback is an agent's verdict on one classifier label of a message, a
// row of the labels table. The latest verdict per message, label and actor
// wins.
type Feedback struct {
	MessageID message.ID
	Brand     string
	Label     string
	// Value says whether the label applies.
	Value     bool
	Actor     string
	Note      string
	CreatedAt time.Time
}

// InsertFeedback writes fb into db's labels table as one native batch.
func InsertFeedback(ctx context.Context, conn driver.Conn, db string, fb []Feedback) error {
	if err := checkIdent(db); err != nil {
		return err
	}
	batch, err := conn.PrepareBatch(ctx, InsertLabelSQL(db))
	if err != nil {
		return fmt.Errorf("insert batch of %d into %s.labels: %w", len(fb), db, err)
	}
	defer func() { _ = batch.Close() }()
	for i, f := range fb {
		if err := batch.Append(string(f.MessageID), f.Brand, f.Label, b2u(f.Value), f.Actor, f.Note, dateTime(f.CreatedAt)); err != nil {
			return fmt.Errorf("insert batch of %d into %s.labels: append row %d: %w", len(fb), db, i, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert batch of %d into %s.labels: %w", len(fb), db, err)
	}
	return nil
}
