package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/storage"
)

// Store is the case event log in ClickHouse (table case_events, migration
// 0003).
type Store struct {
	conn driver.Conn
	db   string
}

// NewStore returns the event log in database db reached through conn.
func NewStore(conn driver.Conn, db string) *Store {
	return &Store{conn: conn, db: db}
}

// Insert writes events as one native batch. Re-inserting an event (same
// ID, case and time) is harmless: readers collapse the copies.
func (s *Store) Insert(ctx context.Context, events []Event) error {
	rows := make([]storage.CaseEvent, len(events))
	for i := range events {
		rows[i] = toRow(&events[i])
	}
	if err := storage.InsertCaseEvents(ctx, s.conn, s.db, rows); err != nil {
		return fmt.Errorf("write case events: %w", err)
	}
	return nil
}

// Load returns what [Tracker.Rebuild] needs: the whole history of every
// case still open or with an event at or after since
// ([Config.LoadSince]).
func (s *Store) Load(ctx context.Context, since time.Time) ([]Event, error) {
	rows, err := storage.LoadCaseEvents(ctx, s.conn, s.db, since)
	if err != nil {
		return nil, err
	}
	return fromRows(rows), nil
}

// History returns every event of a brand's customer across cases and
// channels, oldest first.
func (s *Store) History(ctx context.Context, brand, customerID string) ([]Event, error) {
	rows, err := storage.CaseHistory(ctx, s.conn, s.db, brand, customerID)
	if err != nil {
		return nil, err
	}
	return fromRows(rows), nil
}

func toRow(e *Event) storage.CaseEvent {
	return storage.CaseEvent{
		ID: e.ID, CaseID: e.CaseID, Seq: e.Seq, Brand: e.Brand, Channel: string(e.Channel),
		CustomerID: e.CustomerID, ConversationID: e.ConversationID, Event: string(e.Event), At: e.At,
		Actor: e.Actor, MessageID: string(e.MessageID), Reason: e.Reason,
		CalendarSeconds: e.CalendarSeconds, BusinessSeconds: e.BusinessSeconds, Priority: string(e.Priority),
		Language: e.Language, Complaint: boolByte(e.Complaint), Influencer: boolByte(e.Influencer),
	}
}

func fromRows(rows []storage.CaseEvent) []Event {
	out := make([]Event, len(rows))
	for i := range rows {
		r := &rows[i]
		out[i] = Event{
			ID: r.ID, CaseID: r.CaseID, Seq: r.Seq, Brand: r.Brand, Channel: message.Channel(r.Channel),
			CustomerID: r.CustomerID, ConversationID: r.ConversationID, Event: EventKind(r.Event), At: r.At.UTC(),
			Actor: r.Actor, MessageID: message.ID(r.MessageID), Reason: r.Reason,
			CalendarSeconds: r.CalendarSeconds, BusinessSeconds: r.BusinessSeconds, Priority: Priority(r.Priority),
			Language: r.Language, Complaint: r.Complaint == 1, Influencer: r.Influencer == 1,
		}
	}
	return out
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
