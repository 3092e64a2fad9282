package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 5, 18, 12, 0, 0, 500, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2026-05-01T10:00:00+02:00", want: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)},
		{in: "2017-10-01", want: time.Date(2017, 10, 1, 0, 0, 0, 0, time.UTC)},
		{in: "720h", want: time.Date(2026, 4, 18, 12, 0, 0, 0, time.UTC)},
		{in: "0s", want: time.Date(2026, 5, 18, 12, 0, 0, 0, time.UTC)},
		{in: "-1h", wantErr: true},
		{in: "yesterday", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSince(tt.in, now)
			if tt.wantErr {
				require.ErrorContains(t, err, "--since")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

var reportRows = []storage.ResponseTimes{
	{Brand: "acme", Cases: 12, Answered: 10, CalendarP50: 300, CalendarP90: 7200, BusinessP50: 120, BusinessP90: 3600},
	{Brand: "globex", Cases: 3},
}

func TestWriteResponseTimes(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, writeResponseTimesCSV(&b, reportRows))
	require.Equal(t, "brand,cases,answered,frt_p50_calendar_seconds,frt_p90_calendar_seconds,frt_p50_business_seconds,frt_p90_business_seconds\n"+
		"acme,12,10,300,7200,120,3600\n"+
		"globex,3,0,,,,\n", b.String())

	b.Reset()
	since := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, writeResponseTimesTable(&b, since, reportRows))
	require.Equal(t, "First response times of cases opened since 2026-05-01T00:00:00Z (seconds)\n\n"+
		"BRAND   CASES  ANSWERED  P50  P90   P50 BUSINESS  P90 BUSINESS\n"+
		"acme    12     10        300  7200  120           3600\n"+
		"globex  3      0         -    -     -             -\n", b.String())

	b.Reset()
	require.NoError(t, writeResponseTimesTable(&b, since, nil))
	require.Contains(t, b.String(), "no cases")
}

func TestReportUsage(t *testing.T) {
	code, out, _ := runVigia(t, "report", "--help")
	require.Equal(t, 0, code)
	require.Contains(t, out, "response-times")
	code, _, errOut := runVigia(t, "report", "response-times", "--help")
	require.Equal(t, 0, code)
	require.Contains(t, errOut+out, `(default "720h")`)
	code, _, errOut = runVigia(t, "report", "nonsense")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `unknown subcommand "nonsense"`)
	code, _, errOut = runVigia(t, "report", "response-times", "--format", "xml")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `--format "xml": want table or csv`)
	code, _, errOut = runVigia(t, "report", "response-times", "--since", "soon")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `--since "soon"`)
}

// TestReportResponseTimes runs the command against a real ClickHouse
// holding case events, one of them stored twice.
func TestReportResponseTimes(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	t0 := time.Date(2017, 10, 30, 9, 0, 0, 0, time.UTC)
	ev := func(c string, seq uint32, event string, at time.Time, brand string, secs int64) storage.CaseEvent {
		return storage.CaseEvent{
			ID: c + event, CaseID: c, Seq: seq, Brand: brand, Channel: "x", CustomerID: "u-" + c, Event: event, At: at,
			CalendarSeconds: secs, BusinessSeconds: secs / 2, Priority: "normal",
		}
	}
	evs := []storage.CaseEvent{
		ev("a1", 1, "opened", t0, "acme", 0),
		ev("a1", 2, "responded", t0.Add(5*time.Minute), "acme", 300),
		ev("a2", 1, "opened", t0, "acme", 0),
		ev("a2", 2, "responded", t0.Add(time.Hour), "acme", 3600),
		ev("a3", 1, "opened", t0, "acme", 0),
		ev("g1", 1, "opened", t0, "globex", 0),
		ev("old", 1, "opened", t0.AddDate(-1, 0, 0), "acme", 0),
		ev("old", 2, "responded", t0.AddDate(-1, 0, 0).Add(time.Minute), "acme", 60),
	}
	require.NoError(t, storage.InsertCaseEvents(ctx, db.Conn, db.Database, evs))
	require.NoError(t, storage.InsertCaseEvents(ctx, db.Conn, db.Database, evs[1:2]))

	cfg := filepath.Join(t.TempDir(), "vigia.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("brands:\n  - name: acme\n    time_zone: Europe/Madrid\n"+
		"clickhouse:\n  addr: ["+db.Addr+"]\n  database: "+db.Database+"\n"), 0o600))

	code, out, errOut := runVigia(t, "report", "response-times", "--config", cfg, "--since", "2017-10-01", "--format", "csv")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "brand,cases,answered,frt_p50_calendar_seconds,frt_p90_calendar_seconds,frt_p50_business_seconds,frt_p90_business_seconds\n"+
		"acme,3,2,3600,3600,1800,1800\n"+
		"globex,1,0,,,,\n", out)

	code, out, errOut = runVigia(t, "report", "response-times", "--config", cfg, "--since", "2016-01-01")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "acme    4      3         300  3600  150           1800")
}
