package log_test

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/dispatch"
	notifylog "github.com/vigia-dev/vigia/alerts/notify/log"
)

func TestLogsLabelsAtInfoAndTextOnlyAtDebug(t *testing.T) {
	g := dispatch.Group{Key: "k", ID: "g1", Version: 1, Kind: dispatch.KindFirst, Labels: map[string]string{"brand": "acme"},
		Alerts: []alert.Alert{{Labels: map[string]string{"brand": "acme", "rule": "urgent"},
			Annotations: map[string]string{"text": "my card number is 4111"}}}}
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		var buf bytes.Buffer
		r := notifylog.New("log", slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level})))
		ref, err := r.Post(t.Context(), g)
		require.NoError(t, err)
		require.Equal(t, "g1", string(ref))
		require.Contains(t, buf.String(), "[FIRING:1] acme")
		require.Equal(t, level == slog.LevelDebug, bytes.Contains(buf.Bytes(), []byte("4111")))
	}
}
