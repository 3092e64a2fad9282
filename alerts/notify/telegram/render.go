package telegram

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/vigia-dev/vigia/alerts/notify"
	"github.com/vigia-dev/vigia/internal/tgapi"
)

// Telegram limits the rendering keeps to.
const (
	// MaxMessageLength is the most characters of a message's text
	// (https://core.telegram.org/bots/api#sendmessage: "1-4096 characters
	// after entities parsing"). The renderer counts the HTML source in
	// UTF-16 code units, which is never less than what Telegram counts.
	MaxMessageLength = tgapi.MaxMessageLength
	// MaxCallbackDataBytes bounds a button's callback_data
	// (https://core.telegram.org/bots/api#inlinekeyboardbutton: 1-64 bytes).
	MaxCallbackDataBytes = tgapi.MaxCallbackDataBytes
	// MaxCaseRows caps the rows of action buttons on one post, one per
	// case; later cases are listed without buttons.
	MaxCaseRows = 10
	// MaxCaseIDLength is the longest case id a button can carry.
	MaxCaseIDLength = 24
)

// Budgets, in UTF-16 units of escaped HTML, of the parts of a post.
const (
	titleBudget       = 512
	fieldNameBudget   = 64
	fieldValueBudget  = 128
	maxHeaderFields   = 8
	summaryBudget     = 512
	textBudget        = 1024
	maxItemFields     = 6
	linkBudget        = 1024
	minTextBudget     = 40 // below this an item is left out rather than squeezed
	moreTrailerBudget = 48
)

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// escape makes s safe as text or a double-quoted attribute value in
// Telegram's HTML: only &, <, > and " are special
// (https://core.telegram.org/bots/api#html-style).
func escape(s string) string {
	return htmlEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD"))
}

// escapeCut escapes s and cuts it to at most budget UTF-16 units, never
// inside a rune or an entity, ending with "…" when cut. Invalid UTF-8
// becomes U+FFFD. It reads no more of s than it keeps.
func escapeCut(s string, budget int) string {
	var b strings.Builder
	n, fit := 0, 0 // units written; bytes of b that leave room for "…"
	for _, r := range s {
		var piece string
		switch r {
		case '&':
			piece = "&amp;"
		case '<':
			piece = "&lt;"
		case '>':
			piece = "&gt;"
		case '"':
			piece = "&quot;"
		default:
			piece = string(r) // utf8.RuneError for invalid bytes
		}
		w := units(piece)
		if n+w > budget {
			if budget < 1 {
				return ""
			}
			return b.String()[:fit] + "…"
		}
		b.WriteString(piece)
		n += w
		if n <= budget-1 {
			fit = b.Len()
		}
	}
	return b.String()
}

// units is the length of s in UTF-16 code units, how the Bot API counts
// characters.
func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// severityIcon marks the post's severity.
func severityIcon(s notify.Severity) string {
	switch s {
	case notify.SeverityCritical:
		return "🔴"
	case notify.SeverityWarning:
		return "🟠"
	case notify.SeverityResolved:
		return "✅"
	}
	return "🔵"
}

// post is a rendered group: the HTML text and the keyboard.
type post struct {
	html     string
	keyboard *tgapi.InlineKeyboardMarkup // nil: no buttons
}

// render turns c (of a group with total alerts) into a post of at most
// MaxMessageLength characters. Items are listed in order until the next
// one does not fit, even with its text shortened; a last line counts the
// alerts left out. Buttons are offered for the cases listed, when buttons
// is true.
func render(c notify.Content, total int, buttons bool) post {
	var b strings.Builder
	b.WriteString(severityIcon(c.Severity) + " <b>" + escapeCut(c.Title, titleBudget) + "</b>")
	if len(c.Fields) > 0 {
		b.WriteString("\n")
		for i, f := range c.Fields {
			if i == maxHeaderFields {
				b.WriteString(" · …")
				break
			}
			if i > 0 {
				b.WriteString(" · ")
			}
			b.WriteString("<b>" + escapeCut(f.Name, fieldNameBudget) + "</b>: " + escapeCut(f.Value, fieldValueBudget))
		}
	}
	out := b.String()
	shown := 0
	for i, it := range c.Items {
		room := MaxMessageLength - moreTrailerBudget - units(out)
		block := renderItem(i+1, it, textBudget)
		if over := units(block) - room; over > 0 {
			budget := units(escapeCut(it.Text, textBudget)) - over
			if it.Text == "" || budget < minTextBudget {
				break
			}
			block = renderItem(i+1, it, budget)
			if units(block) > room {
				break
			}
		}
		out += block
		shown++
	}
	if more := total - shown; more > 0 {
		out += fmt.Sprintf("\n\n<i>… and %d more %s</i>", more, plural(more, "alert", "alerts"))
	}
	p := post{html: out}
	if buttons {
		p.keyboard = keyboard(c.Items[:shown])
	}
	return p
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// renderItem renders the n-th item with its text cut to textBudget.
func renderItem(n int, it notify.Item, textBudget int) string {
	var b strings.Builder
	b.WriteString("\n\n" + strconv.Itoa(n) + ". ")
	summary := escapeCut(it.Summary, summaryBudget)
	if it.Resolved {
		b.WriteString("✅ <s>" + summary + "</s>")
	} else {
		b.WriteString("<b>" + summary + "</b>")
	}
	if it.Text != "" {
		b.WriteString("\n<i>" + escapeCut(it.Text, textBudget) + "</i>")
	}
	var meta []string
	for i, f := range it.Fields {
		if i == maxItemFields {
			meta = append(meta, "…")
			break
		}
		meta = append(meta, escapeCut(f.Name, fieldNameBudget)+"="+escapeCut(f.Value, fieldValueBudget))
	}
	if it.CaseID != "" {
		meta = append(meta, "case <code>"+escapeCut(it.CaseID, fieldValueBudget)+"</code>")
	}
	if !it.StartsAt.IsZero() {
		meta = append(meta, "since "+it.StartsAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if link := safeLink(it.Link); link != "" {
		meta = append(meta, `<a href="`+link+`">open</a>`)
	}
	if len(meta) > 0 {
		b.WriteString("\n" + strings.Join(meta, " · "))
	}
	return b.String()
}

// safeLink returns the escaped link if it is an absolute http(s) URL that
// fits its budget, else "".
func safeLink(link string) string {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	if e := escape(link); units(e) <= linkBudget {
		return e
	}
	return ""
}

// keyboard returns one row of notify.Actions buttons for each item that
// is about a case and has not resolved, at most MaxCaseRows; nil when
// there is none. With several rows, each button names its item's number.
func keyboard(items []notify.Item) *tgapi.InlineKeyboardMarkup {
	type row struct {
		n      int
		caseID string
	}
	var rows []row
	for i, it := range items {
		if it.CaseID == "" || it.Resolved || !validCaseID(it.CaseID) {
			continue
		}
		if len(rows) == MaxCaseRows {
			break
		}
		rows = append(rows, row{n: i + 1, caseID: it.CaseID})
	}
	if len(rows) == 0 {
		return nil
	}
	kb := &tgapi.InlineKeyboardMarkup{}
	for _, r := range rows {
		var buttons []tgapi.InlineKeyboardButton
		for _, k := range notify.Actions() {
			title := k.Title()
			if len(rows) > 1 {
				title = "#" + strconv.Itoa(r.n) + " " + title
			}
			buttons = append(buttons, tgapi.CallbackButton(title, encodeCallbackData(k, r.caseID)))
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, buttons)
	}
	return kb
}

// callbackVersion prefixes callback data, so that its format can change
// while old posts still carry the old buttons.
const callbackVersion = "v1"

// encodeCallbackData is "v1|<action>|<case id>", at most 41 bytes.
func encodeCallbackData(k notify.ActionKind, caseID string) string {
	return callbackVersion + "|" + string(k) + "|" + caseID
}

// parseCallbackData reverses encodeCallbackData, accepting nothing else.
func parseCallbackData(data string) (notify.ActionKind, string, error) {
	if len(data) > MaxCallbackDataBytes {
		return "", "", fmt.Errorf("callback data: %d bytes, more than %d", len(data), MaxCallbackDataBytes)
	}
	parts := strings.Split(data, "|")
	if len(parts) != 3 || parts[0] != callbackVersion {
		return "", "", fmt.Errorf("callback data %q: want %s|<action>|<case id>", data, callbackVersion)
	}
	kind := notify.ActionKind(parts[1])
	if !kind.Valid() {
		return "", "", fmt.Errorf("callback data %q: unknown action %q", data, parts[1])
	}
	if !validCaseID(parts[2]) {
		return "", "", fmt.Errorf("callback data %q: case id must be 1 to %d of [0-9a-z]", data, MaxCaseIDLength)
	}
	return kind, parts[2], nil
}

// validCaseID reports whether id can ride in a button: 1 to
// MaxCaseIDLength characters of [0-9a-z].
func validCaseID(id string) bool {
	if id == "" || len(id) > MaxCaseIDLength {
		return false
	}
	for i := range len(id) {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}
