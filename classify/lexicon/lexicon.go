package lexicon

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Phrase groups a lexicon may define.
const (
	GroupComplaint    = "complaint"
	GroupTroll        = "troll"
	GroupSpamScam     = "spam.scam"
	GroupSpamPromo    = "spam.promo"
	GroupUrgentOutage = "urgent.outage"
	GroupUrgentSafety = "urgent.safety"
	GroupUrgentLegal  = "urgent.legal"
	GroupUrgentMoney  = "urgent.money"
)

// Groups lists every known phrase group, in a stable order.
func Groups() []string {
	return []string{GroupComplaint, GroupTroll, GroupSpamScam, GroupSpamPromo,
		GroupUrgentOutage, GroupUrgentSafety, GroupUrgentLegal, GroupUrgentMoney}
}

// Lexicon is one language's data file.
type Lexicon struct {
	// Lang is the ISO 639-1 code, taken from the file name.
	Lang string `yaml:"-"`
	// CommonWords are frequent words of the language that are rare in the
	// others; they vote in language detection.
	CommonWords []string `yaml:"common_words"`
	// Phrases maps a group (see Groups) to its phrases.
	Phrases map[string][]string `yaml:"phrases"`
}

//go:embed *.yaml
var embedded embed.FS

// Embedded returns the lexicons shipped with vigia, keyed by language.
func Embedded() (map[string]*Lexicon, error) { return Load(embedded) }

// Load reads every <lang>.yaml at the root of fsys. Unknown keys and
// unknown groups are errors.
func Load(fsys fs.FS) (map[string]*Lexicon, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list lexicons: %w", err)
	}
	out := make(map[string]*Lexicon, len(names))
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read lexicon %s: %w", name, err)
		}
		lx, err := Parse(strings.TrimSuffix(path.Base(name), ".yaml"), b)
		if err != nil {
			return nil, err
		}
		out[lx.Lang] = lx
	}
	return out, nil
}

// Parse decodes one lexicon file for language lang.
func Parse(lang string, b []byte) (*Lexicon, error) {
	lx := &Lexicon{Lang: lang}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(lx); err != nil {
		return nil, fmt.Errorf("parse lexicon %s: %w", lang, err)
	}
	groups := make([]string, 0, len(lx.Phrases))
	for g := range lx.Phrases {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		if !slices.Contains(Groups(), g) {
			return nil, fmt.Errorf("parse lexicon %s: phrases.%s: unknown group; want one of %v", lang, g, Groups())
		}
	}
	return lx, nil
}
