package alert

import (
	"encoding/binary"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Label names the rules set on every alert. Routes, silences and inhibition
// rules may match any label; these are the ones Vigía always fills in.
const (
	LabelBrand    = "brand"
	LabelChannel  = "channel"
	LabelPriority = "priority"
	LabelRule     = "rule"
	LabelLanguage = "language"
	LabelCaseID   = "case_id"
)

// Alert is one condition that a person should know about, such as an
// urgent message in a case or a breached SLA.
type Alert struct {
	// Labels identify the alert and are what routes, silences and
	// inhibition rules match: brand, channel, priority, rule, language,
	// case_id.
	Labels map[string]string `json:"labels"`
	// Annotations carry presentation only (summary, link to the case);
	// they never take part in identity or matching.
	Annotations map[string]string `json:"annotations,omitempty"`
	// StartsAt is when the condition began.
	StartsAt time.Time `json:"starts_at"`
	// EndsAt is when the condition ended or will end; zero means it fires
	// until a later update says otherwise.
	EndsAt time.Time `json:"ends_at,omitzero"`
	// UpdatedAt is when the rule last reported the alert; of two reports
	// of the same alert, the later one wins.
	UpdatedAt time.Time `json:"updated_at"`
}

// Fingerprint identifies a label set; see [Alert.Fingerprint].
type Fingerprint uint64

// String renders the fingerprint as 16 hexadecimal digits.
func (f Fingerprint) String() string {
	s := strconv.FormatUint(uint64(f), 16)
	return strings.Repeat("0", 16-len(s)) + s
}

// Fingerprint hashes the alert's labels; see [LabelsFingerprint].
func (a Alert) Fingerprint() Fingerprint { return LabelsFingerprint(a.Labels) }

// Resolved reports whether the alert has ended by now.
func (a Alert) Resolved(now time.Time) bool {
	return !a.EndsAt.IsZero() && !a.EndsAt.After(now)
}

// Clone returns a copy that shares no maps with a.
func (a Alert) Clone() Alert {
	a.Labels = maps.Clone(a.Labels)
	a.Annotations = maps.Clone(a.Annotations)
	return a
}

// LabelsFingerprint is a stable 64-bit FNV-1a hash of the label set: names
// sorted, each name and value length-prefixed so that no two different sets
// share an encoding. It does not change between releases or processes, so
// it may be stored.
func LabelsFingerprint(labels map[string]string) Fingerprint {
	var buf [16]string
	names := buf[:0]
	for name := range labels {
		names = append(names, name)
	}
	slices.Sort(names)
	h := uint64(fnvOffset)
	var n [binary.MaxVarintLen64]byte
	write := func(s string) {
		for _, c := range n[:binary.PutUvarint(n[:], uint64(len(s)))] {
			h = (h ^ uint64(c)) * fnvPrime
		}
		for i := range len(s) {
			h = (h ^ uint64(s[i])) * fnvPrime
		}
	}
	for _, name := range names {
		write(name)
		write(labels[name])
	}
	return Fingerprint(h)
}

// FNV-1a, 64 bits, inlined to hash without allocating.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// Merge combines two reports of the same alert seen at now. The report
// updated later wins; ties go to next. While the alert keeps firing it keeps
// its earliest StartsAt, so a repeated report does not look like a new
// condition. A firing report after a resolution starts a new episode and is
// taken as it is.
func Merge(prev, next Alert, now time.Time) Alert {
	if next.UpdatedAt.Before(prev.UpdatedAt) {
		return prev
	}
	if prev.Resolved(now) && !next.Resolved(now) {
		return next
	}
	if !prev.StartsAt.IsZero() && prev.StartsAt.Before(next.StartsAt) {
		next.StartsAt = prev.StartsAt
	}
	return next
}

// LabelsString renders a label set as {a="1", b="2"}, names sorted.
func LabelsString(labels map[string]string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, name := range slices.Sorted(maps.Keys(labels)) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(labels[name]))
	}
	b.WriteByte('}')
	return b.String()
}
