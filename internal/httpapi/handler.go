package httpapi

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
)

// Prefix is the path the app mounts the [Handler] on; every route is under
// it.
const Prefix = "/api/v1/"

// DefaultMaxBodyBytes bounds a request body when [Options.MaxBodyBytes] is
// 0. A silence with a dozen matchers and a long comment is a few KiB.
const DefaultMaxBodyBytes = 64 << 10

// routeUnmatched is the route label of requests no pattern matches.
const routeUnmatched = "unmatched"

// ErrNotFound is what a [CaseReader] wraps when a case does not exist; the
// API answers 404.
var ErrNotFound = errors.New("not found")

// Error is the body of every error answer.
type Error struct {
	// Error says what went wrong, naming the field or parameter at fault.
	Error string `json:"error"`
	// Details lists every problem when there are several.
	Details []string `json:"details,omitempty"`
}

// Options configure a [Handler]. Token and Silences are required.
type Options struct {
	// Token is the bearer token every request must carry, resolved from
	// the configuration's secret reference. It is never logged.
	Token []byte
	// Silences holds the silences; a *silence.Silencer is one.
	Silences Silences
	// Cases reads cases; nil answers 503 on the case routes.
	Cases CaseReader
	// Alerts lists the current alert groups; nil answers 503 on
	// /api/v1/alerts.
	Alerts AlertLister
	// Logger receives failures answered with 5xx; nil discards them.
	Logger *slog.Logger
	// Registerer receives the API's metrics; nil leaves them unregistered.
	Registerer prometheus.Registerer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxBodyBytes bounds a request body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

// Handler serves the API. It is safe for concurrent use.
type Handler struct {
	tokenSum [sha256.Size]byte
	silences Silences
	cases    CaseReader
	alerts   AlertLister
	logger   *slog.Logger
	metrics  *metrics
	now      func() time.Time
	maxBody  int64

	mux   *http.ServeMux // method and path: the routes
	paths *http.ServeMux // path only: tells 405 from 404
	allow map[string]string
}

var _ http.Handler = (*Handler)(nil)

// New checks opts and returns the Handler.
func New(opts Options) (*Handler, error) {
	var errs []error
	if len(opts.Token) == 0 {
		errs = append(errs, errors.New("token: required"))
	}
	if opts.Silences == nil {
		errs = append(errs, errors.New("silences: required"))
	}
	if opts.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("max body bytes: %d: must not be negative", opts.MaxBodyBytes))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("new api handler: %w", err)
	}
	h := &Handler{
		tokenSum: sha256.Sum256(opts.Token),
		silences: opts.Silences,
		cases:    opts.Cases,
		alerts:   opts.Alerts,
		logger:   opts.Logger,
		now:      opts.Now,
		maxBody:  opts.MaxBodyBytes,
		mux:      http.NewServeMux(),
		paths:    http.NewServeMux(),
		allow:    map[string]string{},
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	h.logger = h.logger.With("component", "api")
	if h.now == nil {
		h.now = time.Now
	}
	if h.maxBody == 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	rts := h.routes()
	h.metrics = newMetrics(opts.Registerer, rts)
	methods := map[string][]string{}
	for _, rt := range rts {
		method, path, _ := strings.Cut(rt.pattern, " ")
		h.mux.Handle(rt.pattern, h.endpoint(rt))
		if _, ok := methods[path]; !ok {
			h.paths.Handle(path, http.NotFoundHandler()) // only matched, never served
		}
		methods[path] = append(methods[path], method)
		if method == http.MethodGet {
			methods[path] = append(methods[path], http.MethodHead)
		}
	}
	for path, ms := range methods {
		slices.Sort(ms)
		h.allow[path] = strings.Join(ms, ", ")
	}
	h.mux.HandleFunc("/", h.unmatched)
	return h, nil
}

// route is one endpoint: a ServeMux pattern, the status it answers on
// success and the function computing the answer.
type route struct {
	pattern string
	success int
	serve   func(w http.ResponseWriter, r *http.Request) (any, *apiError)
}

// routes is the API: every pattern here, and nothing else, can be a route
// label on the metrics.
func (h *Handler) routes() []route {
	return []route{
		{"GET /api/v1/silences", http.StatusOK, h.listSilences},
		{"POST /api/v1/silences", http.StatusCreated, h.addSilence},
		{"GET /api/v1/silences/{id}", http.StatusOK, h.getSilence},
		{"DELETE /api/v1/silences/{id}", http.StatusOK, h.expireSilence},
		{"GET /api/v1/cases", http.StatusOK, h.listCases},
		{"GET /api/v1/cases/{id}", http.StatusOK, h.getCase},
		{"GET /api/v1/alerts", http.StatusOK, h.listAlerts},
	}
}

// apiError is an answer other than success.
type apiError struct {
	code    int
	msg     string
	details []string
	err     error // the cause of a 5xx, logged, never sent
}

func fail(code int, msg string, details ...string) *apiError {
	return &apiError{code: code, msg: msg, details: details}
}

// internal is a 500 whose cause is logged, not sent: what names the
// operation that failed.
func internal(what string, err error) *apiError {
	return &apiError{code: http.StatusInternalServerError, msg: what + ": internal error; the server log has the cause", err: err}
}

// ServeHTTP authenticates the request, serves it and counts it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, pattern := h.mux.Handler(r)
	label := routeUnmatched
	if pattern != "" && pattern != "/" {
		label = pattern
	}
	sw := &statusWriter{ResponseWriter: w}
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	if h.authorized(r) {
		h.mux.ServeHTTP(sw, r)
	} else {
		hdr.Set("WWW-Authenticate", `Bearer realm="vigia"`)
		h.writeError(sw, label, fail(http.StatusUnauthorized, "missing or wrong bearer token: send Authorization: Bearer <token>"))
	}
	if sw.code == 0 {
		sw.code = http.StatusOK
	}
	h.metrics.requests.WithLabelValues(label, strconv.Itoa(sw.code)).Inc()
}

// authorized compares the bearer token in constant time. Both sides are
// hashed first, so that neither the comparison's time nor its length
// check tells anything about the token.
func (h *Handler) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(sum[:], h.tokenSum[:]) == 1
}

// endpoint adapts a route to an http.Handler that writes its JSON answer.
func (h *Handler) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, aerr := rt.serve(w, r)
		if aerr != nil {
			h.writeError(w, rt.pattern, aerr)
			return
		}
		writeJSON(w, rt.success, body)
	})
}

// unmatched answers requests no route takes: 405 when the path exists
// with other methods, 404 otherwise.
func (h *Handler) unmatched(w http.ResponseWriter, r *http.Request) {
	if _, path := h.paths.Handler(r); path != "" {
		allow := h.allow[path]
		w.Header().Set("Allow", allow)
		h.writeError(w, routeUnmatched, fail(http.StatusMethodNotAllowed,
			fmt.Sprintf("method %s not allowed on %s; use %s", r.Method, path, allow)))
		return
	}
	h.writeError(w, routeUnmatched, fail(http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path+"; see docs/api.md"))
}

func (h *Handler) writeError(w http.ResponseWriter, route string, e *apiError) {
	if e.code >= 500 {
		h.logger.Warn("api request failed", "route", route, "code", e.code, "err", e.err)
	} else {
		h.logger.Debug("api request rejected", "route", route, "code", e.code)
	}
	writeJSON(w, e.code, Error{Error: e.msg, Details: e.details})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away; nothing to do
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// decodeBody reads a JSON object of at most maxBody bytes into v: 413 when
// larger, 415 for a media type other than JSON, 400 for invalid UTF-8,
// invalid JSON, unknown fields, wrong types or trailing data.
func (h *Handler) decodeBody(w http.ResponseWriter, r *http.Request, v any) *apiError {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return fail(http.StatusUnsupportedMediaType, fmt.Sprintf("content type %q: want application/json", ct))
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("body exceeds %d bytes", h.maxBody))
		}
		return fail(http.StatusBadRequest, "read body: "+err.Error())
	}
	if !utf8.Valid(body) {
		return fail(http.StatusBadRequest, "body is not valid UTF-8")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return fail(http.StatusBadRequest, "body is empty: want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fail(http.StatusBadRequest, describeJSONError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fail(http.StatusBadRequest, "invalid JSON: data after the object")
	}
	return nil
}

// describeJSONError words a decoding error for the client, naming the
// field when there is one.
func describeJSONError(err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if te.Field == "" {
			return fmt.Sprintf("invalid JSON: got %s, want an object", te.Value)
		}
		return fmt.Sprintf("%s: got JSON %s, want %s", te.Field, te.Value, jsonKind(te.Type.Kind().String()))
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "invalid JSON: unexpected end of body"
	}
	// DisallowUnknownFields reports `json: unknown field "x"`.
	return "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "slice", "array":
		return "an array"
	case "string":
		return "a string"
	case "struct", "map":
		return "an object"
	default:
		return "a " + kind
	}
}

// queryValue returns the query parameter name, rejecting invalid UTF-8 and
// values longer than max bytes.
func queryValue(r *http.Request, name string, maxLen int) (string, *apiError) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	switch {
	case !utf8.ValidString(v):
		return "", fail(http.StatusBadRequest, name+": not valid UTF-8")
	case len(v) > maxLen:
		return "", fail(http.StatusBadRequest, fmt.Sprintf("%s: longer than %d bytes", name, maxLen))
	}
	return v, nil
}

// pathID returns the {id} path value, rejecting invalid UTF-8 and
// implausibly long IDs.
func pathID(r *http.Request) (string, *apiError) {
	id := r.PathValue("id")
	if !utf8.ValidString(id) || len(id) > maxIDBytes {
		return "", fail(http.StatusBadRequest, fmt.Sprintf("id: want at most %d bytes of UTF-8", maxIDBytes))
	}
	return id, nil
}

// maxIDBytes bounds a silence or case ID in a path.
const maxIDBytes = 256
