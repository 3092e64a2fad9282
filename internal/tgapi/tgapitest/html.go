package tgapitest

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Entity is a MessageEntity: a formatted span of a message's text, with
// offset and length in UTF-16 code units as the Bot API counts them
// (https://core.telegram.org/bots/api#messageentity).
type Entity struct {
	Type     string `json:"type"`
	Offset   int    `json:"offset"`
	Length   int    `json:"length"`
	URL      string `json:"url,omitempty"`
	Language string `json:"language,omitempty"`
}

// ParseHTML parses text in the Bot API's HTML style
// (https://core.telegram.org/bots/api#html-style) into plain text and
// entities, as Telegram does for parse_mode HTML. It is stricter than
// Telegram in one way: every '<', '>' and '&' that is not part of a tag or
// of a supported entity (&lt; &gt; &amp; &quot; and numeric ones) is an
// error, since the documentation says they must be escaped.
func ParseHTML(s string) (string, []Entity, error) {
	type open struct {
		tag    string
		entity Entity
		at     int // byte offset of the tag, for errors
	}
	var (
		out      strings.Builder
		units    int // UTF-16 length of out
		stack    []open
		entities []Entity
	)
	write := func(str string) {
		out.WriteString(str)
		for _, r := range str {
			units += utf16.RuneLen(r)
		}
	}
	if !utf8.ValidString(s) {
		return "", nil, fmt.Errorf("text must be encoded in UTF-8")
	}
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 0 || end > 12 {
				return "", nil, fmt.Errorf("unescaped '&' at byte offset %d: use &amp;", i)
			}
			name := s[i+1 : i+end]
			r, ok := entityRune(name)
			if !ok {
				return "", nil, fmt.Errorf("unsupported HTML entity %q at byte offset %d", "&"+name+";", i)
			}
			write(string(r))
			i += end + 1
		case '>':
			return "", nil, fmt.Errorf("unescaped '>' at byte offset %d: use &gt;", i)
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", nil, fmt.Errorf("can't find end of the tag starting at byte offset %d", i)
			}
			raw := s[i+1 : i+end]
			if strings.HasPrefix(raw, "/") {
				name := strings.ToLower(strings.TrimSpace(raw[1:]))
				if len(stack) == 0 {
					return "", nil, fmt.Errorf("unexpected end tag at byte offset %d", i)
				}
				top := stack[len(stack)-1]
				if name != top.tag {
					return "", nil, fmt.Errorf("unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top.tag, name)
				}
				stack = stack[:len(stack)-1]
				e := top.entity
				e.Length = units - e.Offset
				if e.Type == "code" && len(stack) > 0 && stack[len(stack)-1].tag == "pre" {
					// <pre><code class="language-x"> gives the pre its language.
					if stack[len(stack)-1].entity.Language == "" {
						stack[len(stack)-1].entity.Language = e.Language
					}
					e.Length = 0
				}
				if e.Length > 0 {
					entities = append(entities, e)
				}
				i += end + 1
				continue
			}
			name, attrs, err := parseTag(raw)
			if err != nil {
				return "", nil, fmt.Errorf("%v at byte offset %d", err, i)
			}
			e, err := entityFor(name, attrs)
			if err != nil {
				return "", nil, fmt.Errorf("%v at byte offset %d", err, i)
			}
			e.Offset = units
			stack = append(stack, open{tag: name, entity: e, at: i})
			i += end + 1
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			write(s[i : i+size])
			i += size
		}
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("can't find end tag corresponding to start tag \"%s\" at byte offset %d", stack[len(stack)-1].tag, stack[len(stack)-1].at)
	}
	sortEntities(entities)
	return out.String(), entities, nil
}

// entityRune decodes the name of an HTML entity (between '&' and ';').
func entityRune(name string) (rune, bool) {
	switch name {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	}
	if !strings.HasPrefix(name, "#") {
		return 0, false
	}
	num, base := name[1:], 10
	if strings.HasPrefix(num, "x") || strings.HasPrefix(num, "X") {
		num, base = num[1:], 16
	}
	n, err := strconv.ParseUint(num, base, 32)
	if err != nil || n == 0 || !utf8.ValidRune(rune(n)) {
		return 0, false
	}
	return rune(n), true
}

// parseTag splits the inside of a start tag into its lower-case name and
// attributes (values unquoted and unescaped).
func parseTag(raw string) (string, map[string]string, error) {
	raw = strings.TrimSpace(strings.TrimSuffix(raw, "/"))
	n := strings.IndexAny(raw, " \t\r\n")
	if n < 0 {
		n = len(raw)
	}
	name := strings.ToLower(raw[:n])
	if name == "" {
		return "", nil, fmt.Errorf("empty tag name")
	}
	attrs := map[string]string{}
	rest := strings.TrimSpace(raw[n:])
	for rest != "" {
		eq := strings.IndexAny(rest, "= \t\r\n")
		if eq < 0 || rest[eq] != '=' {
			key := rest
			if eq >= 0 {
				key = rest[:eq]
			}
			attrs[strings.ToLower(key)] = ""
			rest = strings.TrimSpace(rest[len(key):])
			continue
		}
		key := strings.ToLower(strings.TrimSpace(rest[:eq]))
		rest = strings.TrimSpace(rest[eq+1:])
		var val string
		if rest != "" && (rest[0] == '"' || rest[0] == '\'') {
			q := strings.IndexByte(rest[1:], rest[0])
			if q < 0 {
				return "", nil, fmt.Errorf("unclosed attribute value of %q", key)
			}
			val, rest = rest[1:1+q], rest[2+q:]
		} else {
			sp := strings.IndexAny(rest, " \t\r\n")
			if sp < 0 {
				sp = len(rest)
			}
			val, rest = rest[:sp], rest[sp:]
		}
		text, _, err := ParseHTML(val)
		if err != nil {
			return "", nil, fmt.Errorf("attribute %q: %w", key, err)
		}
		attrs[key] = text
		rest = strings.TrimSpace(rest)
	}
	return name, attrs, nil
}

// entityFor maps a supported start tag to its entity.
func entityFor(name string, attrs map[string]string) (Entity, error) {
	switch name {
	case "b", "strong":
		return Entity{Type: "bold"}, nil
	case "i", "em":
		return Entity{Type: "italic"}, nil
	case "u", "ins":
		return Entity{Type: "underline"}, nil
	case "s", "strike", "del":
		return Entity{Type: "strikethrough"}, nil
	case "tg-spoiler":
		return Entity{Type: "spoiler"}, nil
	case "span":
		if attrs["class"] == "tg-spoiler" {
			return Entity{Type: "spoiler"}, nil
		}
	case "a":
		href, ok := attrs["href"]
		if !ok || href == "" {
			return Entity{}, fmt.Errorf("tag \"a\" must have an href")
		}
		return Entity{Type: "text_link", URL: href}, nil
	case "code":
		return Entity{Type: "code", Language: strings.TrimPrefix(attrs["class"], "language-")}, nil
	case "pre":
		return Entity{Type: "pre"}, nil
	case "blockquote":
		if _, ok := attrs["expandable"]; ok {
			return Entity{Type: "expandable_blockquote"}, nil
		}
		return Entity{Type: "blockquote"}, nil
	case "tg-emoji":
		return Entity{Type: "custom_emoji"}, nil
	}
	return Entity{}, fmt.Errorf("unsupported start tag %q", name)
}

// sortEntities orders entities by offset, longer first, as Telegram lists
// them.
func sortEntities(es []Entity) {
	slices.SortStableFunc(es, func(a, b Entity) int {
		if c := cmp.Compare(a.Offset, b.Offset); c != 0 {
			return c
		}
		return cmp.Compare(b.Length, a.Length)
	})
}

// utf16Len is the length of s in UTF-16 code units, the Bot API's
// character count.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
