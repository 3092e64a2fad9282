package ack

import (
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"
)

// TemplateData is what an acknowledgement template can use. A template
// naming any other field fails validation.
type TemplateData struct {
	// Brand is the brand's name.
	Brand string
	// Customer is the customer's handle without "@"; empty when the
	// platform gives none (a Telegram user without a username).
	Customer string
	// ReplyBy is when a person will answer, in the brand's time zone and
	// written in the template's language: "el lunes 23 de noviembre a las
	// 09:30", "Monday 23 November at 09:30".
	ReplyBy string
	// Soon is true when a person can answer now (or within the rule's
	// soon_within): say "shortly" instead of ReplyBy.
	Soon bool
	// Zone is the abbreviation of the brand's time zone at ReplyBy, such
	// as CET or CST.
	Zone string
}

// DefaultTemplates returns the built-in templates, per language. The
// fallback when a brand configures no language with a template is en.
func DefaultTemplates() map[string]string {
	return map[string]string{
		"es": "Hola, hemos recibido tu mensaje. " +
			"{{if .Soon}}Una persona de nuestro equipo te responderá en breve." +
			"{{else}}Una persona de nuestro equipo te responderá como muy tarde {{.ReplyBy}}.{{end}}",
		"en": "Hi, we have received your message. " +
			"{{if .Soon}}A person from our team will reply shortly." +
			"{{else}}A person from our team will reply by {{.ReplyBy}}.{{end}}",
	}
}

// sampleData fills every field at its longest plausible value, to check
// templates render within the channel's limit.
func sampleData(soon bool) TemplateData {
	return TemplateData{
		Brand: "brand-name-of-some-length", Customer: "abcdefghijklmno", Soon: soon, Zone: "CEST",
		ReplyBy: "el miércoles 30 de septiembre a las 23:59",
	}
}

// parseTemplate parses text and renders it with sample data, both with and
// without .Soon, so unknown fields and functions fail now and not when a
// customer writes. limit bounds the rendered text in runes.
func parseTemplate(lang, text string, limit int) (*template.Template, error) {
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("is empty: want the text of the acknowledgement")
	}
	tmpl, err := template.New(lang).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	for _, soon := range []bool{false, true} {
		var b strings.Builder
		if err := tmpl.Execute(&b, sampleData(soon)); err != nil {
			return nil, fmt.Errorf("render: %w (fields: .Brand, .Customer, .ReplyBy, .Soon, .Zone)", err)
		}
		out := strings.TrimSpace(b.String())
		if out == "" {
			return nil, fmt.Errorf("renders empty text with .Soon %v", soon)
		}
		if n := utf8.RuneCountInString(out); n > limit {
			return nil, fmt.Errorf("renders %d characters with .Soon %v; at most %d fit the rule's channels", n, soon, limit)
		}
	}
	return tmpl, nil
}

// render executes tmpl with d.
func render(tmpl *template.Template, d TemplateData) (string, error) {
	var b strings.Builder
	if err := tmpl.Execute(&b, d); err != nil {
		return "", fmt.Errorf("render %s template: %w", tmpl.Name(), err)
	}
	return strings.TrimSpace(b.String()), nil
}

// Names of weekdays (Sunday first) and months (January first) per
// language.
var (
	weekdayNames = map[string][7]string{
		"es": {"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
		"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		"pt": {"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"},
		"fr": {"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
	}
	monthNames = map[string][12]string{
		"es": {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		"pt": {"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
		"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	}
)

// FormatReplyBy writes t (already in the brand's zone) the way lang says
// a day and time, ready to follow "by" in the template's sentence: es "el
// lunes 23 de noviembre a las 09:30", en "Monday 23 November at 09:30",
// pt "segunda-feira, 23 de novembro, às 09:30", fr "le lundi 23 novembre à
// 09:30"; other languages get "2026-11-23 09:30".
func FormatReplyBy(t time.Time, lang string) string {
	wd, okW := weekdayNames[lang]
	mo, okM := monthNames[lang]
	if !okW || !okM {
		return t.Format("2006-01-02 15:04")
	}
	day, month, clock := wd[t.Weekday()], mo[t.Month()-1], t.Format("15:04")
	switch lang {
	case "es":
		article := "las"
		if t.Hour() == 1 {
			article = "la" // a la 01:30, a las 09:30
		}
		return fmt.Sprintf("el %s %d de %s a %s %s", day, t.Day(), month, article, clock)
	case "pt":
		return fmt.Sprintf("%s, %d de %s, às %s", day, t.Day(), month, clock)
	case "fr":
		n := fmt.Sprint(t.Day())
		if t.Day() == 1 {
			n = "1er" // le lundi 1er juin
		}
		return fmt.Sprintf("le %s %s %s à %s", day, n, month, clock)
	}
	return fmt.Sprintf("%s %d %s at %s", day, t.Day(), month, clock)
}
