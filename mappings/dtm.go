package mappings

import (
	"strings"
	"time"

	"github.com/switchboard-hl7/switchboard/hl7"
)

// DTM (and TS, DT) → FHIR date, dateTime and instant, after the IG's
// DTM[dateTime] map ("convert v2 date time format to FHIR date time format"):
//
//   - precision is kept: a year, a year-month, a date stay as they are
//     ("2024", "2024-05", "2024-05-01"), with no time and no zone, and an
//     offset sent with a date alone is dropped;
//   - a time gets seconds ("20240501 1430" becomes 14:30:00: FHIR needs
//     them), fractional digits as sent, and an offset: the message's own,
//     else the channel's zone (Options.Location) at that local time, DST
//     included; a zero offset is written "Z";
//   - an instant (Bundle.timestamp, DiagnosticReport.issued) needs a full
//     time: a date or an hour is completed with zeros (decision: the start
//     of the period the sender gave); a year or month alone is skipped;
//   - an invalid value (20240230, 25:00, letters, a year 0000, an offset
//     beyond ±14:00) is skipped with a warning, never guessed.
//
// Only the first component is read, so TS (DTM^precision) works too.

type dtmKind uint8

const (
	kindDate dtmKind = iota
	kindDateTime
	kindInstant
)

// dateTime returns a field as a FHIR dateTime, or "" (with a warning when
// the field was valued but invalid).
func (r *run) dateTime(v hl7.Value, a at) string {
	return r.dtm(v, a, kindDateTime)
}

// date returns the date part of a field as a FHIR date (birthDate): the
// date as the sender wrote it, never shifted to another zone.
func (r *run) date(v hl7.Value, a at) string {
	return r.dtm(v, a, kindDate)
}

// instant returns a field as a FHIR instant.
func (r *run) instant(v hl7.Value, a at) string {
	return r.dtm(v, a, kindInstant)
}

func (r *run) dtm(v hl7.Value, a at, kind dtmKind) string {
	return r.dtmText(text(v.Rep(1).Component(1)), a, kind)
}

// dtmText is dtm on the text of the date/time.
func (r *run) dtmText(s string, a at, kind dtmKind) string {
	if s == "" {
		return ""
	}
	for i := range r.dtms {
		if e := &r.dtms[i]; e.in == s && e.kind == kind {
			return e.out
		}
	}
	out, why := r.m.formatDTM(s, kind)
	if why != "" {
		r.warn(a, why)
		return ""
	}
	r.dtms[r.dtmNext] = dtmEntry{s, kind, out}
	r.dtmNext = (r.dtmNext + 1) % len(r.dtms)
	return out
}

// dtmEntry is one converted date/time: a few are kept per message (a
// single one thrashed between a message's dateTime and instant fields).
type dtmEntry struct {
	in   string
	kind dtmKind
	out  string
}

// formatDTM converts HL7 date/time text, or says why it cannot.
func (m *Mapper) formatDTM(s string, kind dtmKind) (string, string) {
	t, err := hl7.ParseDTM(s)
	if err != nil {
		return "", "invalid date/time: skipped"
	}
	if t.Year < 1 {
		return "", "year 0000 is not a FHIR date: skipped"
	}
	if t.HasZone && (t.Offset > 14*3600 || t.Offset < -14*3600) {
		return "", "offset beyond ±14:00: skipped"
	}
	p := t.Precision
	switch kind {
	case kindDate:
		p = min(p, hl7.PrecisionDay)
	case kindInstant:
		if p < hl7.PrecisionDay {
			return "", "an instant needs at least a date: skipped"
		}
		p = max(p, hl7.PrecisionSecond)
	}
	var buf [40]byte
	b := append2(append2(buf[:0], t.Year/100), t.Year)
	if p >= hl7.PrecisionMonth {
		b = append(b, '-')
		b = append2(b, t.Month)
	}
	if p >= hl7.PrecisionDay {
		b = append(b, '-')
		b = append2(b, t.Day)
	}
	if p < hl7.PrecisionHour {
		return string(b), ""
	}
	b = append(b, 'T')
	b = append2(b, t.Hour)
	b = append(b, ':')
	b = append2(b, t.Minute)
	b = append(b, ':')
	b = append2(b, t.Second)
	if t.Fraction != "" {
		b = append(b, '.')
		b = append(b, t.Fraction...)
	}
	off := t.Offset
	if !t.HasZone {
		off = m.offset(t)
	}
	if off == 0 {
		return string(append(b, 'Z')), ""
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	b = append(b, sign)
	b = append2(b, off/3600)
	b = append(b, ':')
	b = append2(b, off%3600/60)
	return string(b), ""
}

// offset returns the channel zone's offset, in seconds east of UTC, at the
// wall-clock time t.
func (m *Mapper) offset(t hl7.DTM) int {
	if m.utc {
		return 0
	}
	_, off := time.Date(t.Year, time.Month(t.Month), t.Day, t.Hour, t.Minute, t.Second, 0, m.loc).Zone()
	return off
}

func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10%10), byte('0'+v%10))
}

// hl7Time parses an HL7 TM (HH[MM[SS[.S+]]][+/-ZZZZ]) into a FHIR time
// (hh:mm:ss[.s]); FHIR time has no zone, so an offset is dropped.
func hl7Time(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "+-"); i >= 0 {
		s = s[:i]
	}
	frac := ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s, frac = s[:i], s[i+1:]
		if frac == "" || !allDigits(frac) {
			return "", false
		}
	}
	if !allDigits(s) || len(s) < 2 || len(s) > 6 || len(s)%2 != 0 || frac != "" && len(s) != 6 {
		return "", false
	}
	s += "0000"[:6-len(s)]
	if s[0:2] > "23" || s[2:4] > "59" || s[4:6] > "59" {
		return "", false
	}
	out := s[0:2] + ":" + s[2:4] + ":" + s[4:6]
	if frac != "" {
		out += "." + frac
	}
	return out, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
