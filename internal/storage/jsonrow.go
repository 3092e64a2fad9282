package storage

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/internal/message"
)

// MessageColumns lists the messages table's columns in the order
// InsertMessagesSQL and AppendJSONEachRow use.
func MessageColumns() []string { return strings.Split(messageColumns, ", ") }

// AppendJSONEachRow appends m as one JSONEachRow line of the messages
// table (the row the Writer would insert, with ingestedAt), for inserts
// through clickhouse-client or chDB, which have no native batches. Times
// are Unix seconds, which every ClickHouse release parses for DateTime.
func AppendJSONEachRow(buf []byte, m *message.Message, ingestedAt time.Time) ([]byte, error) {
	r := toRow(m, ingestedAt)
	vals := r.values()
	cols := MessageColumns()
	if len(vals) != len(cols) {
		return buf, fmt.Errorf("row of %s has %d values for %d columns", m.ID, len(vals), len(cols))
	}
	buf = append(buf, '{')
	for i, c := range cols {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '"')
		buf = append(buf, c...)
		buf = append(buf, '"', ':')
		var v any
		switch x := vals[i].(type) {
		case time.Time:
			v = x.Unix()
		case []uint8: // encoding/json would write base64
			ns := make([]int, len(x))
			for k, b := range x {
				ns[k] = int(b)
			}
			v = ns
		default:
			v = x
		}
		b, err := json.Marshal(v)
		if err != nil {
			return buf, fmt.Errorf("encode column %s of %s: %w", c, m.ID, err)
		}
		buf = append(buf, b...)
	}
	return append(buf, '}', '\n'), nil
}
