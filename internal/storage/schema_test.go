package storage

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// messagesColumns renders the messages column list for the given enum type
// and codec clauses, so the pinned DDL below stays readable.
func messagesColumns(enum, text, tm string) string {
	return `    id String,
    brand ` + enum + `,
    channel ` + enum + `,
    kind ` + enum + `,
    direction ` + enum + `,
    conversation_id String,
    in_reply_to String,
    author_id String,
    author_handle String,
    author_name String,
    author_followers Int64,
    author_following Int64,
    author_verified UInt8,
    author_created_at DateTime,
    text String` + text + `,
    lang ` + enum + `,
    sentiment Float32,
    label_names Array(` + enum + `),
    label_scores Array(Float32),
    label_decisions Array(UInt8),
    label_reasons Array(String),
    created_at DateTime` + tm + `,
    received_at DateTime` + tm + `,
    ingested_at DateTime,
    raw String` + text
}

// caseEventsDDL is migration 0003 (case_events) with the given enum type
// and time codec clause.
func caseEventsDDL(db, enum, tm string) string {
	return "CREATE TABLE IF NOT EXISTS " + db + ".case_events (\n" +
		"    id String,\n    case_id String,\n    seq UInt32,\n    brand " + enum + ",\n    channel " + enum + ",\n" +
		"    customer_id String,\n    conversation_id String,\n    event " + enum + ",\n    at DateTime" + tm + ",\n" +
		"    actor String,\n    message_id String,\n    reason " + enum + ",\n    calendar_seconds Int64,\n" +
		"    business_seconds Int64,\n    priority " + enum + ",\n    language " + enum + ",\n    complaint UInt8,\n    influencer UInt8,\n    inserted_at DateTime\n)\n" +
		"ENGINE = ReplacingMergeTree(inserted_at)\n" +
		"PARTITION BY toYYYYMM(at)\n" +
		"ORDER BY (brand, case_id, at, event, id)\n" +
		"SETTINGS index_granularity = 8192"
}

// notificationsDDL is migration 0005 (notifications) with the given enum
// type and DateTime codec.
func notificationsDDL(db, enum, tm string) string {
	return "CREATE TABLE IF NOT EXISTS " + db + ".notifications (\n" +
		"    receiver " + enum + ",\n    group_key String,\n    group_id String,\n    version UInt64,\n" +
		"    kind " + enum + ",\n    status " + enum + ",\n    attempt UInt32,\n    reason " + enum + ",\n" +
		"    error String,\n    post_ref String,\n    alerts UInt32,\n" +
		"    enqueued_at DateTime" + tm + ",\n    at DateTime" + tm + "\n)\n" +
		"ENGINE = MergeTree\nPARTITION BY toYYYYMM(at)\nORDER BY (receiver, at, group_id)\n" +
		"SETTINGS index_granularity = 8192"
}

// alertStateDDL is migration 0004 (silences and notification_log), the same
// on every release.
func alertStateDDL(db string) string {
	return "CREATE TABLE IF NOT EXISTS " + db + ".silences (\n" +
		"    id String,\n    matchers Array(String),\n    starts_at DateTime,\n    ends_at DateTime,\n" +
		"    created_by String,\n    comment String,\n    updated_at DateTime,\n    revision UInt64\n)\n" +
		"ENGINE = ReplacingMergeTree(revision)\n" +
		"ORDER BY id\n" +
		"SETTINGS index_granularity = 8192;\n" +
		"CREATE TABLE IF NOT EXISTS " + db + ".notification_log (\n" +
		"    group_key String,\n    group_id String,\n    version UInt64,\n    firing Array(UInt64),\n" +
		"    at DateTime,\n    revision UInt64\n)\n" +
		"ENGINE = ReplacingMergeTree(revision)\n" +
		"ORDER BY group_key\n" +
		"SETTINGS index_granularity = 8192"
}

func TestMigrationsRender(t *testing.T) {
	modern := FeaturesFor(Version{Major: 26, Minor: 7})
	const lc = "LowCardinality(String)"
	const zstd = " CODEC(ZSTD(1))"
	const delta = " CODEC(Delta(4), ZSTD(1))"
	tests := []struct {
		name string
		data TemplateData
		want []string // one per migration, in order
	}{
		{
			name: "18.16 baseline ignores retention",
			data: TemplateData{DB: "vigia", RetentionDays: 30, Features: FeaturesFor(Version{Major: 18, Minor: 16})},
			want: []string{
				"CREATE TABLE IF NOT EXISTS vigia.messages (\n" + messagesColumns("String", "", "") + "\n)\n" +
					"ENGINE = ReplacingMergeTree(ingested_at)\n" +
					"PARTITION BY toDate(created_at)\n" +
					"ORDER BY (brand, created_at, id)\n" +
					"SETTINGS index_granularity = 8192",
				"CREATE TABLE IF NOT EXISTS vigia.labels (\n" +
					"    message_id String,\n    brand String,\n    label String,\n    value UInt8,\n" +
					"    actor String,\n    note String,\n    created_at DateTime\n)\n" +
					"ENGINE = ReplacingMergeTree(created_at)\n" +
					"ORDER BY (brand, message_id, label, actor)\n" +
					"SETTINGS index_granularity = 8192",
				caseEventsDDL("vigia", "String", ""),
				alertStateDDL("vigia"),
				notificationsDDL("vigia", "String", ""),
			},
		},
		{
			name: "modern with 30 days retention",
			data: TemplateData{DB: "vigia", RetentionDays: 30, Features: modern},
			want: []string{
				"CREATE TABLE IF NOT EXISTS vigia.messages (\n" + messagesColumns(lc, zstd, delta) + "\n)\n" +
					"ENGINE = ReplacingMergeTree(ingested_at)\n" +
					"PARTITION BY toDate(created_at)\n" +
					"ORDER BY (brand, created_at, id)\n" +
					"TTL created_at + toIntervalDay(30)\n" +
					"SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1",
				"CREATE TABLE IF NOT EXISTS vigia.labels (\n" +
					"    message_id String,\n    brand " + lc + ",\n    label " + lc + ",\n    value UInt8,\n" +
					"    actor String,\n    note String,\n    created_at DateTime\n)\n" +
					"ENGINE = ReplacingMergeTree(created_at)\n" +
					"ORDER BY (brand, message_id, label, actor)\n" +
					"SETTINGS index_granularity = 8192",
				caseEventsDDL("vigia", lc, delta),
				alertStateDDL("vigia"),
				notificationsDDL("vigia", lc, delta),
			},
		},
		{
			name: "modern without retention has no TTL",
			data: TemplateData{DB: "other_db", Features: modern},
			want: []string{
				"CREATE TABLE IF NOT EXISTS other_db.messages (\n" + messagesColumns(lc, zstd, delta) + "\n)\n" +
					"ENGINE = ReplacingMergeTree(ingested_at)\n" +
					"PARTITION BY toDate(created_at)\n" +
					"ORDER BY (brand, created_at, id)\n" +
					"SETTINGS index_granularity = 8192",
				"CREATE TABLE IF NOT EXISTS other_db.labels (\n" +
					"    message_id String,\n    brand " + lc + ",\n    label " + lc + ",\n    value UInt8,\n" +
					"    actor String,\n    note String,\n    created_at DateTime\n)\n" +
					"ENGINE = ReplacingMergeTree(created_at)\n" +
					"ORDER BY (brand, message_id, label, actor)\n" +
					"SETTINGS index_granularity = 8192",
				caseEventsDDL("other_db", lc, delta),
				alertStateDDL("other_db"),
				notificationsDDL("other_db", lc, delta),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := Migrations(tt.data)
			require.NoError(t, err)
			var got []string
			for i, m := range ms {
				require.Equal(t, uint32(i+1), m.Version, "migrations are numbered from 1 without gaps")
				got = append(got, strings.Join(m.Statements, ";\n"))
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestMigrationsRejectBadDatabase(t *testing.T) {
	tests := []string{"", "1abc", "a-b", "a.b", "x; DROP TABLE y", "`q`"}
	for _, name := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Migrations(TemplateData{DB: name})
			require.Error(t, err)
		})
	}
}

func TestFeaturesFor(t *testing.T) {
	all := Features{HasLowCardinality: true, HasCodecs: true, HasTTL: true}
	tests := []struct {
		version string
		want    Features
	}{
		{"18.16.1", Features{}},
		{"19.17.4.11", Features{}},
		{"20.1.2", Features{}},
		{"20.3.1", all},
		{"21.8.15.7", all},
		{"26.7.3.1", all},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			v, err := ParseVersion(tt.version)
			require.NoError(t, err)
			require.Equal(t, tt.want, FeaturesFor(v))
		})
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in      string
		want    Version
		wantErr bool
	}{
		{in: "18.16.1", want: Version{Major: 18, Minor: 16}},
		{in: "26.7.3.1\n", want: Version{Major: 26, Minor: 7}},
		{in: "24.3", want: Version{Major: 24, Minor: 3}},
		{in: "24", wantErr: true},
		{in: "", wantErr: true},
		{in: "x.1.2", wantErr: true},
		{in: "1.y.2", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseVersion(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestNeedsJanitor(t *testing.T) {
	tests := []struct {
		name string
		f    Features
		days int
		want bool
	}{
		{"no ttl with retention", Features{}, 30, true},
		{"no ttl without retention", Features{}, 0, false},
		{"ttl with retention", Features{HasTTL: true}, 30, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.f.NeedsJanitor(tt.days))
		})
	}
}

func TestRuntimeSQL(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"count", CountMessagesSQL("vigia"), "SELECT count() FROM vigia.messages FINAL"},
		{"counts by", CountsBySQL("vigia"), "SELECT brand, channel, kind, direction, count() AS n FROM vigia.messages FINAL " +
			"GROUP BY brand, channel, kind, direction ORDER BY brand, channel, kind, direction"},
		{"partitions", PartitionsSQL("vigia", "messages"),
			"SELECT DISTINCT partition_id FROM system.parts WHERE database = 'vigia' AND table = 'messages' AND active ORDER BY partition_id"},
		{"drop partition", DropPartitionSQL("vigia", "messages", "20240101"), "ALTER TABLE vigia.messages DROP PARTITION ID '20240101'"},
		{"record migration", RecordMigrationSQL("vigia", Migration{Version: 2, Name: "it's"}),
			`INSERT INTO vigia.schema_migrations (version, name, applied_at) SELECT 2, 'it\'s', now()`},
		{"insert", InsertMessagesSQL("vigia"), "INSERT INTO vigia.messages (" + messageColumns + ")"},
		{"select all", SelectMessagesSQL("vigia", ""), "SELECT " + messageColumns + " FROM vigia.messages FINAL ORDER BY created_at, id"},
		{"select where", SelectMessagesSQL("vigia", "brand = ?"), "SELECT " + messageColumns + " FROM vigia.messages FINAL WHERE brand = ? ORDER BY created_at, id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.got)
		})
	}
}

func TestMessageColumnsMatchRow(t *testing.T) {
	r := messageRow{}
	require.Len(t, strings.Split(messageColumns, ", "), len(r.values()))
}
