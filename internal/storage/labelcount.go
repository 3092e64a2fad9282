package storage

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// LabelCount is how many messages of a brand a label was decided yes for.
type LabelCount struct {
	Brand string `ch:"brand"`
	Label string `ch:"label"`
	N     uint64 `ch:"n"`
}

// LabelCountsSQL counts yes decisions per brand and label, deduplicated.
func LabelCountsSQL(db string) string {
	return "SELECT brand, label, count() AS n FROM " + db + ".messages FINAL " +
		"ARRAY JOIN label_names AS label, label_decisions AS decision " +
		"WHERE decision = 1 GROUP BY brand, label ORDER BY brand, label"
}

// LabelCounts returns the yes decisions per brand and label.
func LabelCounts(ctx context.Context, conn driver.Conn, db string) ([]LabelCount, error) {
	if err := checkIdent(db); err != nil {
		return nil, err
	}
	var out []LabelCount
	rows, err := conn.Query(ctx, LabelCountsSQL(db))
	if err != nil {
		return nil, fmt.Errorf("count labels in %s.messages: %w", db, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c LabelCount
		if err := rows.ScanStruct(&c); err != nil {
			return nil, fmt.Errorf("count labels in %s.messages: %w", db, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count labels in %s.messages: %w", db, err)
	}
	return out, nil
}
