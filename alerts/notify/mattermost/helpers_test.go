package mattermost

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/alerts/notify"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func testSigner(t testing.TB) *notify.Signer {
	t.Helper()
	s, err := notify.NewSigner(testKey, time.Hour)
	require.NoError(t, err)
	return s
}

// testAlert is a firing alert of rule about caseID for brand acme.
func testAlert(rule, caseID, summary string, startsAt time.Time) alert.Alert {
	labels := map[string]string{alert.LabelBrand: "acme", alert.LabelRule: rule, alert.LabelChannel: "x"}
	if caseID != "" {
		labels[alert.LabelCaseID] = caseID
	}
	return alert.Alert{
		Labels:      labels,
		Annotations: map[string]string{notify.AnnotationSummary: summary, notify.AnnotationText: "text of " + summary, notify.AnnotationLink: "https://example.com/" + caseID},
		StartsAt:    startsAt,
		UpdatedAt:   startsAt,
	}
}

func testGroup(alerts ...alert.Alert) dispatch.Group {
	return dispatch.Group{
		Key: "route/{brand=acme}", ID: "g1", Version: 1, Kind: dispatch.KindFirst, Receiver: "team",
		Labels: map[string]string{alert.LabelBrand: "acme"}, Alerts: alerts,
	}
}

// recorder is a notify.ActionHandler that remembers what it was given.
type recorder struct {
	mu      sync.Mutex
	actions []notify.Action
	got     chan notify.Action
}

func newRecorder() *recorder { return &recorder{got: make(chan notify.Action, 16)} }

func (r *recorder) HandleAction(_ context.Context, a notify.Action) (string, error) {
	r.mu.Lock()
	r.actions = append(r.actions, a)
	r.mu.Unlock()
	r.got <- a
	return "Case " + a.CaseID + ": " + a.Kind.Title(), nil
}

func (r *recorder) all() []notify.Action {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]notify.Action(nil), r.actions...)
}
