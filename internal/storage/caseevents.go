package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// CaseEvent is a row of case_events: one change of a case (alerts/cases
// owns the meaning of the fields). The table is a ReplacingMergeTree keyed
// by (brand, case_id, at, event, id), so a re-inserted event collapses
// with its copy; readers use FINAL.
type CaseEvent struct {
	ID              string    `ch:"id"`
	CaseID          string    `ch:"case_id"`
	Seq             uint32    `ch:"seq"`
	Brand           string    `ch:"brand"`
	Channel         string    `ch:"channel"`
	CustomerID      string    `ch:"customer_id"`
	ConversationID  string    `ch:"conversation_id"`
	Event           string    `ch:"event"`
	At              time.Time `ch:"at"`
	Actor           string    `ch:"actor"`
	MessageID       string    `ch:"message_id"`
	Reason          string    `ch:"reason"`
	CalendarSeconds int64     `ch:"calendar_seconds"`
	BusinessSeconds int64     `ch:"business_seconds"`
	Priority        string    `ch:"priority"`
	Language        string    `ch:"language"`
	Complaint       uint8     `ch:"complaint"`
	Influencer      uint8     `ch:"influencer"`
}

// caseEventColumns is the column list of selects from case_events, in
// CaseEvent's field order; inserts add inserted_at.
const caseEventColumns = "id, case_id, seq, brand, channel, customer_id, conversation_id, event, at, " +
	"actor, message_id, reason, calendar_seconds, business_seconds, priority, language, complaint, influencer"

// InsertCaseEventsSQL is the INSERT a case event batch is prepared with.
func InsertCaseEventsSQL(db string) string {
	return "INSERT INTO " + db + ".case_events (" + caseEventColumns + ", inserted_at)"
}

// LoadCaseEventsSQL selects, deduplicated and ordered by case and seq, the
// whole history of every case that has an event at or after the Unix time
// bound to ? or is still open (more opened and reopened events than
// resolved ones).
func LoadCaseEventsSQL(db string) string {
	return "SELECT " + caseEventColumns + " FROM " + db + ".case_events FINAL " +
		"WHERE case_id IN (SELECT case_id FROM " + db + ".case_events GROUP BY case_id " +
		"HAVING max(at) >= toDateTime(?) " +
		"OR uniqExactIf(id, event = 'resolved') < uniqExactIf(id, event IN ('opened', 'reopened'))) " +
		"ORDER BY case_id, seq"
}

// CaseHistorySQL selects a customer's events of a brand, deduplicated,
// across cases and channels, oldest first; brand and customer id are
// bound to the two ?.
func CaseHistorySQL(db string) string {
	return "SELECT " + caseEventColumns + " FROM " + db + ".case_events FINAL " +
		"WHERE brand = ? AND customer_id = ? ORDER BY at, case_id, seq"
}

// InsertCaseEvents writes evs into db's case_events as one native batch,
// without retrying; inserted_at is now.
func InsertCaseEvents(ctx context.Context, conn driver.Conn, db string, evs []CaseEvent) error {
	if err := checkIdent(db); err != nil {
		return err
	}
	if len(evs) == 0 {
		return nil
	}
	batch, err := conn.PrepareBatch(ctx, InsertCaseEventsSQL(db))
	if err != nil {
		return fmt.Errorf("insert batch of %d into %s.case_events: %w", len(evs), db, err)
	}
	defer func() { _ = batch.Close() }() // after Send it is a no-op; before, it releases the connection
	now := dateTime(time.Now())
	for i := range evs {
		e := &evs[i]
		if err := batch.Append(e.ID, e.CaseID, e.Seq, e.Brand, e.Channel, e.CustomerID, e.ConversationID, e.Event,
			dateTime(e.At), e.Actor, e.MessageID, e.Reason, e.CalendarSeconds, e.BusinessSeconds, e.Priority, e.Language, e.Complaint, e.Influencer, now); err != nil {
			return fmt.Errorf("insert batch of %d into %s.case_events: append row %d: %w", len(evs), db, i, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert batch of %d into %s.case_events: %w", len(evs), db, err)
	}
	return nil
}

// LoadCaseEvents returns the whole history of every case with an event at
// or after since, or still open: what rebuilds the case tracker. Events
// are deduplicated and ordered by case and seq; times are UTC.
func LoadCaseEvents(ctx context.Context, conn driver.Conn, db string, since time.Time) ([]CaseEvent, error) {
	if err := checkIdent(db); err != nil {
		return nil, err
	}
	out, err := selectCaseEvents(ctx, conn, LoadCaseEventsSQL(db), dateTime(since).Unix())
	if err != nil {
		return nil, fmt.Errorf("load case events from %s since %s: %w", db, since.Format(time.RFC3339), err)
	}
	return out, nil
}

// CaseHistory returns every event of a brand's customer, across cases and
// channels, oldest first.
func CaseHistory(ctx context.Context, conn driver.Conn, db, brand, customerID string) ([]CaseEvent, error) {
	if err := checkIdent(db); err != nil {
		return nil, err
	}
	out, err := selectCaseEvents(ctx, conn, CaseHistorySQL(db), brand, customerID)
	if err != nil {
		return nil, fmt.Errorf("read case history of a %s customer from %s: %w", brand, db, err)
	}
	return out, nil
}

func selectCaseEvents(ctx context.Context, conn driver.Conn, query string, args ...any) ([]CaseEvent, error) {
	rows, err := conn.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CaseEvent
	for rows.Next() {
		var e CaseEvent
		if err := rows.ScanStruct(&e); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// ResponseTimes is the first response summary of one brand's cases.
type ResponseTimes struct {
	Brand string `ch:"brand"`
	// Cases opened in the period, and Answered: how many of them had a
	// first human reply.
	Cases    uint64 `ch:"cases"`
	Answered uint64 `ch:"answered"`
	// First response times of the answered cases, in seconds: median and
	// 90th percentile (ClickHouse quantileExact: the value at position
	// ⌊level·n⌋ of the sorted values), on the calendar and business
	// clocks. Zero when no case was answered.
	CalendarP50 int64 `ch:"calendar_p50"`
	CalendarP90 int64 `ch:"calendar_p90"`
	BusinessP50 int64 `ch:"business_p50"`
	BusinessP90 int64 `ch:"business_p90"`
}

// ResponseTimesSQL summarizes first response times per brand for the cases
// opened at or after the Unix time bound to ?, deduplicated.
func ResponseTimesSQL(db string) string {
	responded := "event = 'responded'"
	return "SELECT brand, countIf(event = 'opened') AS cases, countIf(" + responded + ") AS answered, " +
		"quantileExactIf(0.5)(calendar_seconds, " + responded + ") AS calendar_p50, " +
		"quantileExactIf(0.9)(calendar_seconds, " + responded + ") AS calendar_p90, " +
		"quantileExactIf(0.5)(business_seconds, " + responded + ") AS business_p50, " +
		"quantileExactIf(0.9)(business_seconds, " + responded + ") AS business_p90 " +
		"FROM " + db + ".case_events FINAL " +
		"WHERE event IN ('opened', 'responded') AND case_id IN " +
		"(SELECT case_id FROM " + db + ".case_events WHERE event = 'opened' AND at >= toDateTime(?)) " +
		"GROUP BY brand ORDER BY brand"
}

// ResponseTimesSince returns the first response summary of each brand
// with cases opened at or after since, ordered by brand.
func ResponseTimesSince(ctx context.Context, conn driver.Conn, db string, since time.Time) ([]ResponseTimes, error) {
	if err := checkIdent(db); err != nil {
		return nil, err
	}
	var out []ResponseTimes
	if err := conn.Select(ctx, &out, ResponseTimesSQL(db), dateTime(since).Unix()); err != nil {
		return nil, fmt.Errorf("summarize response times in %s.case_events: %w", db, err)
	}
	return out, nil
}
