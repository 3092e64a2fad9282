package mattermost

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/alerts/notify"
)

// MaxActionBodyBytes bounds the body of a button press. Mattermost sends a
// PostActionIntegrationRequest of a few hundred bytes plus the button's
// context.
const MaxActionBodyBytes = 64 << 10

// ActionOptions are an ActionHandler's dependencies.
type ActionOptions struct {
	// Logger receives failures of the ActionHandler; nil discards them.
	Logger *slog.Logger
	// Registerer receives the metrics; nil keeps them unregistered.
	Registerer prometheus.Registerer
	// Now tells the time; nil uses time.Now.
	Now func() time.Time
}

// ActionHandler is the HTTP endpoint Mattermost calls when someone presses
// a button of a post: it verifies the button's signed token, applies the
// action through a notify.ActionHandler and answers with the text the
// person sees (an ephemeral message). Mount it on the action_url path of
// every Mattermost receiver.
//
// Answers: 200 with a PostActionIntegrationResponse; 403 (JSON error) for
// a missing, forged or expired token; 400 for a body that is not a
// PostActionIntegrationRequest; 413 over MaxActionBodyBytes; 405 for any
// method but POST.
type ActionHandler struct {
	signer  *notify.Signer
	handler notify.ActionHandler
	logger  *slog.Logger
	now     func() time.Time
	metrics *actionMetrics
}

// NewActionHandler returns the endpoint; signer must be the one the
// receivers sign with.
func NewActionHandler(signer *notify.Signer, h notify.ActionHandler, opts ActionOptions) (*ActionHandler, error) {
	if signer == nil || h == nil {
		return nil, errors.New("mattermost action handler: signer and handler are required")
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	reg := opts.Registerer
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	return &ActionHandler{
		signer: signer, handler: h, logger: logger.With("component", "mattermost_actions"),
		now: now, metrics: newActionMetrics(reg),
	}, nil
}

// ServeHTTP handles one button press.
func (h *ActionHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(w, http.StatusMethodNotAllowed, actionBadRequest, "method must be POST")
		return
	}
	var req model.PostActionIntegrationRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxActionBodyBytes))
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.refuse(w, http.StatusRequestEntityTooLarge, actionBadRequest, fmt.Sprintf("body over %d bytes", MaxActionBodyBytes))
			return
		}
		h.refuse(w, http.StatusBadRequest, actionBadRequest, "body is not a Mattermost post action request")
		return
	}
	token, _ := req.Context[contextToken].(string)
	now := h.now()
	kind, caseID, err := h.signer.Verify(token, now)
	if err != nil {
		h.refuse(w, http.StatusForbidden, actionBadSignature, "this button's signature is not valid or has expired")
		return
	}
	actor := req.UserName
	if actor == "" {
		actor = req.UserId
	}
	if actor == "" {
		h.refuse(w, http.StatusBadRequest, actionBadRequest, "request names no user")
		return
	}
	text, err := h.handler.HandleAction(r.Context(), notify.Action{Kind: kind, CaseID: caseID, Actor: "mattermost:" + actor, At: now})
	if err != nil {
		// The person is told here; the cause goes to the log, since it is
		// not returned to anyone else.
		h.metrics.presses.WithLabelValues(string(kind), actionFailed).Inc()
		h.logger.Warn("action failed", "case_id", caseID, "err", err)
		text = fmt.Sprintf("Vigía could not apply %q to case %s; try again in a moment.", kind.Title(), caseID)
	} else {
		h.metrics.presses.WithLabelValues(string(kind), actionOK).Inc()
	}
	writeJSON(w, http.StatusOK, model.PostActionIntegrationResponse{EphemeralText: text})
}

func (h *ActionHandler) refuse(w http.ResponseWriter, status int, result, msg string) {
	h.metrics.presses.WithLabelValues("unknown", result).Inc()
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}
