package sandbox

import (
	"fmt"
	"strings"
	"time"
)

// matchToken matches system|code, |code (no system), system| (any code)
// or code against an Identifier, Coding, CodeableConcept or code.
// v keeps its search escapes (escape.go) until it is cut at "|".
func matchToken(leaf any, v string) bool {
	system, code, hasSystem := cutEscaped(v, '|')
	if !hasSystem {
		system, code = "", v
	}
	system, code = unescapeSearch(system), unescapeSearch(code)
	same := func(s, c any) bool {
		ls, _ := s.(string)
		lc, _ := c.(string)
		if hasSystem && ls != system {
			return false
		}
		return code == "" || lc == code
	}
	switch x := leaf.(type) {
	case string:
		return !hasSystem && x == code
	case map[string]any:
		if codings, ok := x["coding"].([]any); ok {
			for _, c := range codings {
				if cm, ok := c.(map[string]any); ok && same(cm["system"], cm["code"]) {
					return true
				}
			}
			return false
		}
		if val, ok := x["value"]; ok {
			return same(x["system"], val)
		}
		return same(x["system"], x["code"])
	}
	return false
}

// matchString is FHIR string search: case-insensitive starts-with, or
// :exact (the whole string, case included) or :contains.
func matchString(leaf any, v, modifier string) bool {
	s, ok := leaf.(string)
	if !ok {
		return false
	}
	switch modifier {
	case "exact":
		return s == v
	case "contains":
		return strings.Contains(strings.ToLower(s), strings.ToLower(v))
	}
	return len(s) >= len(v) && strings.EqualFold(s[:len(v)], v)
}

// matchReference compares the Type/id ends of a Reference and of the
// value (Patient/123, 123, or a full URL ending in Patient/123).
func matchReference(leaf any, v, target string) bool {
	m, ok := leaf.(map[string]any)
	if !ok {
		return false
	}
	ref, _ := m["reference"].(string)
	if !strings.Contains(v, "/") {
		v = target + "/" + v
	}
	return ref != "" && typeAndID(ref) == typeAndID(v)
}

// typeAndID returns the last two segments of a reference.
func typeAndID(ref string) string {
	i := strings.LastIndexByte(ref, '/')
	if i < 0 {
		return ref
	}
	j := strings.LastIndexByte(ref[:i], '/')
	return ref[j+1:]
}

// dateRange is the half-open interval a date of some precision covers.
type dateRange struct{ lo, hi time.Time }

// dateLayouts are the precisions FHIR dates and search values come in;
// a time without offset is taken as UTC. Parsing accepts fractional
// seconds after :05 even though the layout does not show them.
var dateLayouts = []struct {
	layout string
	next   func(time.Time) time.Time
}{
	{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
	{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
	{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	{"2006-01-02T15:04Z07:00", func(t time.Time) time.Time { return t.Add(time.Minute) }},
	{"2006-01-02T15:04", func(t time.Time) time.Time { return t.Add(time.Minute) }},
	{"2006-01-02T15:04:05Z07:00", func(t time.Time) time.Time { return t.Add(time.Second) }},
	{"2006-01-02T15:04:05", func(t time.Time) time.Time { return t.Add(time.Second) }},
}

// parseDate returns the range a FHIR date, dateTime or instant covers.
func parseDate(s string) (dateRange, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l.layout, s); err == nil {
			return dateRange{t, l.next(t)}, true
		}
	}
	return dateRange{}, false
}

// datePrefixes are the comparators the sandbox supports.
var datePrefixes = []string{"eq", "ne", "gt", "lt", "ge", "le"}

// parseDateParam splits a date search value into prefix and range.
func parseDateParam(v string) (string, dateRange, error) {
	prefix := "eq"
	if len(v) >= 2 && v[0] >= 'a' && v[0] <= 'z' {
		prefix, v = v[:2], v[2:]
		ok := false
		for _, p := range datePrefixes {
			ok = ok || p == prefix
		}
		if !ok {
			return "", dateRange{}, fmt.Errorf("prefix %q is not supported (use eq, ne, gt, lt, ge or le)", prefix)
		}
	}
	// An unencoded + in a query string arrives as a space.
	r, ok := parseDate(strings.ReplaceAll(v, " ", "+"))
	if !ok {
		return "", dateRange{}, fmt.Errorf("%q is not a date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][zone])", v)
	}
	return prefix, r, nil
}

// matchDate compares a date, dateTime or Period with a search value, as
// ranges: eq means within, ge means some of it is at or after, etc.
func matchDate(leaf any, v string) bool {
	prefix, p, err := parseDateParam(v)
	if err != nil {
		return false
	}
	t, ok := leafRange(leaf)
	if !ok {
		return false
	}
	switch prefix {
	case "eq":
		return !t.lo.Before(p.lo) && !t.hi.After(p.hi)
	case "ne":
		return t.lo.Before(p.lo) || t.hi.After(p.hi)
	case "gt":
		return t.hi.After(p.hi)
	case "lt":
		return t.lo.Before(p.lo)
	case "ge":
		return t.hi.After(p.lo)
	case "le":
		return t.lo.Before(p.hi)
	}
	return false
}

// leafRange is the range of a date-like element; an open Period end is
// the far future, an open start the far past.
func leafRange(leaf any) (dateRange, bool) {
	switch x := leaf.(type) {
	case string:
		return parseDate(x)
	case map[string]any:
		r := dateRange{lo: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), hi: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}
		if s, ok := x["start"].(string); ok {
			start, ok := parseDate(s)
			if !ok {
				return dateRange{}, false
			}
			r.lo = start.lo
		}
		if e, ok := x["end"].(string); ok {
			end, ok := parseDate(e)
			if !ok {
				return dateRange{}, false
			}
			r.hi = end.hi
		}
		return r, true
	}
	return dateRange{}, false
}
