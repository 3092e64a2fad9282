package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/alerts/silence"
	"github.com/vigia-dev/vigia/internal/httpapi"
)

const token = "s3cret-token-for-tests"

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// cases is a CaseReader over a fixed list that records the last filter.
type cases struct {
	mu      sync.Mutex
	list    []httpapi.CaseSummary
	details map[string]httpapi.CaseDetail
	last    httpapi.CaseFilter
	err     error
}

func (c *cases) ListCases(_ context.Context, f httpapi.CaseFilter) ([]httpapi.CaseSummary, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = f
	if c.err != nil {
		return nil, c.err
	}
	var out []httpapi.CaseSummary
	for _, cs := range c.list {
		if (f.Brand == "" || cs.Brand == f.Brand) && (f.State == "" || cs.State == f.State) && (f.Customer == "" || cs.Customer == f.Customer) {
			out = append(out, cs)
		}
	}
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func (c *cases) GetCase(_ context.Context, id string) (httpapi.CaseDetail, error) {
	d, ok := c.details[id]
	if !ok {
		return httpapi.CaseDetail{}, fmt.Errorf("case %s: %w", id, httpapi.ErrNotFound)
	}
	return d, nil
}

// groups is an AlertLister over a fixed list.
type groups []dispatch.Group

func (g groups) Groups() []dispatch.Group { return g }

type fixture struct {
	srv      *httptest.Server
	clock    *clock
	silencer *silence.Silencer
	cases    *cases
	reg      *prometheus.Registry
}

func sequentialIDs() func() string {
	var mu sync.Mutex
	n := 0
	return func() string { mu.Lock(); defer mu.Unlock(); n++; return fmt.Sprintf("sil-%d", n) }
}

var (
	sampleCase = httpapi.CaseSummary{
		ID: "x:conv-1", Brand: "acme", Channel: "x", Customer: "@maria", State: "open", Priority: "urgent",
		SLA: "breached", SLADueAt: t0.Add(-time.Minute), OpenedAt: t0.Add(-time.Hour), LastMessageAt: t0.Add(-30 * time.Minute), Messages: 3,
	}
	otherCase = httpapi.CaseSummary{
		ID: "telegram:42", Brand: "globex", Channel: "telegram", Customer: "@juan", State: "resolved",
		OpenedAt: t0.Add(-2 * time.Hour), LastMessageAt: t0.Add(-time.Hour), FirstResponseAt: t0.Add(-90 * time.Minute), Messages: 2,
	}
)

func newFixture(t *testing.T, mod func(*httpapi.Options)) *fixture {
	t.Helper()
	f := &fixture{
		clock:    &clock{now: t0},
		silencer: silence.New(silence.Options{NewID: sequentialIDs()}),
		cases: &cases{list: []httpapi.CaseSummary{sampleCase, otherCase}, details: map[string]httpapi.CaseDetail{
			sampleCase.ID: {CaseSummary: sampleCase, Events: []httpapi.CaseEvent{
				{At: sampleCase.OpenedAt, Kind: "message", MessageID: "x:1", Actor: "@maria", Text: "my order never arrived"},
			}},
		}},
		reg: prometheus.NewRegistry(),
	}
	opts := httpapi.Options{
		Token:      []byte(token),
		Silences:   f.silencer,
		Cases:      f.cases,
		Alerts:     groups(nil),
		Registerer: f.reg,
		Now:        f.clock.Now,
	}
	if mod != nil {
		mod(&opts)
	}
	h, err := httpapi.New(opts)
	require.NoError(t, err)
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

type response struct {
	code   int
	header http.Header
	body   string
}

func (f *fixture) do(t *testing.T, method, path, auth, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := f.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{code: resp.StatusCode, header: resp.Header, body: string(b)}
}

// api sends an authenticated request.
func (f *fixture) api(t *testing.T, method, path, body string) response {
	t.Helper()
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	return f.do(t, method, path, "Bearer "+token, ct, body)
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(r.body), &v), "body: %s", r.body)
	return v
}

const validSilence = `{"matchers": ["brand=acme", "rule=~\"urgent|sla_breach\""], "duration": "2h", "created_by": "ana", "comment": "planned outage"}`

func TestRejections(t *testing.T) {
	bearer := "Bearer " + token
	tests := []struct {
		name        string
		method      string
		path        string
		auth        string
		contentType string
		body        string
		wantCode    int
		wantError   string // the whole error message
		wantHeader  map[string]string
	}{
		{name: "no token", method: "GET", path: "/api/v1/silences", wantCode: 401,
			wantError:  "missing or wrong bearer token: send Authorization: Bearer <token>",
			wantHeader: map[string]string{"WWW-Authenticate": `Bearer realm="vigia"`}},
		{name: "wrong token", method: "GET", path: "/api/v1/silences", auth: "Bearer nope", wantCode: 401,
			wantError: "missing or wrong bearer token: send Authorization: Bearer <token>"},
		{name: "token prefix", method: "GET", path: "/api/v1/silences", auth: "Bearer " + token[:5], wantCode: 401,
			wantError: "missing or wrong bearer token: send Authorization: Bearer <token>"},
		{name: "basic scheme", method: "GET", path: "/api/v1/silences", auth: "Basic " + token, wantCode: 401,
			wantError: "missing or wrong bearer token: send Authorization: Bearer <token>"},
		{name: "unknown route needs the token too", method: "GET", path: "/api/v1/nothing", wantCode: 401,
			wantError: "missing or wrong bearer token: send Authorization: Bearer <token>"},
		{name: "unknown route", method: "GET", path: "/api/v1/nothing", auth: bearer, wantCode: 404,
			wantError: "no such endpoint: GET /api/v1/nothing; see docs/api.md"},
		{name: "scheme is case-insensitive", method: "GET", path: "/api/v1/nothing", auth: "bearer " + token, wantCode: 404,
			wantError: "no such endpoint: GET /api/v1/nothing; see docs/api.md"},
		{name: "wrong method", method: "PUT", path: "/api/v1/silences", auth: bearer, wantCode: 405,
			wantError:  "method PUT not allowed on /api/v1/silences; use GET, HEAD, POST",
			wantHeader: map[string]string{"Allow": "GET, HEAD, POST"}},
		{name: "wrong method with id", method: "POST", path: "/api/v1/silences/abc", auth: bearer, wantCode: 405,
			wantError: "method POST not allowed on /api/v1/silences/{id}; use DELETE, GET, HEAD"},
		{name: "unknown silence", method: "GET", path: "/api/v1/silences/nope", auth: bearer, wantCode: 404,
			wantError: `silence "nope" not found`},
		{name: "expire unknown silence", method: "DELETE", path: "/api/v1/silences/nope", auth: bearer, wantCode: 404,
			wantError: `silence "nope" not found`},
		{name: "bad state", method: "GET", path: "/api/v1/silences?state=active,gone", auth: bearer, wantCode: 400,
			wantError: `state: "gone": want pending, active or expired`},
		{name: "invalid JSON", method: "POST", path: "/api/v1/silences", auth: bearer, body: `{"matchers": [`, wantCode: 400,
			wantError: "invalid JSON: unexpected end of body"},
		{name: "JSON syntax", method: "POST", path: "/api/v1/silences", auth: bearer, body: `{"matchers" ["a=b"]}`, wantCode: 400,
			wantError: "invalid JSON at byte 13: invalid character '[' after object key"},
		{name: "invalid UTF-8", method: "POST", path: "/api/v1/silences", auth: bearer, body: "{\"comment\": \"\xff\"}", wantCode: 400,
			wantError: "body is not valid UTF-8"},
		{name: "empty body", method: "POST", path: "/api/v1/silences", auth: bearer, body: "  ", wantCode: 400,
			wantError: "body is empty: want a JSON object"},
		{name: "too large", method: "POST", path: "/api/v1/silences", auth: bearer,
			body: `{"comment": "` + strings.Repeat("a", httpapi.DefaultMaxBodyBytes) + `"}`, wantCode: 413,
			wantError: "body exceeds 65536 bytes"},
		{name: "not JSON", method: "POST", path: "/api/v1/silences", auth: bearer, contentType: "text/plain", body: validSilence, wantCode: 415,
			wantError: `content type "text/plain": want application/json`},
		{name: "unknown field", method: "POST", path: "/api/v1/silences", auth: bearer, body: `{"matcher": ["a=b"]}`, wantCode: 400,
			wantError: `invalid JSON: unknown field "matcher"`},
		{name: "wrong type", method: "POST", path: "/api/v1/silences", auth: bearer, body: `{"matchers": "brand=acme"}`, wantCode: 400,
			wantError: "matchers: got JSON string, want an array"},
		{name: "not an object", method: "POST", path: "/api/v1/silences", auth: bearer, body: `[1]`, wantCode: 400,
			wantError: "invalid JSON: got array, want an object"},
		{name: "trailing data", method: "POST", path: "/api/v1/silences", auth: bearer, body: validSilence + `{}`, wantCode: 400,
			wantError: "invalid JSON: data after the object"},
		{name: "everything missing", method: "POST", path: "/api/v1/silences", auth: bearer, body: `{}`, wantCode: 400,
			wantError: "invalid silence: matchers: at least one is required, such as brand=acme; ends_at, duration: one of them is required; " +
				"created_by: must not be empty; comment: must not be empty"},
		{name: "bad matcher", method: "POST", path: "/api/v1/silences", auth: bearer,
			body:      `{"matchers": ["brand=acme", "rule=~\"(\""], "duration": "1h", "created_by": "ana", "comment": "x"}`,
			wantCode:  400,
			wantError: `invalid silence: matchers[1]: "rule=~\"(\"": bad regexp: error parsing regexp: missing closing ): ` + "`(`"},
		{name: "matchers that match everything", method: "POST", path: "/api/v1/silences", auth: bearer,
			body: `{"matchers": ["brand=~\".*\""], "duration": "1h", "created_by": "ana", "comment": "x"}`, wantCode: 400,
			wantError: `invalid silence: matchers: {brand=~".*"}: at least one must reject an empty label, or the silence would mute every alert`},
		{name: "ends_at and duration", method: "POST", path: "/api/v1/silences", auth: bearer,
			body: `{"matchers": ["brand=acme"], "duration": "1h", "ends_at": "2025-03-01T12:00:00Z", "created_by": "ana", "comment": "x"}`, wantCode: 400,
			wantError: "invalid silence: ends_at, duration: give one of them, not both"},
		{name: "negative duration", method: "POST", path: "/api/v1/silences", auth: bearer,
			body: `{"matchers": ["brand=acme"], "duration": "-1h", "created_by": "ana", "comment": "x"}`, wantCode: 400,
			wantError: `invalid silence: duration: "-1h": must be positive`},
		{name: "bad duration", method: "POST", path: "/api/v1/silences", auth: bearer,
			body: `{"matchers": ["brand=acme"], "duration": "2 days", "created_by": "ana", "comment": "x"}`, wantCode: 400,
			wantError: `invalid silence: duration: "2 days": want a duration such as 2h or 90m`},
		{name: "bad starts_at", method: "POST", path: "/api/v1/silences", auth: bearer,
			body: `{"matchers": ["brand=acme"], "starts_at": "tomorrow", "duration": "1h", "created_by": "ana", "comment": "x"}`, wantCode: 400,
			wantError: `invalid silence: starts_at: "tomorrow": want an RFC 3339 time such as 2025-03-01T09:00:00Z`},
		{name: "ends in the past", method: "POST", path: "/api/v1/silences", auth: bearer,
			body: `{"matchers": ["brand=acme"], "ends_at": "2025-03-01T08:00:00Z", "created_by": "ana", "comment": "x"}`, wantCode: 400,
			wantError: "invalid silence: ends_at: 2025-03-01T08:00:00Z: must be after starts_at 2025-03-01T09:00:00Z"},
		{name: "too long", method: "POST", path: "/api/v1/silences", auth: bearer,
			body: `{"matchers": ["brand=acme"], "duration": "9000h", "created_by": "ana", "comment": "x"}`, wantCode: 400,
			wantError: "invalid silence: ends_at: 2026-03-11T09:00:00Z: more than 8784h0m0s after the start; change the routing configuration instead"},
		{name: "case limit zero", method: "GET", path: "/api/v1/cases?limit=0", auth: bearer, wantCode: 400,
			wantError: `limit: "0": want a whole number from 1 to 1000`},
		{name: "case limit too big", method: "GET", path: "/api/v1/cases?limit=1001", auth: bearer, wantCode: 400,
			wantError: `limit: "1001": want a whole number from 1 to 1000`},
		{name: "case filter not UTF-8", method: "GET", path: "/api/v1/cases?customer=%ff", auth: bearer, wantCode: 400,
			wantError: "customer: not valid UTF-8"},
		{name: "unknown case", method: "GET", path: "/api/v1/cases/nope", auth: bearer, wantCode: 404,
			wantError: `case "nope" not found`},
		{name: "bad alert matcher", method: "GET", path: "/api/v1/alerts?matcher=%3Dx", auth: bearer, wantCode: 400,
			wantError: `matcher[0]: "=x": expected a label name`},
	}
	f := newFixture(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := tt.contentType
			if ct == "" && tt.body != "" {
				ct = "application/json"
			}
			r := f.do(t, tt.method, tt.path, tt.auth, ct, tt.body)
			require.Equal(t, tt.wantCode, r.code, "body: %s", r.body)
			require.Equal(t, "application/json", r.header.Get("Content-Type"))
			e := decode[httpapi.Error](t, r)
			require.Equal(t, tt.wantError, e.Error)
			for k, v := range tt.wantHeader {
				require.Equal(t, v, r.header.Get(k), k)
			}
			require.NotContains(t, r.body, token)
		})
	}
	require.Empty(t, f.silencer.List(t0), "no rejected request made a silence")
}

func TestSilenceLifecycle(t *testing.T) {
	f := newFixture(t, nil)

	r := f.api(t, "POST", "/api/v1/silences", validSilence)
	require.Equal(t, http.StatusCreated, r.code, r.body)
	require.Equal(t, "/api/v1/silences/sil-1", r.header.Get("Location"))
	require.JSONEq(t, `{
		"id": "sil-1",
		"matchers": ["brand=\"acme\"", "rule=~\"urgent|sla_breach\""],
		"starts_at": "2025-03-01T09:00:00Z",
		"ends_at": "2025-03-01T11:00:00Z",
		"created_by": "ana",
		"comment": "planned outage",
		"updated_at": "2025-03-01T09:00:00Z",
		"state": "active"
	}`, r.body)
	muted, ids := f.silencer.Mutes(map[string]string{"brand": "acme", "rule": "urgent"}, t0)
	require.True(t, muted)
	require.Equal(t, []string{"sil-1"}, ids)

	// A second silence, pending, with an explicit window.
	r = f.api(t, "POST", "/api/v1/silences", `{"matchers": ["brand=globex"], "starts_at": "2025-03-01T10:00:00Z",
		"ends_at": "2025-03-01T12:00:00+01:00", "created_by": "bot", "comment": "later"}`)
	require.Equal(t, http.StatusCreated, r.code, r.body)
	pending := decode[httpapi.Silence](t, r)
	require.Equal(t, silence.StatePending, pending.State)
	require.True(t, pending.EndsAt.Equal(t0.Add(2*time.Hour)))

	list := func(query string) []string {
		t.Helper()
		r := f.api(t, "GET", "/api/v1/silences"+query, "")
		require.Equal(t, http.StatusOK, r.code, r.body)
		var out []string
		for _, s := range decode[httpapi.SilenceList](t, r).Silences {
			out = append(out, s.ID+":"+string(s.State))
		}
		return out
	}
	require.Equal(t, []string{"sil-1:active", "sil-2:pending"}, list(""))
	require.Equal(t, []string{"sil-1:active"}, list("?state=active"))
	require.Equal(t, []string{"sil-1:active", "sil-2:pending"}, list("?state=active&state=pending"))

	f.clock.Advance(time.Minute)
	r = f.api(t, "DELETE", "/api/v1/silences/sil-1", "")
	require.Equal(t, http.StatusOK, r.code, r.body)
	expired := decode[httpapi.Silence](t, r)
	require.Equal(t, silence.StateExpired, expired.State)
	require.Equal(t, t0.Add(time.Minute), expired.EndsAt.UTC())
	require.Equal(t, []string{"sil-1:expired"}, list("?state=expired"))
	require.Nil(t, list("?state=active"))

	r = f.api(t, "DELETE", "/api/v1/silences/sil-1", "")
	require.Equal(t, http.StatusConflict, r.code)
	require.Equal(t, `silence "sil-1" already expired at 2025-03-01T09:01:00Z`, decode[httpapi.Error](t, r).Error)

	r = f.api(t, "GET", "/api/v1/silences/sil-2", "")
	require.Equal(t, http.StatusOK, r.code)
	require.Equal(t, "later", decode[httpapi.Silence](t, r).Comment)

	// An empty list is [], not null.
	r = f.api(t, "GET", "/api/v1/silences?state=pending&state=expired", "")
	require.Contains(t, r.body, `"silences":[`)
	f2 := newFixture(t, nil)
	require.JSONEq(t, `{"silences": []}`, f2.api(t, "GET", "/api/v1/silences", "").body)
}

func TestCases(t *testing.T) {
	f := newFixture(t, nil)
	r := f.api(t, "GET", "/api/v1/cases", "")
	require.Equal(t, http.StatusOK, r.code, r.body)
	require.Equal(t, []httpapi.CaseSummary{sampleCase, otherCase}, normalizeCases(decode[httpapi.CaseList](t, r).Cases))
	require.Equal(t, httpapi.CaseFilter{Limit: httpapi.DefaultCaseLimit}, f.cases.last)

	r = f.api(t, "GET", "/api/v1/cases?brand=acme&state=open&customer=%40maria&limit=5", "")
	require.Equal(t, http.StatusOK, r.code, r.body)
	require.Equal(t, httpapi.CaseFilter{Brand: "acme", State: "open", Customer: "@maria", Limit: 5}, f.cases.last)
	require.Equal(t, []httpapi.CaseSummary{sampleCase}, normalizeCases(decode[httpapi.CaseList](t, r).Cases))

	r = f.api(t, "GET", "/api/v1/cases?brand=nobody", "")
	require.JSONEq(t, `{"cases": []}`, r.body)

	r = f.api(t, "GET", "/api/v1/cases/x:conv-1", "")
	require.Equal(t, http.StatusOK, r.code, r.body)
	require.JSONEq(t, `{
		"id": "x:conv-1", "brand": "acme", "channel": "x", "customer": "@maria", "state": "open", "priority": "urgent",
		"sla": "breached", "sla_due_at": "2025-03-01T08:59:00Z",
		"opened_at": "2025-03-01T08:00:00Z", "last_message_at": "2025-03-01T08:30:00Z", "messages": 3,
		"events": [{"at": "2025-03-01T08:00:00Z", "kind": "message", "message_id": "x:1", "actor": "@maria", "text": "my order never arrived"}]
	}`, r.body)

	f.cases.err = fmt.Errorf("query case state: connection refused")
	r = f.api(t, "GET", "/api/v1/cases", "")
	require.Equal(t, http.StatusInternalServerError, r.code)
	require.Equal(t, "list cases: internal error; the server log has the cause", decode[httpapi.Error](t, r).Error)
	require.NotContains(t, r.body, "connection refused", "the cause is logged, not sent")
}

// normalizeCases puts times in UTC so that whole structs compare.
func normalizeCases(cs []httpapi.CaseSummary) []httpapi.CaseSummary {
	for i := range cs {
		c := &cs[i]
		for _, tp := range []*time.Time{&c.SLADueAt, &c.OpenedAt, &c.LastMessageAt, &c.FirstResponseAt} {
			if !tp.IsZero() {
				*tp = tp.UTC()
			}
		}
	}
	return cs
}

func TestUnavailable(t *testing.T) {
	f := newFixture(t, func(o *httpapi.Options) { o.Cases, o.Alerts = nil, nil })
	for _, path := range []string{"/api/v1/cases", "/api/v1/cases/x:1", "/api/v1/alerts"} {
		r := f.api(t, "GET", path, "")
		require.Equal(t, http.StatusServiceUnavailable, r.code, path)
	}
}

func TestAlerts(t *testing.T) {
	urgent := alert.Alert{Labels: map[string]string{"brand": "acme", "rule": "urgent", "case_id": "x:1"},
		Annotations: map[string]string{"summary": "urgent message"}, StartsAt: t0.Add(-time.Minute), UpdatedAt: t0}
	breach := alert.Alert{Labels: map[string]string{"brand": "acme", "rule": "sla_breach", "case_id": "x:2"},
		StartsAt: t0.Add(-2 * time.Minute), UpdatedAt: t0}
	resolved := alert.Alert{Labels: map[string]string{"brand": "globex", "rule": "urgent", "case_id": "tg:3"},
		StartsAt: t0.Add(-time.Hour), EndsAt: t0.Add(-time.Minute), UpdatedAt: t0}
	gs := groups{
		{Key: "root/{brand=\"globex\"}", Receiver: "team", RouteID: "root", Labels: map[string]string{"brand": "globex"}, Alerts: []alert.Alert{resolved}},
		{Key: "root/{brand=\"acme\"}", ID: "post-1", Receiver: "team", RouteID: "root", Labels: map[string]string{"brand": "acme"}, Alerts: []alert.Alert{urgent, breach}},
	}
	f := newFixture(t, func(o *httpapi.Options) { o.Alerts = gs })
	id, err := f.silencer.Add(t.Context(), silence.Silence{Matchers: alert.Matchers{mustMatcher(t, "rule=sla_breach")},
		EndsAt: t0.Add(time.Hour), CreatedBy: "ana", Comment: "known"}, t0)
	require.NoError(t, err)

	r := f.api(t, "GET", "/api/v1/alerts", "")
	require.Equal(t, http.StatusOK, r.code, r.body)
	got := decode[httpapi.AlertGroupList](t, r)
	require.Len(t, got.Groups, 2)
	acme := got.Groups[0]
	require.Equal(t, "root/{brand=\"acme\"}", acme.Key)
	require.Equal(t, "post-1", acme.ID)
	require.Len(t, acme.Alerts, 2)
	require.Equal(t, breach.Fingerprint().String(), acme.Alerts[0].Fingerprint, "oldest first")
	require.Equal(t, []string{id}, acme.Alerts[0].SilencedBy)
	require.Equal(t, "firing", acme.Alerts[1].Status)
	require.Empty(t, acme.Alerts[1].SilencedBy)
	require.Equal(t, "urgent message", acme.Alerts[1].Annotations["summary"])
	require.Equal(t, "resolved", got.Groups[1].Alerts[0].Status)

	r = f.api(t, "GET", "/api/v1/alerts?matcher=rule%3Durgent&matcher=brand%3Dacme", "")
	got = decode[httpapi.AlertGroupList](t, r)
	require.Len(t, got.Groups, 1)
	require.Len(t, got.Groups[0].Alerts, 1)
	require.Equal(t, "x:1", got.Groups[0].Alerts[0].Labels["case_id"])
}

func mustMatcher(t *testing.T, s string) alert.Matcher {
	t.Helper()
	m, err := alert.ParseMatcher(s)
	require.NoError(t, err)
	return m
}

func TestMetrics(t *testing.T) {
	f := newFixture(t, nil)
	f.api(t, "GET", "/api/v1/silences", "")
	f.api(t, "GET", "/api/v1/silences/abc", "")
	f.api(t, "GET", "/api/v1/silences/def", "")
	f.api(t, "POST", "/api/v1/silences", validSilence)
	f.do(t, "GET", "/api/v1/cases", "Bearer wrong", "", "")
	f.api(t, "GET", "/api/v1/random/"+strings.Repeat("x", 50), "")
	f.api(t, "PATCH", "/api/v1/alerts", "")

	problems, err := testutil.GatherAndLint(f.reg)
	require.NoError(t, err)
	require.Empty(t, problems)
	count := func(route, code string) float64 {
		mfs, err := f.reg.Gather()
		require.NoError(t, err)
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				if labels["route"] == route && labels["code"] == code {
					return m.GetCounter().GetValue()
				}
			}
		}
		return -1
	}
	require.InDelta(t, 1, count("GET /api/v1/silences", "200"), 0)
	require.InDelta(t, 2, count("GET /api/v1/silences/{id}", "404"), 0, "ids never become labels")
	require.InDelta(t, 1, count("POST /api/v1/silences", "201"), 0)
	require.InDelta(t, 1, count("GET /api/v1/cases", "401"), 0)
	require.InDelta(t, 1, count("unmatched", "404"), 0)
	require.InDelta(t, 1, count("unmatched", "405"), 0)
	require.InDelta(t, 0, count("DELETE /api/v1/silences/{id}", "200"), 0, "pre-created")
}

func TestNewRequiresTokenAndSilences(t *testing.T) {
	_, err := httpapi.New(httpapi.Options{MaxBodyBytes: -1})
	require.EqualError(t, err, "new api handler: token: required\nsilences: required\nmax body bytes: -1: must not be negative")
}

// failingStore is a silence.Store whose writes fail, as ClickHouse does
// while it is down.
type failingStore struct{}

func (failingStore) Load(context.Context) ([]silence.Silence, error) { return nil, nil }

func (failingStore) Save(context.Context, silence.Silence) error {
	return errors.New("insert silence into vigia.silences: dial tcp 127.0.0.1:19000: connection refused")
}

func TestStoreFailureIsLoggedNotSent(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, func(o *httpapi.Options) {
		o.Silences = silence.New(silence.Options{Store: failingStore{}})
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	r := f.api(t, "POST", "/api/v1/silences", validSilence)
	require.Equal(t, http.StatusInternalServerError, r.code)
	require.Equal(t, "add silence: internal error; the server log has the cause", decode[httpapi.Error](t, r).Error)
	require.NotContains(t, r.body, "connection refused")
	require.Contains(t, logs.String(), `msg="api request failed" component=api route="POST /api/v1/silences" code=500`)
	require.Contains(t, logs.String(), "connection refused")
	require.NotContains(t, logs.String(), token)
}
