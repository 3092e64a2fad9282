package storage

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// The runtime SQL lives here, as functions of the database (and table)
// name, so the native driver and the chDB tests run the very same strings.
// Identifiers are validated by checkIdent before they get here; string
// values go through quoteString.

var identPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)

// checkIdent accepts plain ClickHouse identifiers, which need no quoting.
func checkIdent(name string) error {
	if !identPattern.MatchString(name) {
		return fmt.Errorf("database or table name %q: want letters, digits and underscores, not starting with a digit", name)
	}
	return nil
}

// quoteString renders s as a ClickHouse string literal.
func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// messageColumns is the column list of every insert into and select from
// messages, in the order messageValues produces values.
const messageColumns = "id, brand, channel, kind, direction, conversation_id, in_reply_to, " +
	"author_id, author_handle, author_name, author_followers, author_following, " +
	"author_verified, author_created_at, text, lang, sentiment, " +
	"label_names, label_scores, label_decisions, label_reasons, " +
	"created_at, received_at, ingested_at, raw"

// CreateDatabaseSQL creates db if it is missing.
func CreateDatabaseSQL(db string) string {
	return "CREATE DATABASE IF NOT EXISTS " + db
}

// SchemaMigrationsSQL creates the table recording applied migrations.
func SchemaMigrationsSQL(db string) string {
	return "CREATE TABLE IF NOT EXISTS " + db + ".schema_migrations (\n" +
		"    version UInt32,\n" +
		"    name String,\n" +
		"    applied_at DateTime\n" +
		")\n" +
		"ENGINE = ReplacingMergeTree(applied_at)\n" +
		"ORDER BY version"
}

// AppliedMigrationsSQL lists the migration versions recorded in db.
func AppliedMigrationsSQL(db string) string {
	return "SELECT DISTINCT version FROM " + db + ".schema_migrations ORDER BY version"
}

// RecordMigrationSQL records m as applied in db. It is an INSERT ...
// SELECT, not VALUES: over the native protocol a VALUES insert sent as a
// plain statement waits for a data block that Exec never sends (18.16 hangs).
func RecordMigrationSQL(db string, m Migration) string {
	return fmt.Sprintf("INSERT INTO %s.schema_migrations (version, name, applied_at) SELECT %d, %s, now()",
		db, m.Version, quoteString(m.Name))
}

// InsertMessagesSQL is the INSERT a message batch is prepared with; the
// rows follow in the native protocol (or a FORMAT clause in chDB).
func InsertMessagesSQL(db string) string {
	return "INSERT INTO " + db + ".messages (" + messageColumns + ")"
}

// SelectMessagesSQL reads whole message rows, deduplicated, with an
// optional WHERE condition (without the keyword), ordered by creation time
// and id.
func SelectMessagesSQL(db, where string) string {
	q := "SELECT " + messageColumns + " FROM " + db + ".messages FINAL"
	if where != "" {
		q += " WHERE " + where
	}
	return q + " ORDER BY created_at, id"
}

// CountMessagesSQL counts distinct messages.
func CountMessagesSQL(db string) string {
	return "SELECT count() FROM " + db + ".messages FINAL"
}

// CountsBySQL counts distinct messages by brand, channel, kind and
// direction.
func CountsBySQL(db string) string {
	return "SELECT brand, channel, kind, direction, count() AS n FROM " + db + ".messages FINAL " +
		"GROUP BY brand, channel, kind, direction ORDER BY brand, channel, kind, direction"
}

// PartitionsSQL lists the active partition ids of db.table. For tables
// partitioned by toDate the id is the day as YYYYMMDD on every release.
func PartitionsSQL(db, table string) string {
	return "SELECT DISTINCT partition_id FROM system.parts WHERE database = " + quoteString(db) +
		" AND table = " + quoteString(table) + " AND active ORDER BY partition_id"
}

// DropPartitionSQL drops the partition with id from db.table.
func DropPartitionSQL(db, table, id string) string {
	return "ALTER TABLE " + db + "." + table + " DROP PARTITION ID " + quoteString(id)
}

// InsertLabelSQL is the INSERT classifier feedback is prepared with.
func InsertLabelSQL(db string) string {
	return "INSERT INTO " + db + ".labels (message_id, brand, label, value, actor, note, created_at)"
}

// dateTime clamps t to what a DateTime column holds: whole seconds, from
// the Unix epoch. The zero time becomes the epoch, read back as zero.
func dateTime(t time.Time) time.Time {
	if t.IsZero() || t.Before(time.Unix(0, 0)) {
		return time.Unix(0, 0).UTC()
	}
	return t.UTC().Truncate(time.Second)
}

// fromDateTime undoes dateTime: the epoch reads back as the zero time.
func fromDateTime(t time.Time) time.Time {
	if t.Unix() <= 0 {
		return time.Time{}
	}
	return t.UTC()
}
