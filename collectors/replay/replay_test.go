package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/collectors"
	"github.com/vigia-dev/vigia/collectors/collectortest"
	"github.com/vigia-dev/vigia/internal/message"
)

var fixedNow = time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC)

func testConfig(path string) Config {
	cfg := DefaultConfig()
	cfg.Path = path
	cfg.DefaultBrand = "demo"
	cfg.HandleToBrand = map[string]string{"AcmeTelecomHelp": "acme-telecom", "@NubeBancoAyuda": "nube-banco"}
	return cfg
}

// newTest builds a collector that logs into buf and never sleeps; sleeps
// are appended to slept.
func newTest(t *testing.T, cfg Config, buf *bytes.Buffer, slept *[]time.Duration) *Collector {
	t.Helper()
	if buf == nil {
		buf = &bytes.Buffer{}
	}
	logger := slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, err := New(cfg, logger, prometheus.NewRegistry(), WithClock(
		func() time.Time { return fixedNow },
		func(ctx context.Context, d time.Duration) error {
			if slept != nil {
				*slept = append(*slept, d)
			}
			return ctx.Err()
		}))
	require.NoError(t, err)
	return c
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Config)
		wants []string
	}{
		{name: "defaults with path", edit: func(*Config) {}},
		{name: "no path", edit: func(c *Config) { c.Path = " " }, wants: []string{`path: "": must name the file`}},
		{name: "format", edit: func(c *Config) { c.Format = "xml" }, wants: []string{`format: "xml": want auto, jsonl or twcs`}},
		{name: "speed", edit: func(c *Config) { c.Speed = -1 }, wants: []string{"speed: -1: want 0"}},
		{name: "batch and line", edit: func(c *Config) { c.BatchSize = 0; c.MaxLineBytes = 10 }, wants: []string{
			"batch_size: 0: must be between 1 and 10000", "max_line_bytes: 10: must be between 1024 and 67108864",
		}},
		{name: "enums", edit: func(c *Config) { c.InvalidUTF8 = "drop"; c.UnmappedHandle = "x" }, wants: []string{
			`invalid_utf8: "drop": want replace or reject`, `unmapped_handle: "x": want handle or default_brand`,
		}},
		{name: "brands", edit: func(c *Config) { c.DefaultBrand = ""; c.HandleToBrand = map[string]string{"@": "a", "b": ""} }, wants: []string{
			`default_brand: "": must not be empty`, `handle_to_brand: "@": handle must not be empty`, `handle_to_brand.b: "": brand must not be empty`,
		}},
		{name: "max_gap", edit: func(c *Config) { c.MaxGap = -time.Second }, wants: []string{`max_gap: "-1s": must not be negative`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Path = "x.csv"
			tt.edit(&cfg)
			collectortest.RequireProblems(t, cfg.Validate(), tt.wants)
		})
	}
}

func TestSampleConfig(t *testing.T) {
	cfg := DefaultConfig()
	collectortest.DecodeSample(t, ".", &cfg)
	require.NoError(t, cfg.Validate())
	require.Equal(t, time.Minute, cfg.MaxGap)
	require.Equal(t, "nube-banco", cfg.HandleToBrand["@NubeBancoAyuda"])

	rec := collectortest.NewRecorder()
	c := newTest(t, cfg, nil, nil)
	require.NoError(t, c.Run(t.Context(), rec))
	require.Equal(t, Summary{Read: 30, Published: 30}, c.Summary())
}

func TestTwcsSample(t *testing.T) {
	type want struct {
		dir       message.Direction
		brand     string
		inReplyTo message.ID
		conv      string
	}
	in, out := message.DirectionInbound, message.DirectionOutbound
	wants := map[string]want{
		"305": {out, "pedidoyasupport", "x:304", "301"}, "101": {in, "acme-telecom", "", "101"},
		"102": {out, "acme-telecom", "x:101", "101"}, "104": {out, "acme-telecom", "x:103", "101"},
		"103": {in, "acme-telecom", "x:102", "101"}, "201": {in, "nube-banco", "", "201"},
		"202": {out, "nube-banco", "x:201", "201"}, "301": {in, "pedidoyasupport", "", "301"},
		"302": {out, "pedidoyasupport", "x:301", "301"}, "303": {in, "pedidoyasupport", "x:301", "301"},
		"304": {in, "pedidoyasupport", "x:302", "301"}, "403": {in, "acme-telecom", "x:402", "401"},
		"402": {out, "acme-telecom", "x:401", "401"}, "501": {in, "demo", "", "501"},
		"601": {in, "nube-banco", "", "601"}, "602": {out, "nube-banco", "x:601", "601"},
		"603": {in, "nube-banco", "x:602", "601"}, "604": {in, "nube-banco", "x:602", "601"},
		"605": {out, "nube-banco", "x:604", "601"}, "606": {in, "nube-banco", "x:605", "601"},
		"701": {in, "acme-telecom", "", "701"}, "702": {out, "acme-telecom", "x:701", "701"},
		"801": {in, "pedidoyasupport", "", "801"}, "803": {in, "pedidoyasupport", "x:802", "801"},
		"802": {out, "pedidoyasupport", "x:801", "801"}, "901": {in, "acme-telecom", "", "901"},
		"902": {in, "acme-telecom", "", "902"}, "903": {out, "acme-telecom", "x:902", "902"},
		"1001": {in, "nube-banco", "", "1001"}, "1002": {out, "nube-banco", "x:1001", "1001"},
	}
	cfg := testConfig("testdata/twcs_sample.csv")
	cfg.BatchSize = 7
	rec := collectortest.NewRecorder()
	c := newTest(t, cfg, nil, nil)
	require.NoError(t, c.Run(t.Context(), rec))
	require.Equal(t, Summary{Read: 30, Published: 30}, c.Summary())
	require.Equal(t, 5, rec.Calls(), "got %d publish calls, want 5 batches of at most 7", rec.Calls())

	seen := map[message.ID]bool{}
	for _, m := range rec.Messages() {
		require.False(t, seen[m.ID], "%s published twice", m.ID)
		seen[m.ID] = true
		w, ok := wants[m.ID.External()]
		require.True(t, ok, "unexpected %s", m.ID)
		require.Equal(t, w.dir, m.Direction, "%s direction", m.ID)
		require.Equal(t, w.brand, m.Brand, "%s brand", m.ID)
		require.Equal(t, w.inReplyTo, m.InReplyTo, "%s in_reply_to", m.ID)
		require.Equal(t, w.conv, m.ConversationID, "%s conversation_id", m.ID)
		require.Equal(t, message.ChannelX, m.Channel)
		if w.inReplyTo == "" {
			require.Equal(t, message.KindMention, m.Kind, "%s kind", m.ID)
		} else {
			require.Equal(t, message.KindReply, m.Kind, "%s kind", m.ID)
		}
		require.Equal(t, fixedNow, m.ReceivedAt)
		require.NoError(t, m.Validate())
		var raw twcsRow
		require.NoError(t, json.Unmarshal(m.Raw, &raw))
		require.Equal(t, m.ID.External(), raw.TweetID)
		require.Equal(t, m.Text, raw.Text)
	}
	require.Len(t, seen, len(wants))

	byID := map[string]message.Message{}
	for _, m := range rec.Messages() {
		byID[m.ID.External()] = m
	}
	require.Equal(t, "no puedo entrar en la app, me sale \"error 503\" todo el día", strings.Split(byID["601"].Text, "\n")[1])
	require.Equal(t, "AcmeTelecomHelp", byID["102"].Author.Handle)
	require.Equal(t, "5001", byID["101"].Author.ID)
	require.Equal(t, time.Date(2017, 10, 30, 9, 12, 3, 0, time.UTC), byID["101"].CreatedAt)
}

func TestTwcsUnmappedDefaultBrand(t *testing.T) {
	cfg := testConfig("testdata/twcs_sample.csv")
	cfg.UnmappedHandle = UnmappedUseDefaultBrand
	rec := collectortest.NewRecorder()
	require.NoError(t, newTest(t, cfg, nil, nil).Run(t.Context(), rec))
	for _, m := range rec.Messages() {
		require.Contains(t, []string{"acme-telecom", "nube-banco", "demo"}, m.Brand, "%s", m.ID)
	}
}

const twcsHeader = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"

func TestTwcsBadRows(t *testing.T) {
	const secretText = "SECRET-CUSTOMER-TEXT"
	body := twcsHeader +
		"1,u1,True,Mon Oct 30 09:12:03 +0000 2017,@AcmeTelecomHelp " + secretText + ",,\n" + // line 2: good
		"2,u2,Maybe,Mon Oct 30 09:12:03 +0000 2017," + secretText + ",,\n" + // line 3: bad inbound
		"3,u3,True,yesterday," + secretText + ",,\n" + // line 4: bad time
		"4,u4,True,Mon Oct 30 09:12:03 +0000 2017,a \"bare\" quote " + secretText + ",,\n" + // line 5: bare quote
		"5,u5,True,Mon Oct 30 09:12:03 +0000 2017," + secretText + "\n" + // line 6: field count
		"abc,u6,True,Mon Oct 30 09:12:03 +0000 2017," + secretText + ",,\n" + // line 7: bad id
		"7,u7,True,Mon Oct 30 09:12:03 +0000 2017,caf\xe9 " + secretText + ",,\n" + // line 8: invalid UTF-8
		"8,u8,True,Mon Oct 30 09:12:03 +0000 2017,\"quoted \"\"ok\"\" " + secretText + "\",,1\n" // line 9: good
	tests := []struct {
		name      string
		policy    UTF8Policy
		published int64
		skipped   int64
		lines     []string
	}{
		{name: "replace", policy: UTF8Replace, published: 3, skipped: 5, lines: []string{"line=3", "line=4", "line=5", "line=6", "line=7"}},
		{name: "reject", policy: UTF8Reject, published: 2, skipped: 6, lines: []string{"line=3", "line=4", "line=5", "line=6", "line=7", "line=8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(writeFile(t, "bad.csv", body))
			cfg.InvalidUTF8 = tt.policy
			var logs bytes.Buffer
			rec := collectortest.NewRecorder()
			c := newTest(t, cfg, &logs, nil)
			require.NoError(t, c.Run(t.Context(), rec))
			require.Equal(t, Summary{Read: 8, Published: tt.published, Skipped: tt.skipped}, c.Summary())
			for _, l := range tt.lines {
				require.Contains(t, logs.String(), l)
			}
			require.NotContains(t, logs.String(), secretText, "row text logged above debug")
			require.Equal(t, float64(tt.skipped), testutil.ToFloat64(c.metrics.skipped.WithLabelValues(reasonParse))+
				testutil.ToFloat64(c.metrics.skipped.WithLabelValues(reasonInvalid))+
				testutil.ToFloat64(c.metrics.skipped.WithLabelValues(reasonUTF8)))
			for _, m := range rec.Messages() {
				require.NoError(t, m.Validate())
			}
		})
	}
}

func TestTwcsUnterminatedQuote(t *testing.T) {
	body := twcsHeader + "1,u1,True,Mon Oct 30 09:12:03 +0000 2017,\"never closed " + strings.Repeat("x,\n", 200_000)
	cfg := testConfig(writeFile(t, "broken.csv", body))
	cfg.MaxLineBytes = 4096
	err := newTest(t, cfg, nil, nil).Run(t.Context(), collectortest.NewRecorder())
	require.ErrorIs(t, err, errRecordTooLong)
	require.Contains(t, err.Error(), "record after line 1")
}

func TestTwcsBadHeader(t *testing.T) {
	cfg := testConfig(writeFile(t, "h.csv", "tweet_id,author_id,text\n1,a,b\n"))
	err := newTest(t, cfg, nil, nil).Run(t.Context(), collectortest.NewRecorder())
	require.ErrorContains(t, err, "missing columns inbound,created_at,response_tweet_id,in_response_to_tweet_id")
}

func TestJSONL(t *testing.T) {
	long := `{"id":"x:9","text":"` + strings.Repeat("a", 3000) + `"}`
	body := strings.Join([]string{
		`{"id":"x:1","brand":"acme","channel":"x","kind":"mention","direction":"inbound","author":{"id":"u1"},"text":"hola","created_at":"2025-03-03T10:00:00+01:00"}`,
		`{"id":"x:2","channel":"x","kind":"mention","direction":"inbound","author":{"id":"u2"},"text":"caf` + "\xe9" + `","created_at":"2025-03-03T10:00:00Z"}`,
		`{"id":"x:3","channel":"x","kind":"mention"`,
		`{"id":"x:4","channel":"x","kind":"shout","direction":"inbound","author":{"id":"u4"},"created_at":"2025-03-03T10:00:00Z"}`,
		`{"id":"x:5","nope":1}`,
		long,
		`{"id":"x:6","channel":"x","kind":"dm","direction":"inbound","author":{"id":"u6"},"created_at":"2025-03-03T10:00:00Z"} {}`,
		"",
		`   `,
		`{"id":"x:7","channel":"x","kind":"dm","direction":"inbound","author":{"id":"u7"},"created_at":"2025-03-03T10:00:00Z"}`,
	}, "\r\n")
	tests := []struct {
		name    string
		policy  UTF8Policy
		ids     []message.ID
		skipped int64
		reasons []string
	}{
		{name: "replace", policy: UTF8Replace, ids: []message.ID{"x:1", "x:2", "x:7"}, skipped: 5, reasons: []string{"line=3", "line=4 reason=invalid", "line=5 reason=parse", "line=6 reason=too_long", "line=7 reason=parse"}},
		{name: "reject", policy: UTF8Reject, ids: []message.ID{"x:1", "x:7"}, skipped: 6, reasons: []string{"line=2 reason=utf8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(writeFile(t, "m.jsonl", body))
			cfg.InvalidUTF8 = tt.policy
			cfg.MaxLineBytes = 2048
			var logs bytes.Buffer
			rec := collectortest.NewRecorder()
			c := newTest(t, cfg, &logs, nil)
			require.NoError(t, c.Run(t.Context(), rec))
			require.Equal(t, tt.ids, rec.IDs())
			require.Equal(t, Summary{Read: int64(len(tt.ids)) + tt.skipped, Published: int64(len(tt.ids)), Skipped: tt.skipped}, c.Summary())
			for _, r := range tt.reasons {
				require.Contains(t, logs.String(), r)
			}
			msgs := rec.Messages()
			require.Equal(t, "demo", msgs[1].Brand, "default brand filled")
			require.Equal(t, time.UTC, msgs[0].CreatedAt.Location())
		})
	}
}

func TestJSONLSampleFile(t *testing.T) {
	rec := collectortest.NewRecorder()
	c := newTest(t, testConfig("testdata/messages.jsonl"), nil, nil)
	require.NoError(t, c.Run(t.Context(), rec))
	require.Equal(t, []message.ID{"x:1", "telegram:2", "x:3"}, rec.IDs())
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name, file, content string
		format              Format
		want                Format
		wantErr             string
	}{
		{name: "explicit", file: "a.txt", format: FormatJSONL, want: FormatJSONL},
		{name: "jsonl ext", file: "a.ndjson", format: FormatAuto, want: FormatJSONL},
		{name: "csv ext", file: "a.CSV", format: FormatAuto, want: FormatTwcs},
		{name: "sniff json", file: "a.dat", content: "\n  {\"id\":1}", format: FormatAuto, want: FormatJSONL},
		{name: "sniff twcs", file: "a.dat", content: "\ufefftweet_id,author_id", format: FormatAuto, want: FormatTwcs},
		{name: "unknown", file: "a.dat", content: "hello", format: FormatAuto, wantErr: "set format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := detectFormat(tt.format, tt.file, strings.NewReader(tt.content))
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestSpeed(t *testing.T) {
	row := func(id int, ts string) string {
		return strings.Join([]string{itoa(id), "u", "True", ts, "@AcmeTelecomHelp hi", "", ""}, ",") + "\n"
	}
	body := twcsHeader +
		row(1, "Mon Oct 30 09:00:00 +0000 2017") +
		row(2, "Mon Oct 30 09:00:10 +0000 2017") + // +10s
		row(3, "Mon Oct 30 09:00:05 +0000 2017") + // back in time: no wait
		row(4, "Mon Oct 30 09:00:40 +0000 2017") + // +30s
		row(5, "Mon Oct 30 19:00:40 +0000 2017") // +10h: capped
	tests := []struct {
		name  string
		speed float64
		gap   time.Duration
		want  []time.Duration
	}{
		{name: "fast", speed: 0, want: nil},
		{name: "real time", speed: 1, gap: time.Minute, want: []time.Duration{10 * time.Second, 30 * time.Second, time.Minute}},
		{name: "x10 no cap", speed: 10, want: []time.Duration{time.Second, 3 * time.Second, time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(writeFile(t, "s.csv", body))
			cfg.Speed, cfg.MaxGap = tt.speed, tt.gap
			var slept []time.Duration
			rec := collectortest.NewRecorder()
			c := newTest(t, cfg, nil, &slept)
			require.NoError(t, c.Run(t.Context(), rec))
			require.Equal(t, tt.want, slept)
			require.Equal(t, 5, rec.Len())
			if tt.speed > 0 {
				require.Equal(t, 4, rec.Calls(), "each wait flushes the messages already due")
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestPublishFailure(t *testing.T) {
	cfg := testConfig("testdata/twcs_sample.csv")
	cfg.BatchSize = 10
	rec := collectortest.NewRecorder()
	rec.Fail(collectortest.ErrInjected)
	c := newTest(t, cfg, nil, nil)
	err := c.Run(t.Context(), rec)
	require.ErrorIs(t, err, collectortest.ErrInjected)
	require.Contains(t, err.Error(), "publish batch of 10 ending at line")
	require.Equal(t, int64(0), c.Summary().Published)
	require.Equal(t, 1, rec.Calls(), "nothing after the failed batch is tried")
}

func TestRunMissingFile(t *testing.T) {
	err := newTest(t, testConfig(filepath.Join(t.TempDir(), "nope.csv")), nil, nil).Run(t.Context(), collectortest.NewRecorder())
	require.ErrorContains(t, err, "open replay file")
}

func TestNewRejectsBadConfig(t *testing.T) {
	_, err := New(Config{}, slog.New(slog.DiscardHandler), nil)
	require.ErrorContains(t, err, "replay config: name")
}

func TestMetricsLint(t *testing.T) {
	reg := prometheus.NewRegistry()
	c, err := New(testConfig("testdata/twcs_sample.csv"), slog.New(slog.DiscardHandler), reg)
	require.NoError(t, err)
	_, err = New(testConfig("testdata/twcs_sample.csv"), slog.New(slog.DiscardHandler), reg)
	require.NoError(t, err, "a second collector on the same registry shares the series")
	require.NoError(t, c.Run(t.Context(), collectortest.NewRecorder()))
	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	require.Empty(t, problems)
	require.Equal(t, 30.0, testutil.ToFloat64(c.metrics.read))
}

func TestConformance(t *testing.T) {
	collectortest.Run(t, func(t *testing.T, _ collectors.Publisher) collectortest.Subject {
		c, err := New(testConfig("testdata/twcs_sample.csv"), slog.New(slog.DiscardHandler), prometheus.NewRegistry())
		require.NoError(t, err)
		return collectortest.Subject{Collector: c}
	})
}

func TestConformancePaced(t *testing.T) {
	collectortest.Run(t, func(t *testing.T, _ collectors.Publisher) collectortest.Subject {
		cfg := testConfig("testdata/twcs_sample.csv")
		cfg.Speed, cfg.MaxGap, cfg.BatchSize = 1, 20*time.Millisecond, 1
		c, err := New(cfg, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
		require.NoError(t, err)
		return collectortest.Subject{Collector: c}
	})
}
