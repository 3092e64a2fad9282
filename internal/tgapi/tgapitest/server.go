package tgapitest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Bot API limits the fake enforces (https://core.telegram.org/bots/api).
const (
	// MaxMessageLength is the most characters (UTF-16 code units) of a
	// message's text after entities are parsed
	// (https://core.telegram.org/bots/api#sendmessage).
	MaxMessageLength = 4096
	// MaxCallbackDataBytes bounds an inline button's callback_data, which
	// must have 1 to 64 bytes
	// (https://core.telegram.org/bots/api#inlinekeyboardbutton).
	MaxCallbackDataBytes = 64
	// MaxCallbackAnswerLength bounds answerCallbackQuery's text
	// (https://core.telegram.org/bots/api#answercallbackquery).
	MaxCallbackAnswerLength = 200
	// DefaultRetryAfter is the retry_after, in seconds, of an injected 429
	// that does not name one.
	DefaultRetryAfter = 5
	// maxBodyBytes bounds a request body.
	maxBodyBytes = 1 << 20
	// floodSlack forgives this much of ChatInterval, for transit jitter
	// between a client's limiter and the fake.
	floodSlack = 50 * time.Millisecond
)

// Telegram's answers, word for word where Telegram's are known.
const (
	descNotModified  = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
	descEditNotFound = "Bad Request: message to edit not found"
	descQueryInvalid = "Bad Request: query is too old and response timeout expired or query ID is invalid"
	descConflict     = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	descButtonData   = "Bad Request: BUTTON_DATA_INVALID"
)

// User is a Telegram user (or the bot itself).
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	Username  string `json:"username,omitempty"`
}

// Chat is a Telegram chat. Its type follows from the id: positive ids are
// private chats, ids from -1000000000000 down supergroups, other negative
// ids groups.
type Chat struct {
	ID    int64  `json:"id"`
	Type  string `json:"type"`
	Title string `json:"title,omitempty"`
}

// Button is an inline keyboard button.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// Message is a message as the fake holds it.
type Message struct {
	// ID is message_id, numbered from 1 in each chat.
	ID int
	// ChatID is the chat the message is in.
	ChatID int64
	// ThreadID is message_thread_id, the forum topic; 0 for none.
	ThreadID int
	// From is who sent it; the bot for messages sent through the API.
	From User
	// Text is the current text as Telegram shows it: entities parsed.
	Text string
	// Entities are the current formatting spans of Text.
	Entities []Entity
	// Source is the current text as sent, before parsing (the HTML).
	Source string
	// ParseMode is the parse_mode of the last send or edit.
	ParseMode string
	// Keyboard is the current inline keyboard; nil when there is none.
	Keyboard [][]Button
	// Edits counts successful editMessageText calls.
	Edits int
	// Date is when the message was sent; EditDate when it was last edited.
	Date, EditDate time.Time
}

// CallbackAnswer is an answerCallbackQuery call the fake accepted.
type CallbackAnswer struct {
	// QueryID is the callback query answered.
	QueryID string
	// Text is what the pressing user was shown.
	Text string
	// ShowAlert reports whether it was an alert instead of a notification.
	ShowAlert bool
}

// Failure is an answer to inject instead of a method's own.
type Failure struct {
	// Code is the HTTP status and error_code.
	Code int
	// Description replaces Telegram's usual text for Code.
	Description string
	// RetryAfter is parameters.retry_after in seconds; for a 429 without
	// one, DefaultRetryAfter.
	RetryAfter int
	// Method limits the failure to calls of this method; empty means any.
	Method string
	// Body, when set, is sent as text/html instead of the JSON error, as a
	// proxy in front of the Bot API would.
	Body string
}

// FloodLimits are the flood-control limits the fake may enforce, per chat.
type FloodLimits struct {
	// ChatInterval is the least time between messages (sent or edited) in
	// one chat; 0 disables.
	ChatInterval time.Duration
	// GroupPerMinute caps messages to one group chat in any minute; 0
	// disables.
	GroupPerMinute int
}

// DocumentedFloodLimits are the limits of Telegram's bot FAQ
// (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
// one message per second per chat, 20 per minute per group.
func DocumentedFloodLimits() FloodLimits {
	return FloodLimits{ChatInterval: time.Second, GroupPerMinute: 20}
}

// Server is the fake Bot API. Its methods are safe for concurrent use.
//
// Every method answers 401 "Unauthorized" for another token and 404 "Not
// Found" for an unknown method name (names are case-insensitive, as in
// Telegram). Parameters are read from the query string and from
// application/x-www-form-urlencoded, multipart/form-data or JSON bodies.
//
//   - getMe answers the bot user.
//   - sendMessage needs chat_id (an integer) and text; it parses parse_mode
//     HTML (see [Message.Entities]; an unsupported tag or unescaped '<', '>'
//     or '&' is 400 "can't parse entities"), rejects texts over
//     MaxMessageLength after parsing, keeps message_thread_id and the
//     reply_markup inline keyboard (callback_data of 1 to 64 bytes), and
//     answers the Message.
//   - editMessageText (chat_id and message_id) answers 400 "message to edit
//     not found" for an unknown message and 400 "message is not modified"
//     when text, entities and keyboard are all unchanged; an edit without
//     reply_markup removes the keyboard, as in Telegram.
//   - answerCallbackQuery accepts each pending query once.
//   - getUpdates confirms the updates below offset (a negative offset keeps
//     the last -offset), returns up to limit of them, waits up to timeout
//     seconds for one when there are none, and answers 409 Conflict to a
//     waiting call when another starts. allowed_updates applies, as in
//     Telegram, to updates created after the call and to later calls;
//     absent or "null" keeps the setting, [] means every kind.
type Server struct {
	// URL is the server's base URL, for tgapi.Options.BaseURL; empty for a
	// Server from NewInProcess.
	URL string

	t     testing.TB
	token string
	bot   User
	srv   *httptest.Server
	done  chan struct{}
	close sync.Once

	mu         sync.Mutex
	chats      map[int64]*chat
	updates    []update // unconfirmed, ascending update_id
	nextUpdate int
	allowed    map[string]bool // kinds kept for delivery; nil: every kind
	queries    map[string]bool // callback query ids not answered yet
	nextQuery  int
	answers    []CallbackAnswer
	failures   []Failure
	latency    time.Duration
	flood      FloodLimits
	calls      map[string]int
	arrived    chan struct{} // closed and replaced when an update is added
	poll       chan struct{} // closed to end the waiting getUpdates with 409
}

type chat struct {
	info     Chat
	messages []*Message // ascending ID
	sent     []time.Time
}

type update struct {
	id      int
	kind    string // "message", "callback_query"
	payload any
}

// NewServer starts a fake Bot API for token on 127.0.0.1; it stops when
// the test ends.
func NewServer(t testing.TB, token string) *Server {
	t.Helper()
	s := newServer(t, token)
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

// NewInProcess returns a fake that does not listen: reach it through
// [Server.Client] or [Server.Transport]. Use it inside a testing/synctest
// bubble, where a real listener would keep fake time from advancing; the
// base URL to give clients is then any http URL, such as
// "http://tgapitest.invalid".
func NewInProcess(t testing.TB, token string) *Server {
	t.Helper()
	s := newServer(t, token)
	t.Cleanup(s.Close)
	return s
}

func newServer(t testing.TB, token string) *Server {
	id, err := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64)
	if err != nil || id <= 0 {
		id = 1
	}
	return &Server{
		t:       t,
		token:   token,
		bot:     User{ID: id, IsBot: true, FirstName: "Vigía Test", Username: "vigia_test_bot"},
		done:    make(chan struct{}),
		chats:   make(map[int64]*chat),
		queries: make(map[string]bool),
		calls:   make(map[string]int),
		arrived: make(chan struct{}),
		poll:    make(chan struct{}),
	}
}

// Close ends waiting long polls and stops the server. It is called when
// the test ends.
func (s *Server) Close() {
	s.close.Do(func() {
		close(s.done)
		if s.srv != nil {
			s.srv.Close()
		}
	})
}

// Bot returns the bot user getMe answers.
func (s *Server) Bot() User { return s.bot }

// Client returns an HTTP client that reaches the server: the listener's
// for NewServer, an in-process one for NewInProcess.
func (s *Server) Client() *http.Client {
	if s.srv != nil {
		return s.srv.Client()
	}
	return &http.Client{Transport: s.Transport()}
}

// Transport returns a RoundTripper that serves every request in process,
// whatever its host.
func (s *Server) Transport() http.RoundTripper { return inProcess{s} }

type inProcess struct{ s *Server }

func (p inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	in := req.Clone(req.Context())
	if in.Body == nil {
		in.Body = http.NoBody
	}
	in.RequestURI = req.URL.RequestURI()
	p.s.ServeHTTP(rec, in)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// FailNext makes the next n calls, of any method, answer code with
// Telegram's usual description (and retry_after DefaultRetryAfter for 429).
func (s *Server) FailNext(n, code int) { s.FailNextWith(n, Failure{Code: code}) }

// FailNextWith makes the next n calls that f applies to answer f.
func (s *Server) FailNextWith(n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, f)
	}
}

// SetLatency delays every answer by d (0 for none).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetFloodLimits enforces l on sendMessage and editMessageText, answering
// 429 "Too Many Requests: retry after N" with parameters.retry_after;
// the zero FloodLimits (the default) enforces nothing.
func (s *Server) SetFloodLimits(l FloodLimits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flood = l
}

// Calls returns how many calls of method (any case) reached the server,
// failed ones included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[strings.ToLower(method)]
}

// Messages returns copies of the messages in chatID, oldest first, with
// their current text and keyboard.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	out := make([]Message, 0, len(c.messages))
	for _, m := range c.messages {
		out = append(out, m.clone())
	}
	return out
}

// Message returns a copy of message id in chatID.
func (s *Server) Message(chatID int64, id int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.message(chatID, id); m != nil {
		return m.clone(), true
	}
	return Message{}, false
}

// Answers returns the accepted answerCallbackQuery calls, oldest first.
func (s *Server) Answers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.answers)
}

// PendingUpdates counts the updates not yet confirmed by a getUpdates
// offset.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// PressButton has user press the button with callback data on message
// messageID of chatID, queueing the callback_query update Telegram would
// deliver, and returns the query's id. The test fails if the message has
// no such button. Call it from the test's goroutine.
func (s *Server) PressButton(chatID int64, messageID int, data string, user User) string {
	s.t.Helper()
	s.mu.Lock()
	m := s.message(chatID, messageID)
	found := false
	if m != nil {
		for _, row := range m.Keyboard {
			for _, b := range row {
				found = found || (b.CallbackData == data && data != "")
			}
		}
	}
	s.mu.Unlock()
	if !found {
		s.t.Fatalf("tgapitest: chat %d message %d has no button with callback data %q", chatID, messageID, data)
		return ""
	}
	return s.InjectCallback(chatID, messageID, data, user)
}

// InjectCallback queues a callback_query update with any data, checked
// against nothing, about message messageID of chatID (which need not
// exist), and returns the query's id.
func (s *Server) InjectCallback(chatID int64, messageID int, data string, user User) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextQuery++
	id := fmt.Sprintf("%d%07d", s.bot.ID, s.nextQuery)
	s.queries[id] = true
	var msg wireMessage
	if m := s.message(chatID, messageID); m != nil {
		msg = s.wire(m)
	} else {
		msg = wireMessage{MessageID: messageID, Chat: chatInfo(chatID), Date: time.Now().Unix()}
	}
	s.enqueue("callback_query", wireCallback{
		ID: id, From: user, Message: &msg, ChatInstance: strconv.FormatInt(-chatID, 10), Data: data,
	})
	return id
}

// SendUserMessage has user write text (plain, no entities) in chatID,
// queueing the message update, and returns the new message's id.
func (s *Server) SendUserMessage(chatID int64, user User, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID)
	now := time.Now()
	m := &Message{ID: s.nextMessageID(c), ChatID: chatID, From: user, Text: text, Source: text, Date: now}
	c.messages = append(c.messages, m)
	s.enqueue("message", s.wire(m))
	return m.ID
}

func (m *Message) clone() Message {
	c := *m
	c.Entities = slices.Clone(m.Entities)
	c.Keyboard = nil
	for _, row := range m.Keyboard {
		c.Keyboard = append(c.Keyboard, slices.Clone(row))
	}
	return c
}

// message returns the message or nil; s.mu is held.
func (s *Server) message(chatID int64, id int) *Message {
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	i, ok := slices.BinarySearchFunc(c.messages, id, func(m *Message, id int) int { return m.ID - id })
	if !ok {
		return nil
	}
	return c.messages[i]
}

// chat returns the chat, creating it; s.mu is held.
func (s *Server) chat(id int64) *chat {
	c := s.chats[id]
	if c == nil {
		c = &chat{info: chatInfo(id)}
		s.chats[id] = c
	}
	return c
}

func chatInfo(id int64) Chat {
	switch {
	case id > 0:
		return Chat{ID: id, Type: "private"}
	case id <= -1000000000000:
		return Chat{ID: id, Type: "supergroup", Title: fmt.Sprintf("Chat %d", id)}
	default:
		return Chat{ID: id, Type: "group", Title: fmt.Sprintf("Chat %d", id)}
	}
}

func (s *Server) nextMessageID(c *chat) int {
	if n := len(c.messages); n > 0 {
		return c.messages[n-1].ID + 1
	}
	return 1
}

// enqueue adds an update and wakes a waiting getUpdates; s.mu is held.
func (s *Server) enqueue(kind string, payload any) {
	if s.allowed != nil && !s.allowed[kind] {
		return // Telegram does not keep updates the bot did not ask for
	}
	s.nextUpdate++
	s.updates = append(s.updates, update{id: s.nextUpdate, kind: kind, payload: payload})
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// Wire format.

type wireMessage struct {
	MessageID       int           `json:"message_id"`
	MessageThreadID int           `json:"message_thread_id,omitempty"`
	From            *User         `json:"from,omitempty"`
	Chat            Chat          `json:"chat"`
	Date            int64         `json:"date"`
	EditDate        int64         `json:"edit_date,omitempty"`
	IsTopicMessage  bool          `json:"is_topic_message,omitempty"`
	Text            string        `json:"text,omitempty"`
	Entities        []Entity      `json:"entities,omitempty"`
	ReplyMarkup     *wireKeyboard `json:"reply_markup,omitempty"`
}

type wireKeyboard struct {
	InlineKeyboard [][]Button `json:"inline_keyboard"`
}

type wireCallback struct {
	ID           string       `json:"id"`
	From         User         `json:"from"`
	Message      *wireMessage `json:"message,omitempty"`
	ChatInstance string       `json:"chat_instance"`
	Data         string       `json:"data,omitempty"`
}

// wire renders m as the Bot API's Message; s.mu is held.
func (s *Server) wire(m *Message) wireMessage {
	from := m.From
	w := wireMessage{
		MessageID: m.ID, MessageThreadID: m.ThreadID, From: &from, Chat: s.chat(m.ChatID).info,
		Date: m.Date.Unix(), IsTopicMessage: m.ThreadID != 0, Text: m.Text, Entities: slices.Clone(m.Entities),
	}
	if !m.EditDate.IsZero() {
		w.EditDate = m.EditDate.Unix()
	}
	if m.Keyboard != nil {
		w.ReplyMarkup = &wireKeyboard{InlineKeyboard: m.clone().Keyboard}
	}
	return w
}

// apiError is an answer with "ok": false.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func (e *apiError) Error() string { return e.desc }

func fail(code int, format string, args ...any) *apiError {
	return &apiError{code: code, desc: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *apiError {
	return fail(http.StatusBadRequest, "Bad Request: "+format, args...)
}

// ServeHTTP answers a Bot API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.done:
			t.Stop()
		}
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || method == "" || strings.Contains(method, "/") {
		writeError(w, fail(http.StatusNotFound, "Not Found"))
		return
	}
	if token != s.token {
		writeError(w, fail(http.StatusUnauthorized, "Unauthorized"))
		return
	}
	method = strings.ToLower(method)
	handlers := map[string]func(context.Context, map[string]string) (any, *apiError){
		"getme":               s.getMe,
		"sendmessage":         s.sendMessage,
		"editmessagetext":     s.editMessageText,
		"answercallbackquery": s.answerCallbackQuery,
		"getupdates":          s.getUpdates,
	}
	h, ok := handlers[method]
	if !ok {
		writeError(w, fail(http.StatusNotFound, "Not Found"))
		return
	}
	s.mu.Lock()
	s.calls[method]++
	f, failing := s.takeFailure(method)
	s.mu.Unlock()
	if failing {
		writeFailure(w, f)
		return
	}
	params, err := readParams(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	result, err := h(r.Context(), params)
	if err != nil {
		writeError(w, err)
		return
	}
	if result == nil {
		return // the client went away
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

// takeFailure pops the first injected failure for method; s.mu is held.
func (s *Server) takeFailure(method string) (Failure, bool) {
	for i, f := range s.failures {
		if f.Method == "" || strings.EqualFold(f.Method, method) {
			s.failures = slices.Delete(s.failures, i, i+1)
			return f, true
		}
	}
	return Failure{}, false
}

func writeFailure(w http.ResponseWriter, f Failure) {
	if f.Body != "" {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Code)
		io.WriteString(w, f.Body)
		return
	}
	e := &apiError{code: f.Code, desc: f.Description, retryAfter: f.RetryAfter}
	if f.Code == http.StatusTooManyRequests && e.retryAfter == 0 {
		e.retryAfter = DefaultRetryAfter
	}
	if e.desc == "" {
		switch f.Code {
		case http.StatusTooManyRequests:
			e.desc = fmt.Sprintf("Too Many Requests: retry after %d", e.retryAfter)
		case http.StatusBadRequest:
			e.desc = "Bad Request"
		default:
			e.desc = http.StatusText(f.Code)
		}
	}
	writeError(w, e)
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"ok": false, "error_code": e.code, "description": e.desc}
	if e.retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": e.retryAfter}
	}
	writeJSON(w, e.code, body)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// readParams collects the request's parameters: the query string, then a
// form, multipart or JSON body. JSON values that are not strings keep
// their JSON text, as Telegram reads them.
func readParams(w http.ResponseWriter, r *http.Request) (map[string]string, *apiError) {
	p := map[string]string{}
	for k, v := range r.URL.Query() {
		p[k] = v[0]
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		var body map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			return nil, badRequest("can't parse JSON body: %v", err)
		}
		for k, raw := range body {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				p[k] = str
			} else {
				p[k] = string(raw)
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxBodyBytes); err != nil {
			return nil, badRequest("can't parse multipart body: %v", err)
		}
		for k, v := range r.MultipartForm.Value {
			p[k] = v[0]
		}
	case "", "application/x-www-form-urlencoded":
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, fail(http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		}
		form, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, badRequest("can't parse form body: %v", err)
		}
		for k, v := range form {
			p[k] = v[0]
		}
	default:
		return nil, badRequest("unsupported Content-Type %q", mt)
	}
	return p, nil
}

func (s *Server) getMe(context.Context, map[string]string) (any, *apiError) {
	return s.bot, nil
}

// text parses the text and parse_mode parameters.
func parseText(p map[string]string) (text string, entities []Entity, e *apiError) {
	src := p["text"]
	switch mode := p["parse_mode"]; strings.ToLower(mode) {
	case "html":
		var err error
		text, entities, err = ParseHTML(src)
		if err != nil {
			return "", nil, badRequest("can't parse entities: %v", err)
		}
	case "":
		text = src
	default:
		return "", nil, badRequest("unsupported parse_mode %q (the fake knows HTML only)", mode)
	}
	if strings.TrimSpace(text) == "" {
		return "", nil, badRequest("message text is empty")
	}
	if utf16Len(text) > MaxMessageLength {
		return "", nil, badRequest("message is too long")
	}
	return text, entities, nil
}

// parseKeyboard reads reply_markup; nil when absent.
func parseKeyboard(p map[string]string) ([][]Button, *apiError) {
	raw, ok := p["reply_markup"]
	if !ok || raw == "" {
		return nil, nil
	}
	var kb struct {
		InlineKeyboard [][]struct {
			Text         string  `json:"text"`
			CallbackData *string `json:"callback_data"`
			URL          *string `json:"url"`
		} `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &kb); err != nil || kb.InlineKeyboard == nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	out := make([][]Button, 0, len(kb.InlineKeyboard))
	for _, row := range kb.InlineKeyboard {
		var r []Button
		for _, b := range row {
			switch {
			case b.Text == "":
				return nil, badRequest("can't parse inline keyboard button: Text must be non-empty")
			case b.CallbackData != nil:
				if n := len(*b.CallbackData); n < 1 || n > MaxCallbackDataBytes {
					return nil, badRequest("BUTTON_DATA_INVALID")
				}
				r = append(r, Button{Text: b.Text, CallbackData: *b.CallbackData})
			case b.URL != nil:
				r = append(r, Button{Text: b.Text, URL: *b.URL})
			default:
				return nil, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func parseChatID(p map[string]string) (int64, *apiError) {
	v, ok := p["chat_id"]
	if !ok || v == "" {
		return 0, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id == 0 {
		return 0, badRequest("chat not found")
	}
	return id, nil
}

func optionalInt(p map[string]string, key string) (int, *apiError) {
	v, ok := p[key]
	if !ok || v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, badRequest("invalid %s", key)
	}
	return n, nil
}

// floodWait is how long chat c must wait before another message at now;
// s.mu is held.
func (s *Server) floodWait(c *chat, now time.Time) time.Duration {
	var wait time.Duration
	if s.flood.ChatInterval > 0 && len(c.sent) > 0 {
		if gap := now.Sub(c.sent[len(c.sent)-1]); gap < s.flood.ChatInterval-floodSlack {
			wait = s.flood.ChatInterval - gap
		}
	}
	if n := s.flood.GroupPerMinute; n > 0 && c.info.ID < 0 {
		inWindow := 0
		for _, t := range c.sent {
			if now.Sub(t) < time.Minute {
				inWindow++
			}
		}
		if inWindow >= n {
			wait = max(wait, c.sent[len(c.sent)-n].Add(time.Minute).Sub(now))
		}
	}
	return wait
}

// admit applies flood control to one more message in c; s.mu is held.
func (s *Server) admit(c *chat, now time.Time) *apiError {
	if wait := s.floodWait(c, now); wait > 0 {
		secs := max(1, int(math.Ceil(wait.Seconds())))
		return &apiError{code: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
	}
	c.sent = append(c.sent, now)
	if len(c.sent) > 256 {
		c.sent = slices.Delete(c.sent, 0, len(c.sent)-256)
	}
	return nil
}

func (s *Server) sendMessage(_ context.Context, p map[string]string) (any, *apiError) {
	chatID, err := parseChatID(p)
	if err != nil {
		return nil, err
	}
	thread, err := optionalInt(p, "message_thread_id")
	if err != nil {
		return nil, err
	}
	text, entities, err := parseText(p)
	if err != nil {
		return nil, err
	}
	kb, err := parseKeyboard(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID)
	now := time.Now()
	if err := s.admit(c, now); err != nil {
		return nil, err
	}
	m := &Message{
		ID: s.nextMessageID(c), ChatID: chatID, ThreadID: thread, From: s.bot, Text: text, Entities: entities,
		Source: p["text"], ParseMode: p["parse_mode"], Keyboard: kb, Date: now,
	}
	c.messages = append(c.messages, m)
	return s.wire(m), nil
}

func (s *Server) editMessageText(_ context.Context, p map[string]string) (any, *apiError) {
	if p["inline_message_id"] != "" {
		return nil, badRequest("the fake does not know inline messages")
	}
	chatID, err := parseChatID(p)
	if err != nil {
		return nil, err
	}
	id, err := optionalInt(p, "message_id")
	if err != nil {
		return nil, err
	}
	if id == 0 {
		return nil, badRequest("message identifier is not specified")
	}
	text, entities, err := parseText(p)
	if err != nil {
		return nil, err
	}
	kb, err := parseKeyboard(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.message(chatID, id)
	if m == nil {
		return nil, badRequest("message to edit not found")
	}
	if m.From.ID != s.bot.ID {
		return nil, badRequest("message can't be edited")
	}
	if m.Text == text && slices.Equal(m.Entities, entities) && keyboardsEqual(m.Keyboard, kb) {
		return nil, fail(http.StatusBadRequest, "%s", descNotModified)
	}
	now := time.Now()
	if err := s.admit(s.chat(chatID), now); err != nil {
		return nil, err
	}
	m.Text, m.Entities, m.Source, m.ParseMode, m.Keyboard = text, entities, p["text"], p["parse_mode"], kb
	m.Edits++
	m.EditDate = now
	return s.wire(m), nil
}

func keyboardsEqual(a, b [][]Button) bool {
	return slices.EqualFunc(a, b, func(x, y []Button) bool { return slices.Equal(x, y) })
}

func (s *Server) answerCallbackQuery(_ context.Context, p map[string]string) (any, *apiError) {
	id := p["callback_query_id"]
	text := p["text"]
	if utf16Len(text) > MaxCallbackAnswerLength {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.queries[id] {
		return nil, fail(http.StatusBadRequest, "%s", descQueryInvalid)
	}
	delete(s.queries, id)
	s.answers = append(s.answers, CallbackAnswer{QueryID: id, Text: text, ShowAlert: p["show_alert"] == "true"})
	return true, nil
}

func (s *Server) getUpdates(ctx context.Context, p map[string]string) (any, *apiError) {
	offset, err := optionalInt(p, "offset")
	if err != nil {
		return nil, err
	}
	limit, err := optionalInt(p, "limit")
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, err := optionalInt(p, "timeout")
	if err != nil {
		return nil, err
	}
	var allowed []string
	setAllowed := false
	if raw, ok := p["allowed_updates"]; ok && raw != "" && raw != "null" {
		if json.Unmarshal([]byte(raw), &allowed) != nil {
			return nil, badRequest("can't parse allowed updates")
		}
		setAllowed = true
	}
	s.mu.Lock()
	if setAllowed {
		s.allowed = nil
		if len(allowed) > 0 {
			s.allowed = make(map[string]bool)
			for _, a := range allowed {
				s.allowed[a] = true
			}
		}
	}
	s.confirm(offset)
	close(s.poll) // a waiting getUpdates is terminated by this one
	mine := make(chan struct{})
	s.poll = mine
	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		expired = t.C
	}
	for {
		out := s.deliverable(limit)
		if len(out) > 0 || expired == nil {
			s.mu.Unlock()
			return out, nil
		}
		arrived := s.arrived
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-expired:
			return []any{}, nil
		case <-mine:
			return nil, fail(http.StatusConflict, "%s", descConflict)
		case <-s.done:
			return []any{}, nil
		case <-ctx.Done():
			return nil, nil
		}
		s.mu.Lock()
	}
}

// confirm forgets the updates offset confirms; s.mu is held.
func (s *Server) confirm(offset int) {
	switch {
	case offset > 0:
		i := 0
		for i < len(s.updates) && s.updates[i].id < offset {
			i++
		}
		s.updates = slices.Delete(s.updates, 0, i)
	case offset < 0:
		if keep := -offset; len(s.updates) > keep {
			s.updates = slices.Delete(s.updates, 0, len(s.updates)-keep)
		}
	}
}

// deliverable renders up to limit pending updates; s.mu is held.
func (s *Server) deliverable(limit int) []any {
	out := []any{}
	for _, u := range s.updates {
		if len(out) == limit {
			break
		}
		out = append(out, map[string]any{"update_id": u.id, u.kind: u.payload})
	}
	return out
}
