package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ActionKind is a button on a post.
type ActionKind string

// The actions every chat receiver offers on a case's alert.
const (
	// ActionClaim: an agent takes the case.
	ActionClaim ActionKind = "claim"
	// ActionReplied: an agent answered the customer outside Vigía; it
	// counts as the first (or next) human response.
	ActionReplied ActionKind = "replied"
	// ActionResolve closes the case.
	ActionResolve ActionKind = "resolve"
	// ActionNotComplaint corrects the classifier: the message was not a
	// complaint (a feedback label).
	ActionNotComplaint ActionKind = "not_complaint"
	// ActionSpam corrects the classifier: the message was spam (a
	// feedback label), and resolves the case.
	ActionSpam ActionKind = "spam"
)

// Actions lists the buttons in the order they are shown.
func Actions() []ActionKind {
	return []ActionKind{ActionClaim, ActionReplied, ActionResolve, ActionNotComplaint, ActionSpam}
}

// Valid reports whether k is a known action.
func (k ActionKind) Valid() bool {
	switch k {
	case ActionClaim, ActionReplied, ActionResolve, ActionNotComplaint, ActionSpam:
		return true
	}
	return false
}

// Title is the button's label.
func (k ActionKind) Title() string {
	switch k {
	case ActionClaim:
		return "Claim"
	case ActionReplied:
		return "Replied"
	case ActionResolve:
		return "Resolve"
	case ActionNotComplaint:
		return "Not a complaint"
	case ActionSpam:
		return "Spam"
	}
	return string(k)
}

// Action is a button press, as it reaches Vigía from any receiver.
type Action struct {
	// Kind is the button.
	Kind ActionKind
	// CaseID is the case the post was about.
	CaseID string
	// Actor names who pressed it: "mattermost:<username>",
	// "telegram:<user id>".
	Actor string
	// At is when the press arrived.
	At time.Time
}

// ActionHandler applies button presses: case events and feedback labels.
// It returns a short text to show the person who pressed ("Case resolved").
type ActionHandler interface {
	HandleAction(ctx context.Context, a Action) (string, error)
}

// ActionHandlerFunc adapts a function to ActionHandler.
type ActionHandlerFunc func(ctx context.Context, a Action) (string, error)

// HandleAction calls f.
func (f ActionHandlerFunc) HandleAction(ctx context.Context, a Action) (string, error) {
	return f(ctx, a)
}

// Signer signs and verifies the context a button carries, so that only
// buttons Vigía created can change a case. The token is
// "<kind>.<case id>.<expiry unix>.<mac>", the MAC an HMAC-SHA256 with the
// configured secret over the first three parts.
type Signer struct {
	key []byte
	ttl time.Duration
}

// NewSigner returns a Signer with the secret key; tokens expire after ttl
// (a post's buttons stop working after that; 0 means 30 days).
func NewSigner(key []byte, ttl time.Duration) (*Signer, error) {
	if len(key) < 16 {
		return nil, errors.New("action signing key: must be at least 16 bytes")
	}
	if ttl <= 0 {
		ttl = 30 * 24 * time.Hour
	}
	return &Signer{key: append([]byte(nil), key...), ttl: ttl}, nil
}

// ErrBadSignature is returned for a token that was not signed with the key,
// is malformed or has expired.
var ErrBadSignature = errors.New("bad or expired action signature")

// Sign returns the token for pressing kind on caseID, valid from now.
func (s *Signer) Sign(kind ActionKind, caseID string, now time.Time) string {
	payload := string(kind) + "." + caseID + "." + strconv.FormatInt(now.Add(s.ttl).Unix(), 10)
	return payload + "." + s.mac(payload)
}

func (s *Signer) mac(payload string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// Verify checks token at now and returns the action kind and case id it
// was signed for.
func (s *Signer) Verify(token string, now time.Time) (ActionKind, string, error) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return "", "", ErrBadSignature
	}
	payload, mac := token[:i], token[i+1:]
	if !hmac.Equal([]byte(mac), []byte(s.mac(payload))) {
		return "", "", ErrBadSignature
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 3 {
		return "", "", ErrBadSignature
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || now.Unix() > exp {
		return "", "", fmt.Errorf("%w: expired", ErrBadSignature)
	}
	kind := ActionKind(parts[0])
	if !kind.Valid() || parts[1] == "" {
		return "", "", ErrBadSignature
	}
	return kind, parts[1], nil
}
