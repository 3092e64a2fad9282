package sla

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// TestSampleConfig loads testdata/sample.yaml, the README's example,
// strictly, resolving the iCal path against the file's directory as the
// configuration loader does.
func TestSampleConfig(t *testing.T) {
	data, err := os.ReadFile("testdata/sample.yaml")
	require.NoError(t, err)
	var cfg Config
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&cfg))
	require.NoError(t, cfg.Validate())
	cfg.HolidaysICal = filepath.Join("testdata", cfg.HolidaysICal)
	c := mustCalendar(t, cfg)
	loc := c.Location()
	require.Equal(t, "Europe/Madrid", loc.String())
	// Saturday mornings are open; Christmas Eve afternoon (iCal) and
	// Christmas (the date list and iCal) are not.
	require.True(t, c.IsOpen(at(t, loc, "2026-05-16 11:00")))
	require.False(t, c.IsOpen(at(t, loc, "2026-05-16 15:00")))
	require.Equal(t, at(t, loc, "2026-12-26 10:30"), c.Add(at(t, loc, "2026-12-24 13:30"), time.Hour))
}

func TestValidate(t *testing.T) {
	ok := Config{TimeZone: "Europe/Madrid", Hours: nineFive}
	tests := []struct {
		name string
		cfg  Config
		want []string // every line of the joined error, in order
	}{
		{"good", ok, nil},
		{"good 24x7 without a zone", Config{Mode: ModeAlways}, nil},
		{"good overnight and 24:00", Config{TimeZone: "UTC", Hours: []Period{
			{Days: []string{"fri"}, Open: "22:00", Close: "06:00"},
			{Days: []string{"sat"}, Open: "00:00", Close: "24:00"},
			{Days: []string{"sun"}, Open: "20:00", Close: "00:00"},
		}}, nil},
		{"empty", Config{}, []string{
			`time_zone: is empty: want an IANA zone such as Europe/Madrid`,
			`hours: is empty: want at least one open period, or mode: 24x7`,
		}},
		{"bad values everywhere", Config{
			Mode:     "weekdays",
			TimeZone: "Europe/Atlantis",
			Hours: []Period{
				{Days: []string{"mon"}, Open: "09:00", Close: "17:00"},
				{Days: []string{"Monday", "tue", "tue"}, Open: "9:00", Close: "17:00"},
				{Days: []string{"wed"}, Open: "25:00", Close: "24:01"},
				{Days: nil, Open: "24:00", Close: "12:00"},
				{Days: []string{"thu"}, Open: "10:00", Close: "10:00"},
			},
			Holidays: []string{"2026-12-25", "2026-02-30", "25/12/2026"},
		}, []string{
			`mode: "weekdays": want business or 24x7`,
			`time_zone: "Europe/Atlantis": unknown time zone: unknown time zone Europe/Atlantis`,
			`hours[1].days[0]: "Monday": want mon, tue, wed, thu, fri, sat or sun`,
			`hours[1].days[2]: "tue": listed twice`,
			`hours[1].open: "9:00": want HH:MM`,
			`hours[2].open: "25:00": want HH:MM`,
			`hours[2].close: "24:01": want HH:MM`,
			`hours[3].days: is empty: want weekdays such as [mon, tue]`,
			`hours[3].open: "24:00": want 00:00 to 23:59`,
			`hours[4].close: "10:00": equals open: want a later time, an earlier one for an overnight period, or 00:00–24:00 for all day`,
			`holidays[1]: "2026-02-30": want YYYY-MM-DD`,
			`holidays[2]: "25/12/2026": want YYYY-MM-DD`,
		}},
		{"local zone", Config{TimeZone: "Local", Hours: nineFive}, []string{
			`time_zone: "Local": want an IANA zone such as Europe/Madrid, not the machine's zone`,
		}},
		{"24x7 with hours and holidays", Config{Mode: ModeAlways, Hours: nineFive, HolidaysICal: "x.ics"}, []string{
			`hours: must be empty in 24x7 mode`,
			`holidays: must be empty in 24x7 mode`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Equal(t, tt.want, strings.Split(err.Error(), "\n"))
			_, err = NewCalendar(tt.cfg)
			require.ErrorContains(t, err, "calendar config: "+tt.want[0])
		})
	}
}

func TestNewCalendarICalErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ics")
	require.NoError(t, os.WriteFile(bad, []byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026\nEND:VEVENT\nEND:VCALENDAR\n"), 0o600))
	_, err := NewCalendar(Config{TimeZone: "UTC", Hours: nineFive, HolidaysICal: bad})
	require.EqualError(t, err, `calendar config: holidays_ical: `+bad+`: parse ical: line 3: DTSTART: "2026": want YYYYMMDD or YYYYMMDDTHHMMSS[Z]`)

	_, err = NewCalendar(Config{TimeZone: "UTC", Hours: nineFive, HolidaysICal: filepath.Join(dir, "missing.ics")})
	require.ErrorIs(t, err, os.ErrNotExist)
	require.ErrorContains(t, err, "calendar config: holidays_ical: open ")
}
