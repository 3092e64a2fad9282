package mattermost

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vigia-dev/vigia/alerts/notify"
)

// FuzzActionHandler feeds arbitrary bodies to the action endpoint: it must
// never panic, must answer one of its documented statuses, and must apply
// nothing unless the body carries a token the signer made.
func FuzzActionHandler(f *testing.F) {
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	signer, err := notify.NewSigner(testKey, time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	valid := signer.Sign(notify.ActionResolve, "x:1", now)
	f.Add([]byte(`{"user_id":"u","user_name":"ana","context":{"token":"` + valid + `"}}`))
	f.Add([]byte(`{"user_name":"ana","context":{"token":"resolve.x:1.9999999999.AAAA"}}`))
	f.Add([]byte(`{"context":{"token":7}}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		applied := 0
		h, err := NewActionHandler(signer, notify.ActionHandlerFunc(func(_ context.Context, a notify.Action) (string, error) {
			applied++
			if !a.Kind.Valid() || a.CaseID == "" {
				t.Fatalf("applied an invalid action %+v", a)
			}
			return "ok", nil
		}), ActionOptions{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, actionPath, bytes.NewReader(body)))
		switch w.Code {
		case http.StatusOK:
			if applied != 1 {
				t.Fatalf("200 with %d actions applied", applied)
			}
		case http.StatusBadRequest, http.StatusForbidden, http.StatusRequestEntityTooLarge:
			if applied != 0 {
				t.Fatalf("%d with %d actions applied", w.Code, applied)
			}
		default:
			t.Fatalf("unexpected status %d", w.Code)
		}
	})
}
