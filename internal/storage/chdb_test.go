//go:build chdb

// The chDB tests run the migrations and the runtime SQL on a modern
// ClickHouse engine embedded in the test process. chdb-go loads libchdb.so
// when it is initialised and panics without it, so every chdb import stays
// behind this build tag. Run them with:
//
//	CHDB_LIB_PATH=$(deploy/chdb-lib.sh) go test -tags chdb ./internal/storage/ -run Chdb

package storage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chdb-io/chdb-go/chdb"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/message"
)

// chdbEngine runs SQL through one chDB session. chdb-go allows a single
// session per process, so the tests share it and keep to their own
// databases.
type chdbEngine struct {
	t    *testing.T
	sess *chdb.Session
	loc  *time.Location
}

func newChdbEngine(t *testing.T) *chdbEngine {
	t.Helper()
	sess, err := chdb.NewSession(t.TempDir())
	require.NoError(t, err, "open chdb session")
	t.Cleanup(sess.Close)
	e := &chdbEngine{t: t, sess: sess}
	tz := e.rows("SELECT timezone() AS tz")[0]["tz"].(string)
	e.loc, err = time.LoadLocation(tz)
	require.NoError(t, err)
	return e
}

// exec runs a statement that returns nothing.
func (e *chdbEngine) exec(q string) {
	e.t.Helper()
	res, err := e.sess.Query(q, "TabSeparated")
	require.NoError(e.t, err, "chdb: %s", q)
	if res != nil {
		res.Free()
	}
}

// rows runs a query and decodes its JSONEachRow output, numbers as
// json.Number.
func (e *chdbEngine) rows(q string) []map[string]any {
	e.t.Helper()
	res, err := e.sess.Query(q, "JSONEachRow")
	require.NoError(e.t, err, "chdb: %s", q)
	if res == nil {
		return nil
	}
	defer res.Free()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(res.Buf()))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		var row map[string]any
		require.NoError(e.t, dec.Decode(&row), "decode %s", sc.Text())
		out = append(out, row)
	}
	require.NoError(e.t, sc.Err())
	return out
}

// migrate applies every migration with data the way Migrate does, through
// the same SQL: database, schema_migrations, pending migrations, records.
func (e *chdbEngine) migrate(data TemplateData) {
	e.t.Helper()
	ms, err := Migrations(data)
	require.NoError(e.t, err)
	e.exec(CreateDatabaseSQL(data.DB))
	e.exec(SchemaMigrationsSQL(data.DB))
	var applied []uint32
	for _, r := range e.rows(AppliedMigrationsSQL(data.DB)) {
		applied = append(applied, uint32(toUint(e.t, r["version"])))
	}
	require.NoError(e.t, checkTooNew(applied, ms))
	for _, m := range ms {
		if contains(applied, m.Version) {
			continue
		}
		for _, q := range m.Statements {
			e.exec(q)
		}
		e.exec(RecordMigrationSQL(data.DB, m))
	}
}

func contains(vs []uint32, v uint32) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// insert writes msgs with the writer's column list, as JSONEachRow since
// chDB has no native batches.
func (e *chdbEngine) insert(db string, ingestedAt time.Time, msgs ...message.Message) {
	e.t.Helper()
	var body []byte
	for i := range msgs {
		var err error
		body, err = AppendJSONEachRow(body, &msgs[i], ingestedAt)
		require.NoError(e.t, err)
	}
	e.exec(InsertMessagesSQL(db) + " FORMAT JSONEachRow\n" + string(body))
}

// readMessages runs the package's SELECT and maps rows back as
// ReadMessages does.
func (e *chdbEngine) readMessages(db, where string) []message.Message {
	e.t.Helper()
	var out []message.Message
	for _, obj := range e.rows(SelectMessagesSQL(db, where)) {
		r := messageRow{
			ID: obj["id"].(string), Brand: obj["brand"].(string), Channel: obj["channel"].(string),
			Kind: obj["kind"].(string), Direction: obj["direction"].(string),
			ConversationID: obj["conversation_id"].(string), InReplyTo: obj["in_reply_to"].(string),
			AuthorID: obj["author_id"].(string), AuthorHandle: obj["author_handle"].(string),
			AuthorName:      obj["author_name"].(string),
			AuthorFollowers: int64(toUint(e.t, obj["author_followers"])),
			AuthorFollowing: int64(toUint(e.t, obj["author_following"])),
			AuthorVerified:  uint8(toUint(e.t, obj["author_verified"])),
			AuthorCreatedAt: e.time(obj["author_created_at"]),
			Text:            obj["text"].(string), Lang: obj["lang"].(string),
			Sentiment:  float32(toFloat(e.t, obj["sentiment"])),
			CreatedAt:  e.time(obj["created_at"]),
			ReceivedAt: e.time(obj["received_at"]),
			IngestedAt: e.time(obj["ingested_at"]),
			Raw:        obj["raw"].(string),
		}
		for _, v := range obj["label_names"].([]any) {
			r.LabelNames = append(r.LabelNames, v.(string))
		}
		for _, v := range obj["label_scores"].([]any) {
			r.LabelScores = append(r.LabelScores, float32(toFloat(e.t, v)))
		}
		for _, v := range obj["label_decisions"].([]any) {
			r.LabelDecisions = append(r.LabelDecisions, uint8(toUint(e.t, v)))
		}
		for _, v := range obj["label_reasons"].([]any) {
			r.LabelReasons = append(r.LabelReasons, v.(string))
		}
		out = append(out, r.message())
	}
	return out
}

func (e *chdbEngine) time(v any) time.Time {
	e.t.Helper()
	tm, err := time.ParseInLocation(time.DateTime, v.(string), e.loc)
	require.NoError(e.t, err)
	return tm
}

// toUint reads a JSON number or a quoted 64-bit integer.
func toUint(t *testing.T, v any) uint64 {
	t.Helper()
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = x
	default:
		t.Fatalf("got %T %v, want an integer", v, v)
	}
	n, err := strconv.ParseUint(s, 10, 64)
	require.NoError(t, err)
	return n
}

func toFloat(t *testing.T, v any) float64 {
	t.Helper()
	n, ok := v.(json.Number)
	require.True(t, ok, "got %T %v, want a number", v, v)
	f, err := n.Float64()
	require.NoError(t, err)
	return f
}

func testMessage(ext, brand string, ch message.Channel, at time.Time) message.Message {
	return message.Message{
		ID: message.NewID(ch, ext), Brand: brand, Channel: ch,
		Kind: message.KindMention, Direction: message.DirectionInbound,
		ConversationID: "c-" + ext, InReplyTo: message.NewID(ch, "p-"+ext),
		Author: message.Author{
			ID: "u-" + ext, Handle: "h_" + ext, DisplayName: "Zoë Ñandú", Followers: 1500, Following: 3,
			Verified: true, CreatedAt: time.Date(2012, 1, 2, 3, 4, 5, 0, time.UTC),
		},
		Text: "it's \"broken\" 💥", Lang: "es", Sentiment: -0.5,
		CreatedAt: at, ReceivedAt: at.Add(time.Second),
		Raw: json.RawMessage(`{"id":"` + ext + `"}`),
		Labels: []message.Label{
			{Name: "complaint", Score: 0.75, Decision: true, Reasons: []string{"a", "b"}},
			{Name: "spam", Score: 0.125},
		},
	}
}

func TestChdb(t *testing.T) {
	e := newChdbEngine(t)
	version := e.rows("SELECT version() AS v")[0]["v"].(string)
	v, err := ParseVersion(version)
	require.NoError(t, err)
	modern := FeaturesFor(v)
	require.Equal(t, Features{HasLowCardinality: true, HasCodecs: true, HasTTL: true}, modern, "chDB %s", version)
	t.Logf("chDB %s, timezone %s", version, e.loc)

	tests := []struct {
		name     string
		features Features
		wantTTL  bool
	}{
		{name: "modern", features: modern, wantTTL: true},
		{name: "baseline", features: Features{}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			db := fmt.Sprintf("vigia_chdb_%d", i)
			data := TemplateData{DB: db, RetentionDays: 30, Features: tt.features}
			e.migrate(data)
			e.migrate(data) // idempotent

			var applied []uint64
			for _, r := range e.rows(AppliedMigrationsSQL(db)) {
				applied = append(applied, toUint(t, r["version"]))
			}
			require.Equal(t, []uint64{1, 2, 3, 4, 5}, applied)

			ddl := e.rows("SELECT create_table_query AS q FROM system.tables WHERE database = '" + db + "' AND name = 'messages'")
			require.Len(t, ddl, 1)
			require.Equal(t, tt.wantTTL, strings.Contains(ddl[0]["q"].(string), "TTL "), "%s", ddl[0]["q"])

			// No background merges: the duplicates stay in separate parts
			// (so FINAL is what collapses them) and TTL cannot remove the
			// old partition before the janitor's turn.
			e.exec("SYSTEM STOP MERGES " + db + ".messages")

			now := time.Now().UTC().Truncate(time.Second)
			a := testMessage("1", "acme", message.ChannelX, now.Add(-time.Hour))
			b := testMessage("2", "acme", message.ChannelTelegram, now.Add(-2*time.Hour))
			c := testMessage("3", "globex", message.ChannelX, now.Add(-3*time.Hour))
			edited := a
			edited.Text = "edited"
			// Separate inserts make separate parts, so only FINAL collapses
			// the duplicates of a.
			e.insert(db, now, a, b, c)
			e.insert(db, now, a)
			e.insert(db, now.Add(time.Minute), edited)

			raw := e.rows("SELECT count() AS n FROM " + db + ".messages")
			require.Equal(t, uint64(5), toUint(t, raw[0]["n"]))
			count := e.rows(CountMessagesSQL(db))
			require.Len(t, count, 1)
			for _, n := range count[0] {
				require.Equal(t, uint64(3), toUint(t, n))
			}

			var counts []Count
			for _, r := range e.rows(CountsBySQL(db)) {
				counts = append(counts, Count{
					Brand: r["brand"].(string), Channel: r["channel"].(string), Kind: r["kind"].(string),
					Direction: r["direction"].(string), N: toUint(t, r["n"]),
				})
			}
			require.Equal(t, []Count{
				{Brand: "acme", Channel: "telegram", Kind: "mention", Direction: "inbound", N: 1},
				{Brand: "acme", Channel: "x", Kind: "mention", Direction: "inbound", N: 1},
				{Brand: "globex", Channel: "x", Kind: "mention", Direction: "inbound", N: 1},
			}, counts)

			require.Equal(t, []message.Message{c, b, edited}, e.readMessages(db, ""))
			require.Equal(t, []message.Message{b}, e.readMessages(db, "channel = 'telegram'"))

			// The status report's label query: a, b and c are complaints.
			var labels []LabelCount
			for _, r := range e.rows(LabelCountsSQL(db)) {
				labels = append(labels, LabelCount{Brand: r["brand"].(string), Label: r["label"].(string), N: toUint(t, r["n"])})
			}
			require.Equal(t, []LabelCount{{Brand: "acme", Label: "complaint", N: 2}, {Brand: "globex", Label: "complaint", N: 1}}, labels)

			// The janitor's query and drop, on partitions inside and
			// outside the retention window. (TTL would remove the old rows
			// on its own in time; the janitor path must still work.)
			old := testMessage("old", "acme", message.ChannelX, now.AddDate(0, 0, -40))
			e.insert(db, now, old)
			var ids []string
			for _, r := range e.rows(PartitionsSQL(db, "messages")) {
				ids = append(ids, r["partition_id"].(string))
			}
			require.Contains(t, ids, old.CreatedAt.Format(partitionDay))
			expired := ExpiredPartitions(ids, 30, now)
			require.Equal(t, []string{old.CreatedAt.Format(partitionDay)}, expired)
			for _, id := range expired {
				e.exec(DropPartitionSQL(db, "messages", id))
			}
			require.Equal(t, []message.Message{c, b, edited}, e.readMessages(db, ""))

			e.exec("DROP DATABASE " + db)
		})
	}
}
