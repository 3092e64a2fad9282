package webhook

import (
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/collectors/collectortest"
)

// FuzzWebhook feeds arbitrary bodies, content types and signatures: the
// Handler never panics and answers only documented status codes. With sign
// set the signature is valid, so the parsers behind it are reached.
func FuzzWebhook(f *testing.F) {
	f.Add([]byte(good), ContentTypeJSON, true, "")
	f.Add([]byte("["+good+","+good+"]"), ContentTypeJSON, true, "")
	f.Add([]byte(good+"\n"+good), ContentTypeNDJSON, true, "")
	f.Add([]byte(`{"id":"x:1","text":"caf`+"\xe9"+`"}`), ContentTypeJSON, true, "")
	f.Add([]byte(`[{"channel":"fax"}]`), ContentTypeJSON, true, "")
	f.Add([]byte(`{"id":`), "application/json; charset=latin1", false, "sha256=00")
	f.Add([]byte(`[1,null,"x",{}]`), ContentTypeJSONL, true, "")
	secret := filepath.Join(f.TempDir(), "secret")
	require.NoError(f, os.WriteFile(secret, []byte(testSecret), 0o600))
	cfg := DefaultConfig()
	cfg.SecretFile = secret
	cfg.MaxBodyBytes = 8192
	cfg.MaxMessages = 5
	h, err := New(cfg, collectortest.NewRecorder(), slog.New(slog.DiscardHandler), nil, WithClock(func() time.Time { return fixedNow }))
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte, ctype string, sign bool, sig string) {
		r := req{method: http.MethodPost, ctype: ctype, body: string(body), sig: sig, ts: strconv.FormatInt(fixedNow.Unix(), 10)}
		if sign {
			r.sig = Sign([]byte(testSecret), r.ts, body)
		}
		w := do(h, r)
		require.True(t, slices.Contains(statusCodes(), w.Code), "undocumented status %d", w.Code)
		if w.Code == http.StatusAccepted {
			require.True(t, sign, "accepted without a valid signature")
		}
	})
}
