package ack

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/rules"
	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/internal/message"
)

// queued considers the opening of m and returns the job it queued.
func (f *fixture) queued(m message.Message) job {
	f.t.Helper()
	require.Equal(f.t, "queued", f.open(m))
	return <-f.ack.queue
}

func TestQueuedReplyAndRecord(t *testing.T) {
	f := newFixture(t, testConfig(), nil)
	m := f.inbound("77", "100")
	j := f.queued(m)
	caseID := cases.CaseIDFor(m.ID)
	id := message.ID("telegram:ack-" + caseID + "-1")
	text := "Hola, hemos recibido tu mensaje. Una persona de nuestro equipo te responderá como muy tarde el lunes 23 de noviembre a las 09:30."
	require.Equal(t, Reply{
		ID: id, CaseID: caseID, Brand: "acme", Channel: message.ChannelTelegram, CustomerID: "100",
		ConversationID: "100", InReplyTo: m.ID, Text: text, Lang: "es",
	}, j.reply)
	require.Equal(t, message.Message{
		ID: id, Brand: "acme", Channel: message.ChannelTelegram, Kind: message.KindDM, Direction: message.DirectionOutbound,
		ConversationID: "100", InReplyTo: m.ID, Author: message.Author{ID: "AcmeBot", Handle: "AcmeBot"},
		Text: text, Lang: "es", CreatedAt: m.CreatedAt,
		Labels: []message.Label{{Name: "automatic", Score: 1, Decision: true, Reasons: []string{"automatic acknowledgement"}}},
	}, j.record)
	require.NoError(t, j.record.Validate())
}

func TestReplyByAndLanguage(t *testing.T) {
	firstResponse := func(brand string, d time.Duration, clock sla.Clock) []rules.Policy {
		return []rules.Policy{{Name: "p", Brand: brand, Targets: []sla.Target{{Metric: sla.FirstResponse, Duration: d, Clock: clock}}}}
	}
	globexEN := "Thanks{{if .Customer}} @{{.Customer}}{{end}}! " +
		"{{if .Soon}}We'll reply shortly.{{else}}We'll reply on {{.ReplyBy}} ({{.Zone}}).{{end}}"
	const (
		esPrefix = "Hola, hemos recibido tu mensaje. Una persona de nuestro equipo te responderá "
		enPrefix = "Hi, we have received your message. A person from our team will reply "
	)
	tests := []struct {
		name     string
		brand    string
		now      string // in the brand's zone
		lang     string
		policies []rules.Policy
		want     string
		wantLang string
	}{
		{name: "Madrid, Friday evening: Monday's opening", brand: "acme", now: "2026-11-20 19:00", lang: "es",
			want: esPrefix + "como muy tarde el lunes 23 de noviembre a las 09:30.", wantLang: "es"},
		{name: "Madrid, in English", brand: "acme", now: "2026-11-20 19:00", lang: "en",
			want: enPrefix + "by Monday 23 November at 09:30.", wantLang: "en"},
		{name: "Madrid, Saturday: the same Monday", brand: "acme", now: "2026-11-21 12:00", lang: "es",
			want: esPrefix + "como muy tarde el lunes 23 de noviembre a las 09:30.", wantLang: "es"},
		{name: "Madrid, Monday night before a Tuesday holiday: Wednesday", brand: "acme", now: "2026-12-07 20:00", lang: "es",
			want: esPrefix + "como muy tarde el miércoles 9 de diciembre a las 09:30.", wantLang: "es"},
		{name: "Madrid, across the end of summer time", brand: "acme", now: "2026-10-23 19:00", lang: "en",
			want: enPrefix + "by Monday 26 October at 09:30.", wantLang: "en"},
		{name: "Madrid, open now: shortly", brand: "acme", now: "2026-11-23 10:00", lang: "es",
			want: esPrefix + "en breve.", wantLang: "es"},
		{name: "Madrid, SLA deadline on the business clock", brand: "acme", now: "2026-11-20 17:00", lang: "es",
			policies: firstResponse("acme", 2*time.Hour, sla.ClockBusiness),
			want:     esPrefix + "como muy tarde el lunes 23 de noviembre a las 10:30.", wantLang: "es"},
		{name: "Madrid, SLA deadline while open", brand: "acme", now: "2026-11-23 10:00", lang: "en",
			policies: firstResponse("acme", time.Hour, sla.ClockBusiness),
			want:     enPrefix + "by Monday 23 November at 11:00.", wantLang: "en"},
		{name: "Madrid, SLA deadline on the calendar clock", brand: "acme", now: "2026-11-20 19:00", lang: "es",
			policies: firstResponse("acme", 4*time.Hour, sla.ClockCalendar),
			want:     esPrefix + "como muy tarde el viernes 20 de noviembre a las 23:00.", wantLang: "es"},
		{name: "Madrid, a policy of another brand does not apply", brand: "acme", now: "2026-11-20 19:00", lang: "es",
			policies: firstResponse("globex", time.Hour, sla.ClockCalendar),
			want:     esPrefix + "como muy tarde el lunes 23 de noviembre a las 09:30.", wantLang: "es"},
		{name: "Mexico City, Friday night before Revolution Day: Tuesday", brand: "globex", now: "2026-11-13 20:00", lang: "en",
			want: "Thanks @cliente100! We'll reply on Tuesday 17 November at 09:00 (CST).", wantLang: "en"},
		{name: "Mexico City, in Spanish with the built-in template", brand: "globex", now: "2026-11-13 20:00", lang: "es",
			want: esPrefix + "como muy tarde el martes 17 de noviembre a las 09:00.", wantLang: "es"},
		{name: "Mexico City, next_open ignores the SLA policy", brand: "globex", now: "2026-11-13 20:00", lang: "en",
			policies: firstResponse("globex", time.Hour, sla.ClockCalendar),
			want:     "Thanks @cliente100! We'll reply on Tuesday 17 November at 09:00 (CST).", wantLang: "en"},
		{name: "Mexico City, open now", brand: "globex", now: "2026-11-17 12:00", lang: "en",
			want: "Thanks @cliente100! We'll reply shortly.", wantLang: "en"},
		{name: "a regional tag uses its language", brand: "globex", now: "2026-11-13 20:00", lang: "es-MX",
			want: esPrefix + "como muy tarde el martes 17 de noviembre a las 09:00.", wantLang: "es"},
		{name: "no template in the customer's language: the brand's first language", brand: "acme", now: "2026-11-20 19:00", lang: "fr",
			want: esPrefix + "como muy tarde el lunes 23 de noviembre a las 09:30.", wantLang: "es"},
		{name: "unknown language, English-first brand", brand: "globex", now: "2026-11-13 20:00", lang: "",
			want: "Thanks @cliente100! We'll reply on Tuesday 17 November at 09:00 (CST).", wantLang: "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Acknowledge[2].Templates = map[string]string{"en": globexEN}
			f := newFixture(t, cfg, func(o *Options) {
				o.Policies = rules.NewEvaluator(rules.Config{Policies: tt.policies}, o.Calendars, nil)
			})
			zone := map[string]string{"acme": "Europe/Madrid", "globex": "America/Mexico_City"}[tt.brand]
			f.now = at(t, zone, tt.now)
			m := f.inbound("1", "100", ofBrand(tt.brand), lang(tt.lang), createdAt(f.now.UTC()))
			j := f.queued(m)
			require.Equal(t, tt.want, j.reply.Text)
			require.Equal(t, tt.wantLang, j.reply.Lang)
		})
	}
}

func TestReopenedCaseIsAcknowledgedWithItsOwnID(t *testing.T) {
	f := newFixture(t, testConfig(), nil)
	m := f.inbound("1", "100")
	first := f.queued(m)
	f.observe(f.reply(m, "2", false))
	caseID := cases.CaseIDFor(m.ID)
	_, err := f.tracker.Apply(cases.Action{Kind: cases.ActionResolve, CaseID: caseID, Actor: "ana", At: f.now})
	require.NoError(t, err)
	f.now = f.now.Add(2 * time.Hour)
	again := f.inbound("3", "100")
	evs := f.observe(again)
	require.Equal(t, cases.EventReopened, evs[0].Event)
	require.Equal(t, "queued", f.consider(evs[0], &again))
	second := <-f.ack.queue
	require.Equal(t, message.ID("telegram:ack-"+caseID+"-1"), first.reply.ID)
	require.Equal(t, message.NewID(message.ChannelTelegram, "ack-"+caseID+"-"+strconv.FormatUint(uint64(evs[0].Seq), 10)), second.reply.ID)
	require.NotEqual(t, first.reply.ID, second.reply.ID)
	require.Equal(t, again.ID, second.reply.InReplyTo)
}
