package alert

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Op is a matcher's comparison.
type Op string

// The four matcher operators.
const (
	OpEqual     Op = "="
	OpNotEqual  Op = "!="
	OpRegexp    Op = "=~"
	OpNotRegexp Op = "!~"
)

// Matcher selects alerts by one label. Build it with [NewMatcher] or
// [ParseMatcher]; the zero value matches only an empty or missing label.
type Matcher struct {
	// Name is the label name.
	Name string
	// Op is the comparison.
	Op Op
	// Value is the literal or, for =~ and !~, the regexp (unanchored as
	// written; matching anchors it).
	Value string

	re *regexp.Regexp
}

// NewMatcher builds a matcher, compiling the regexp for =~ and !~ anchored
// at both ends.
func NewMatcher(name string, op Op, value string) (Matcher, error) {
	if !validLabelName(name) {
		return Matcher{}, fmt.Errorf("label name %q: must match [a-zA-Z_][a-zA-Z0-9_]*", name)
	}
	m := Matcher{Name: name, Op: op, Value: value}
	switch op {
	case OpEqual, OpNotEqual:
	case OpRegexp, OpNotRegexp:
		// Compile as written first so that errors quote the user's
		// pattern, not the anchored wrapper.
		if _, err := regexp.Compile(value); err != nil {
			return Matcher{}, fmt.Errorf("bad regexp: %w", err)
		}
		re, err := regexp.Compile("^(?:" + value + ")$")
		if err != nil {
			return Matcher{}, fmt.Errorf("bad regexp: %w", err)
		}
		m.re = re
	default:
		return Matcher{}, fmt.Errorf("operator %q: must be one of =, !=, =~, !~", op)
	}
	return m, nil
}

// ParseMatcher parses name, operator and value, such as brand=acme,
// priority=~"urgent|influencer" or channel != "x". The value is either a
// Go-quoted string or the rest of the input with surrounding spaces trimmed.
// Errors quote the input.
func ParseMatcher(s string) (Matcher, error) {
	m, err := parseMatcher(s)
	if err != nil {
		return Matcher{}, fmt.Errorf("%q: %w", s, err)
	}
	return m, nil
}

func parseMatcher(s string) (Matcher, error) {
	rest := strings.TrimSpace(s)
	i := 0
	for i < len(rest) && isNameByte(rest[i], i == 0) {
		i++
	}
	name := rest[:i]
	if name == "" {
		return Matcher{}, errors.New("expected a label name")
	}
	rest = strings.TrimLeft(rest[i:], " \t")
	var op Op
	switch {
	case strings.HasPrefix(rest, "=~"):
		op = OpRegexp
	case strings.HasPrefix(rest, "!~"):
		op = OpNotRegexp
	case strings.HasPrefix(rest, "!="):
		op = OpNotEqual
	case strings.HasPrefix(rest, "="):
		op = OpEqual
	default:
		return Matcher{}, errors.New("expected one of =, !=, =~, !~ after the label name")
	}
	value := strings.TrimSpace(rest[len(op):])
	if strings.HasPrefix(value, `"`) {
		v, err := strconv.Unquote(value)
		if err != nil {
			return Matcher{}, fmt.Errorf("bad quoted value: %w", err)
		}
		value = v
	}
	return NewMatcher(name, op, value)
}

// Matches reports whether the label's value satisfies the matcher; pass ""
// for a missing label.
func (m Matcher) Matches(value string) bool {
	switch m.Op {
	case OpNotEqual:
		return value != m.Value
	case OpRegexp:
		return m.re != nil && m.re.MatchString(value)
	case OpNotRegexp:
		return m.re == nil || !m.re.MatchString(value)
	default:
		return value == m.Value
	}
}

// String renders the matcher so that [ParseMatcher] reads it back: the
// value is always quoted.
func (m Matcher) String() string {
	return m.Name + string(m.Op) + strconv.Quote(m.Value)
}

// MarshalText renders the matcher as [Matcher.String] does, so matchers
// travel as plain strings in JSON and YAML.
func (m Matcher) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText parses a matcher written by [Matcher.MarshalText] or by hand.
func (m *Matcher) UnmarshalText(b []byte) error {
	p, err := ParseMatcher(string(b))
	if err != nil {
		return err
	}
	*m = p
	return nil
}

// Matchers is a conjunction: all must match.
type Matchers []Matcher

// ParseMatchers parses each string with [ParseMatcher]. The error joins one
// error per bad string, each prefixed with its index as [i].
func ParseMatchers(ss []string) (Matchers, error) {
	ms := make(Matchers, 0, len(ss))
	var errs []error
	for i, s := range ss {
		m, err := ParseMatcher(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("[%d]: %w", i, err))
			continue
		}
		ms = append(ms, m)
	}
	return ms, errors.Join(errs...)
}

// Matches reports whether every matcher matches labels; an empty list
// matches everything.
func (ms Matchers) Matches(labels map[string]string) bool {
	for _, m := range ms {
		if !m.Matches(labels[m.Name]) {
			return false
		}
	}
	return true
}

// String renders the matchers as {a="1", b=~"x.*"} in their given order.
func (ms Matchers) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.String())
	}
	b.WriteByte('}')
	return b.String()
}

func validLabelName(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if !isNameByte(s[i], i == 0) {
			return false
		}
	}
	return true
}

func isNameByte(c byte, first bool) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9')
}
