package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
	"github.com/vigia-dev/vigia/alerts/silence"
)

// MaxSilenceDuration is the longest a silence may last. Anything longer is
// a routing decision and belongs in the configuration, where it is
// reviewed, not in a silence someone forgets.
const MaxSilenceDuration = 366 * 24 * time.Hour

// Silences is what the API needs of the silences; *silence.Silencer is
// one.
type Silences interface {
	Add(ctx context.Context, s silence.Silence, now time.Time) (string, error)
	Expire(ctx context.Context, id string, now time.Time) error
	Get(id string) (silence.Silence, error)
	List(now time.Time, states ...silence.State) []silence.Silence
	Mutes(labels map[string]string, now time.Time) (bool, []string)
}

// Silence is a silence as the API shows it: its fields and its state when
// the answer was made.
type Silence struct {
	silence.Silence
	// State is pending, active or expired.
	State silence.State `json:"state"`
}

// SilenceList is the answer of GET /api/v1/silences.
type SilenceList struct {
	Silences []Silence `json:"silences"`
}

// SilenceRequest is the body of POST /api/v1/silences. Exactly one of
// EndsAt and Duration is required.
type SilenceRequest struct {
	// Matchers are matcher strings such as `brand=acme` or
	// `rule=~"urgent|sla_breach"`; all must match.
	Matchers []string `json:"matchers"`
	// StartsAt is an RFC 3339 time; empty or past means now.
	StartsAt string `json:"starts_at,omitempty"`
	// EndsAt is an RFC 3339 time.
	EndsAt string `json:"ends_at,omitempty"`
	// Duration is a Go duration such as "2h" or "90m", counted from the
	// start.
	Duration string `json:"duration,omitempty"`
	// CreatedBy names who asks.
	CreatedBy string `json:"created_by"`
	// Comment says why.
	Comment string `json:"comment"`
}

func (h *Handler) view(s silence.Silence, now time.Time) Silence {
	return Silence{Silence: s, State: s.State(now)}
}

// parseStates reads the state parameter: a comma-separated list, or
// several parameters; none means every state.
func parseStates(r *http.Request) ([]silence.State, *apiError) {
	var out []silence.State
	for _, v := range r.URL.Query()["state"] {
		for s := range strings.SplitSeq(v, ",") {
			st := silence.State(strings.TrimSpace(s))
			switch st {
			case silence.StatePending, silence.StateActive, silence.StateExpired:
				out = append(out, st)
			case "":
			default:
				return nil, fail(http.StatusBadRequest, fmt.Sprintf("state: %q: want pending, active or expired", s))
			}
		}
	}
	return out, nil
}

func (h *Handler) listSilences(_ http.ResponseWriter, r *http.Request) (any, *apiError) {
	states, aerr := parseStates(r)
	if aerr != nil {
		return nil, aerr
	}
	now := h.now()
	list := h.silences.List(now, states...)
	out := SilenceList{Silences: make([]Silence, len(list))}
	for i, s := range list {
		out.Silences[i] = h.view(s, now)
	}
	return out, nil
}

func (h *Handler) getSilence(_ http.ResponseWriter, r *http.Request) (any, *apiError) {
	id, aerr := pathID(r)
	if aerr != nil {
		return nil, aerr
	}
	s, err := h.silences.Get(id)
	if err != nil {
		return nil, silenceLookupError(id, err)
	}
	return h.view(s, h.now()), nil
}

func silenceLookupError(id string, err error) *apiError {
	if errors.Is(err, silence.ErrNotFound) {
		return fail(http.StatusNotFound, fmt.Sprintf("silence %q not found", id))
	}
	return internal("get silence", err)
}

func (h *Handler) addSilence(w http.ResponseWriter, r *http.Request) (any, *apiError) {
	var req SilenceRequest
	if aerr := h.decodeBody(w, r, &req); aerr != nil {
		return nil, aerr
	}
	now := h.now()
	sil, problems := req.silence(now)
	if len(problems) > 0 {
		return nil, fail(http.StatusBadRequest, "invalid silence: "+strings.Join(problems, "; "), problems...)
	}
	id, err := h.silences.Add(r.Context(), sil, now)
	if err != nil {
		return nil, internal("add silence", err)
	}
	s, err := h.silences.Get(id)
	if err != nil {
		return nil, internal("get silence", err)
	}
	w.Header().Set("Location", Prefix+"silences/"+id)
	return h.view(s, now), nil
}

// silence builds the silence the request asks for at now, or lists every
// problem with it, each naming its field.
func (req SilenceRequest) silence(now time.Time) (silence.Silence, []string) {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	sil := silence.Silence{CreatedBy: strings.TrimSpace(req.CreatedBy), Comment: strings.TrimSpace(req.Comment)}

	matchersOK := true
	if len(req.Matchers) == 0 {
		add("matchers: at least one is required, such as brand=acme")
		matchersOK = false
	} else if ms, err := alert.ParseMatchers(req.Matchers); err != nil {
		for _, e := range unjoin(err) {
			add("matchers%s", e)
		}
		matchersOK = false
	} else {
		sil.Matchers = ms
	}

	start := now
	if req.StartsAt != "" {
		t, err := time.Parse(time.RFC3339, req.StartsAt)
		if err != nil {
			add("starts_at: %q: want an RFC 3339 time such as 2025-03-01T09:00:00Z", req.StartsAt)
		} else if t.After(now) {
			start = t
		}
	}
	sil.StartsAt = start
	switch {
	case req.EndsAt != "" && req.Duration != "":
		add("ends_at, duration: give one of them, not both")
	case req.EndsAt != "":
		t, err := time.Parse(time.RFC3339, req.EndsAt)
		if err != nil {
			add("ends_at: %q: want an RFC 3339 time such as 2025-03-01T11:00:00Z", req.EndsAt)
		} else {
			sil.EndsAt = t
		}
	case req.Duration != "":
		d, err := time.ParseDuration(req.Duration)
		switch {
		case err != nil:
			add("duration: %q: want a duration such as 2h or 90m", req.Duration)
		case d <= 0:
			add("duration: %q: must be positive", req.Duration)
		default:
			sil.EndsAt = start.Add(d)
		}
	default:
		add("ends_at, duration: one of them is required")
	}
	if !sil.EndsAt.IsZero() && sil.EndsAt.Sub(start) > MaxSilenceDuration {
		add("ends_at: %s: more than %s after the start; change the routing configuration instead", sil.EndsAt.Format(time.RFC3339), MaxSilenceDuration)
	}
	if len(problems) > 0 && sil.EndsAt.IsZero() {
		// Ends_at is already reported; keep Validate from repeating it.
		sil.EndsAt = start.Add(time.Second)
	}
	if err := sil.Validate(); err != nil {
		for _, e := range unjoin(err) {
			msg := e.Error()
			if !matchersOK && strings.HasPrefix(msg, "matchers") {
				continue // already reported by the parser
			}
			problems = append(problems, msg)
		}
	}
	return sil, problems
}

// unjoin returns the errors an errors.Join holds, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func (h *Handler) expireSilence(_ http.ResponseWriter, r *http.Request) (any, *apiError) {
	id, aerr := pathID(r)
	if aerr != nil {
		return nil, aerr
	}
	now := h.now()
	s, err := h.silences.Get(id)
	if err != nil {
		return nil, silenceLookupError(id, err)
	}
	if s.State(now) == silence.StateExpired {
		return nil, fail(http.StatusConflict, fmt.Sprintf("silence %q already expired at %s", id, s.EndsAt.UTC().Format(time.RFC3339)))
	}
	if err := h.silences.Expire(r.Context(), id, now); err != nil {
		if errors.Is(err, silence.ErrNotFound) {
			return nil, silenceLookupError(id, err)
		}
		return nil, internal("expire silence", err)
	}
	s, err = h.silences.Get(id)
	if err != nil {
		return nil, silenceLookupError(id, err)
	}
	return h.view(s, now), nil
}
