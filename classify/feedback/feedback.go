// Package feedback reads agents' label corrections from ClickHouse so that
// `vigia train --feedback` can learn from them. It queries the labels table
// joined to messages with clickhouse-go directly, so package classify stays
// free of internal/storage.
package feedback

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigia-dev/vigia/classify/text"
	"github.com/vigia-dev/vigia/classify/train"
)

// Correction is an agent's latest verdict on one message for one label.
type Correction struct {
	MessageID string
	Text      string
	Lang      string
	Task      text.Task
	// Value is 1/0 for complaint, troll and spam, the class index
	// (0 negative, 1 neutral, 2 positive) for sentiment.
	Value int
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Query returns the SQL that reads corrections from database db: the latest
// value per message and label (by created_at), joined to the message text.
func Query(db string) (string, error) {
	if !identRE.MatchString(db) {
		return "", fmt.Errorf("database name %q: want letters, digits and underscores", db)
	}
	return strings.NewReplacer("{db}", db).Replace(`SELECT m.id, m.text, m.lang, f.label, f.value
FROM (
    SELECT message_id, toString(label) AS label, argMax(value, created_at) AS value
    FROM {db}.labels
    GROUP BY message_id, label
) AS f
INNER JOIN (
    SELECT id, any(text) AS text, toString(any(lang)) AS lang
    FROM {db}.messages
    WHERE id IN (SELECT message_id FROM {db}.labels)
    GROUP BY id
) AS m ON m.id = f.message_id
ORDER BY m.id, f.label`), nil
}

// Load connects to the ClickHouse server at addr and reads the
// corrections in db. Labels that are not text-model tasks are skipped.
func Load(ctx context.Context, addr, db string) ([]Correction, error) {
	q, err := Query(db)
	if err != nil {
		return nil, err
	}
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, Auth: clickhouse.Auth{Database: db}})
	if err != nil {
		return nil, fmt.Errorf("open clickhouse %s: %w", addr, err)
	}
	defer conn.Close()
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("query %s.labels: %w", db, err)
	}
	return scan(rows)
}

func scan(rows driver.Rows) ([]Correction, error) {
	defer rows.Close()
	var out []Correction
	for rows.Next() {
		var c Correction
		var label string
		var value uint8
		if err := rows.Scan(&c.MessageID, &c.Text, &c.Lang, &label, &value); err != nil {
			return nil, fmt.Errorf("scan label row: %w", err)
		}
		c.Task = text.Task(label)
		if !c.Task.Valid() {
			continue
		}
		c.Value = int(value)
		if max := len(train.Classes(c.Task)); c.Value >= max {
			continue
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read label rows: %w", err)
	}
	return out, nil
}

// Weight is how much one correction counts relative to a corpus row.
const Weight = 2.0

// AddTo appends the corrections to the groups of their task and language,
// falling back to the task's English group; it returns how many it used.
func AddTo(groups []*train.Group, cs []Correction) int {
	n := 0
	for _, c := range cs {
		g := find(groups, c.Task, c.Lang)
		if g == nil {
			g = find(groups, c.Task, text.FallbackLang)
		}
		if g == nil {
			continue
		}
		g.Extra = append(g.Extra, train.Row{ID: "feedback:" + c.MessageID, Text: c.Text, Label: c.Value, Lang: c.Lang, Weight: Weight})
		n++
	}
	return n
}

func find(groups []*train.Group, task text.Task, lang string) *train.Group {
	for _, g := range groups {
		if g.Task == task && g.Lang == lang {
			return g
		}
	}
	return nil
}
