package hl7

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Precision is how much of a date/time a sender gave.
type Precision int

// Precisions from year to sub-second, in increasing order.
const (
	PrecisionYear Precision = iota + 1
	PrecisionMonth
	PrecisionDay
	PrecisionHour
	PrecisionMinute
	PrecisionSecond
	PrecisionFraction
)

// DTM is a parsed HL7 date/time (DTM, or the first component of TS):
// YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ].
type DTM struct {
	Year, Month, Day     int
	Hour, Minute, Second int
	// Fraction holds the fractional-second digits as written ("43" for .43).
	Fraction  string
	Precision Precision
	// HasZone reports an explicit offset; Offset is then seconds east of UTC.
	HasZone bool
	Offset  int
}

// ErrDTM reports a malformed date/time.
var ErrDTM = errors.New("hl7: bad date/time")

// ParseDTM parses an HL7 date/time with any precision from year to
// 1/10000 s and an optional offset. Calendar values are validated
// (20240230 is an error), so a bad date never becomes a wrong one.
func ParseDTM(s string) (DTM, error) {
	var t DTM
	bad := func(why string) (DTM, error) { return DTM{}, fmt.Errorf("%w %q: %s", ErrDTM, s, why) }
	body, zone := s, ""
	for i := 4; i < len(s); i++ {
		if s[i] == '+' || s[i] == '-' {
			body, zone = s[:i], s[i:]
			break
		}
	}
	date, frac := body, ""
	for i := 0; i < len(body); i++ {
		if body[i] == '.' {
			date, frac = body[:i], body[i+1:]
			break
		}
	}
	if !digits(date) || !digits(frac) {
		return bad("only digits, one '.', and a +/-ZZZZ offset are allowed")
	}
	switch len(date) {
	case 4, 6, 8, 10, 12, 14:
	default:
		return bad("want YYYY[MM[DD[HH[MM[SS]]]]]")
	}
	if frac != "" && (len(date) != 14 || len(frac) > 4) {
		return bad("fractional seconds need seconds and at most 4 digits")
	}
	if body != date && frac == "" {
		return bad("'.' must be followed by digits")
	}
	parts := []*int{&t.Year, &t.Month, &t.Day, &t.Hour, &t.Minute, &t.Second}
	for i := 0; i*2+4 <= len(date); i++ {
		if i == 0 {
			t.Year, _ = strconv.Atoi(date[:4])
		} else {
			*parts[i], _ = strconv.Atoi(date[2+i*2 : 4+i*2])
		}
		t.Precision = Precision(i + 1)
	}
	if frac != "" {
		t.Fraction, t.Precision = frac, PrecisionFraction
	}
	if err := t.validate(); err != "" {
		return bad(err)
	}
	if zone != "" {
		if len(zone) != 5 || !digits(zone[1:]) {
			return bad("offset must be +HHMM or -HHMM")
		}
		h, _ := strconv.Atoi(zone[1:3])
		m, _ := strconv.Atoi(zone[3:5])
		if h > 14 || m > 59 {
			return bad("offset out of range")
		}
		t.HasZone, t.Offset = true, (h*60+m)*60
		if zone[0] == '-' {
			t.Offset = -t.Offset
		}
	}
	return t, nil
}

func (t DTM) validate() string {
	switch {
	case t.Precision >= PrecisionMonth && (t.Month < 1 || t.Month > 12):
		return "month out of range"
	case t.Precision >= PrecisionDay && (t.Day < 1 || t.Day > daysIn(t.Year, t.Month)):
		return "day out of range"
	case t.Hour > 23 || t.Minute > 59 || t.Second > 59:
		return "time out of range"
	}
	return ""
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Time returns the instant, in the message's own offset when it has one,
// otherwise in loc (the sender's zone from configuration: never the
// server's). Missing parts default to the start of the period.
func (t DTM) Time(loc *time.Location) time.Time {
	if t.HasZone {
		loc = time.FixedZone("", t.Offset)
	}
	if loc == nil {
		loc = time.UTC
	}
	nanos := 0
	if t.Fraction != "" {
		f := t.Fraction
		for len(f) < 9 {
			f += "0"
		}
		nanos, _ = strconv.Atoi(f)
	}
	return time.Date(t.Year, time.Month(max(t.Month, 1)), max(t.Day, 1), t.Hour, t.Minute, t.Second, nanos, loc)
}
