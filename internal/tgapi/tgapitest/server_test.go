package tgapitest_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/tgapi/tgapitest"
)

const token = "42:fake-token"

type answer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// post sends a form-encoded request, as the library does.
func post(t *testing.T, srv *tgapitest.Server, path string, form url.Values) (int, answer) {
	t.Helper()
	resp, err := srv.Client().PostForm(srv.URL+path, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var a answer
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
	require.Equal(t, a.OK, resp.StatusCode == http.StatusOK)
	if !a.OK {
		require.Equal(t, resp.StatusCode, a.ErrorCode, "error_code is the HTTP status")
	}
	return resp.StatusCode, a
}

func TestRouting(t *testing.T) {
	srv := tgapitest.NewServer(t, token)
	tests := []struct {
		path string
		code int
		desc string
	}{
		{"/bot" + token + "/getMe", 200, ""},
		{"/bot" + token + "/GETME", 200, ""},
		{"/bot999:wrong/getMe", 401, "Unauthorized"},
		{"/bot" + token + "/sendSticker", 404, "Not Found"},
		{"/bot" + token + "/", 404, "Not Found"},
		{"/getMe", 404, "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			code, a := post(t, srv, tt.path, nil)
			require.Equal(t, tt.code, code)
			require.Equal(t, tt.desc, a.Description)
		})
	}
	_, a := post(t, srv, "/bot"+token+"/getMe", nil)
	var me tgapitest.User
	require.NoError(t, json.Unmarshal(a.Result, &me))
	require.Equal(t, tgapitest.User{ID: 42, IsBot: true, FirstName: "Vigía Test", Username: "vigia_test_bot"}, me)
}

func TestSendMessageValidation(t *testing.T) {
	kb := func(data string) string {
		return `{"inline_keyboard":[[{"text":"Go","callback_data":"` + data + `"}]]}`
	}
	tests := []struct {
		name string
		form url.Values
		code int
		desc string
		text string
	}{
		{"plain", url.Values{"chat_id": {"5"}, "text": {"a <b> & c"}}, 200, "", "a <b> & c"},
		{"html", url.Values{"chat_id": {"5"}, "text": {`<b>x</b> &lt;y&gt; &amp; &quot;z&quot; &#128512; <a href="https://e.x/?a=1&amp;b=2">l</a>`}, "parse_mode": {"HTML"}}, 200, "", `x <y> & "z" 😀 l`},
		{"script tag", url.Values{"chat_id": {"5"}, "text": {"<script>alert(1)</script>"}, "parse_mode": {"HTML"}}, 400, `Bad Request: can't parse entities: unsupported start tag "script" at byte offset 0`, ""},
		{"bare ampersand", url.Values{"chat_id": {"5"}, "text": {"a & b"}, "parse_mode": {"HTML"}}, 400, "can't parse entities", ""},
		{"bare less-than", url.Values{"chat_id": {"5"}, "text": {"1 < 2"}, "parse_mode": {"HTML"}}, 400, "can't parse entities", ""},
		{"unclosed", url.Values{"chat_id": {"5"}, "text": {"<b>x"}, "parse_mode": {"HTML"}}, 400, "can't find end tag", ""},
		{"crossed", url.Values{"chat_id": {"5"}, "text": {"<b><i>x</b></i>"}, "parse_mode": {"HTML"}}, 400, "unmatched end tag", ""},
		{"empty", url.Values{"chat_id": {"5"}, "text": {"<b> </b>"}, "parse_mode": {"HTML"}}, 400, "Bad Request: message text is empty", ""},
		{"no chat", url.Values{"text": {"x"}}, 400, "Bad Request: chat_id is empty", ""},
		{"channel username", url.Values{"chat_id": {"@vigia"}, "text": {"x"}}, 400, "Bad Request: chat not found", ""},
		{"4096 characters", url.Values{"chat_id": {"5"}, "text": {strings.Repeat("ñ", 4096)}}, 200, "", strings.Repeat("ñ", 4096)},
		{"4097 characters", url.Values{"chat_id": {"5"}, "text": {strings.Repeat("ñ", 4097)}}, 400, "Bad Request: message is too long", ""},
		{"emoji count twice", url.Values{"chat_id": {"5"}, "text": {strings.Repeat("😀", 2049)}}, 400, "Bad Request: message is too long", ""},
		{"tags do not count", url.Values{"chat_id": {"5"}, "text": {"<b>" + strings.Repeat("a", 4096) + "</b>"}, "parse_mode": {"HTML"}}, 200, "", strings.Repeat("a", 4096)},
		{"callback data 64 bytes", url.Values{"chat_id": {"5"}, "text": {"x"}, "reply_markup": {kb(strings.Repeat("d", 64))}}, 200, "", "x"},
		{"callback data 65 bytes", url.Values{"chat_id": {"5"}, "text": {"x"}, "reply_markup": {kb(strings.Repeat("d", 65))}}, 400, "Bad Request: BUTTON_DATA_INVALID", ""},
		{"empty callback data", url.Values{"chat_id": {"5"}, "text": {"x"}, "reply_markup": {kb("")}}, 400, "Bad Request: BUTTON_DATA_INVALID", ""},
		{"bad markup", url.Values{"chat_id": {"5"}, "text": {"x"}, "reply_markup": {"{"}}, 400, "can't parse reply keyboard markup", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tgapitest.NewServer(t, token)
			code, a := post(t, srv, "/bot"+token+"/sendMessage", tt.form)
			require.Equal(t, tt.code, code, a.Description)
			if tt.code != 200 {
				require.Contains(t, a.Description, tt.desc)
				require.Empty(t, srv.Messages(5))
				return
			}
			var m struct {
				MessageID int    `json:"message_id"`
				Text      string `json:"text"`
				Date      int64  `json:"date"`
				Chat      tgapitest.Chat
			}
			require.NoError(t, json.Unmarshal(a.Result, &m))
			require.Equal(t, 1, m.MessageID)
			require.Equal(t, tt.text, m.Text)
			require.Equal(t, tgapitest.Chat{ID: 5, Type: "private"}, m.Chat)
			require.NotZero(t, m.Date)
			require.Equal(t, tt.text, srv.Messages(5)[0].Text)
		})
	}
}

func TestRequestEncodings(t *testing.T) {
	srv := tgapitest.NewServer(t, token)
	u := srv.URL + "/bot" + token + "/sendMessage"

	// JSON body: reply_markup is an object, chat_id a number.
	body := `{"chat_id":-1001,"message_thread_id":7,"text":"<i>j</i>","parse_mode":"HTML","reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}}`
	resp, err := srv.Client().Post(u, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)

	// Multipart.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(t, mw.WriteField("chat_id", "-1001"))
	require.NoError(t, mw.WriteField("text", "multi"))
	require.NoError(t, mw.Close())
	resp, err = srv.Client().Post(u, mw.FormDataContentType(), &buf)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)

	// Query string.
	resp, err = srv.Client().Get(u + "?chat_id=-1001&text=query")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)

	msgs := srv.Messages(-1001)
	require.Len(t, msgs, 3)
	require.Equal(t, "j", msgs[0].Text)
	require.Equal(t, 7, msgs[0].ThreadID)
	require.Equal(t, [][]tgapitest.Button{{{Text: "A", CallbackData: "a"}}}, msgs[0].Keyboard)
	require.Equal(t, []string{"j", "multi", "query"}, []string{msgs[0].Text, msgs[1].Text, msgs[2].Text})
	require.Equal(t, 3, srv.Calls("sendMessage"))
}

func TestEditMessageText(t *testing.T) {
	srv := tgapitest.NewServer(t, token)
	path := "/bot" + token + "/editMessageText"
	send := url.Values{"chat_id": {"5"}, "text": {"<b>a</b>"}, "parse_mode": {"HTML"}}
	code, _ := post(t, srv, "/bot"+token+"/sendMessage", send)
	require.Equal(t, 200, code)

	// <strong> parses to the same text and entities: not modified.
	code, a := post(t, srv, path, url.Values{"chat_id": {"5"}, "message_id": {"1"}, "text": {"<strong>a</strong>"}, "parse_mode": {"HTML"}})
	require.Equal(t, 400, code)
	require.True(t, strings.HasPrefix(a.Description, "Bad Request: message is not modified: "), a.Description)

	code, _ = post(t, srv, path, url.Values{"chat_id": {"5"}, "message_id": {"1"}, "text": {"<i>a</i>"}, "parse_mode": {"HTML"}})
	require.Equal(t, 200, code)
	code, a = post(t, srv, path, url.Values{"chat_id": {"5"}, "message_id": {"9"}, "text": {"x"}})
	require.Equal(t, 400, code)
	require.Equal(t, "Bad Request: message to edit not found", a.Description)
	code, a = post(t, srv, path, url.Values{"chat_id": {"6"}, "message_id": {"1"}, "text": {"x"}})
	require.Equal(t, 400, code)
	require.Equal(t, "Bad Request: message to edit not found", a.Description, "message ids are per chat")

	m, ok := srv.Message(5, 1)
	require.True(t, ok)
	require.Equal(t, 1, m.Edits)
	require.Equal(t, []tgapitest.Entity{{Type: "italic", Length: 1}}, m.Entities)
	require.Equal(t, "<i>a</i>", m.Source)
	require.False(t, m.EditDate.IsZero())
}

func TestGetUpdates(t *testing.T) {
	srv := tgapitest.NewServer(t, token)
	path := "/bot" + token + "/getUpdates"
	user := tgapitest.User{ID: 7, FirstName: "Eva"}
	srv.SendUserMessage(5, user, "hola")
	srv.InjectCallback(5, 99, "anything", user)
	srv.SendUserMessage(5, user, "adiós")

	ids := func(a answer) []int {
		var ups []struct {
			UpdateID int `json:"update_id"`
		}
		require.NoError(t, json.Unmarshal(a.Result, &ups))
		var out []int
		for _, u := range ups {
			out = append(out, u.UpdateID)
		}
		return out
	}
	_, a := post(t, srv, path, url.Values{"limit": {"2"}})
	require.Equal(t, []int{1, 2}, ids(a))
	_, a = post(t, srv, path, url.Values{"offset": {"2"}})
	require.Equal(t, []int{2, 3}, ids(a), "offset confirms the updates before it")
	_, a = post(t, srv, path, url.Values{"offset": {"-1"}})
	require.Equal(t, []int{3}, ids(a), "a negative offset keeps the last ones")
	require.Equal(t, 1, srv.PendingUpdates())

	// allowed_updates applies to updates created afterwards.
	_, a = post(t, srv, path, url.Values{"offset": {"4"}, "allowed_updates": {`["callback_query"]`}})
	require.Empty(t, ids(a))
	srv.SendUserMessage(5, user, "ignored")
	srv.InjectCallback(5, 99, "kept", user)
	_, a = post(t, srv, path, url.Values{"allowed_updates": {"null"}})
	var ups []struct {
		UpdateID      int `json:"update_id"`
		CallbackQuery struct {
			ID      string         `json:"id"`
			Data    string         `json:"data"`
			From    tgapitest.User `json:"from"`
			Message struct {
				MessageID int            `json:"message_id"`
				Chat      tgapitest.Chat `json:"chat"`
			} `json:"message"`
		} `json:"callback_query"`
	}
	require.NoError(t, json.Unmarshal(a.Result, &ups))
	require.Len(t, ups, 1)
	require.Equal(t, "kept", ups[0].CallbackQuery.Data)
	require.Equal(t, user, ups[0].CallbackQuery.From)
	require.Equal(t, 99, ups[0].CallbackQuery.Message.MessageID)
	require.EqualValues(t, 5, ups[0].CallbackQuery.Message.Chat.ID)
}

func TestLongPollWaitsInFakeTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := tgapitest.NewInProcess(t, token)
		start := time.Now()
		resp, err := srv.Client().PostForm("http://fake.invalid/bot"+token+"/getUpdates", url.Values{"timeout": {"30"}})
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, 30*time.Second, time.Since(start))
		var a answer
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
		require.Equal(t, "[]", string(a.Result))
	})
}

func TestFailuresAndFloodControl(t *testing.T) {
	srv := tgapitest.NewServer(t, token)
	send := url.Values{"chat_id": {"-5"}, "text": {"x"}}
	path := "/bot" + token + "/sendMessage"

	srv.FailNextWith(1, tgapitest.Failure{Code: 500, Method: "getMe"})
	srv.FailNext(1, 429)
	code, a := post(t, srv, path, send)
	require.Equal(t, 429, code)
	require.Equal(t, "Too Many Requests: retry after 5", a.Description)
	require.Equal(t, 5, a.Parameters.RetryAfter)
	code, _ = post(t, srv, path, send)
	require.Equal(t, 200, code)
	code, a = post(t, srv, "/bot"+token+"/getMe", nil)
	require.Equal(t, 500, code)
	require.Equal(t, "Internal Server Error", a.Description)

	srv.SetFloodLimits(tgapitest.FloodLimits{ChatInterval: time.Hour})
	code, a = post(t, srv, path, send)
	require.Equal(t, 429, code)
	require.Equal(t, 3600, a.Parameters.RetryAfter)
	require.Equal(t, "Too Many Requests: retry after 3600", a.Description)
	code, _ = post(t, srv, path, url.Values{"chat_id": {"-6"}, "text": {"x"}})
	require.Equal(t, 200, code, "limits are per chat")

	srv.SetFloodLimits(tgapitest.FloodLimits{GroupPerMinute: 2})
	code, _ = post(t, srv, path, url.Values{"chat_id": {"-6"}, "text": {"y"}})
	require.Equal(t, 200, code)
	code, a = post(t, srv, path, url.Values{"chat_id": {"-6"}, "text": {"z"}})
	require.Equal(t, 429, code)
	require.Equal(t, 60, a.Parameters.RetryAfter)
	require.Len(t, srv.Messages(-6), 2)
}

func TestProxyFailureBody(t *testing.T) {
	srv := tgapitest.NewServer(t, token)
	srv.FailNextWith(1, tgapitest.Failure{Code: 502, Body: "<html>Bad Gateway</html>"})
	resp, err := srv.Client().Get(srv.URL + "/bot" + token + "/getMe")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 502, resp.StatusCode)
	require.Equal(t, "text/html", resp.Header.Get("Content-Type"))
}
