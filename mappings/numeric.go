package mappings

import (
	"encoding/json"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// NM, SN and NR → Quantity, Range, Ratio, after the IG's NM[Quantity],
// SN[Quantity], SN[Range], SN[Ratio] and NR[Range] maps. Decimals keep the
// sender's digits: "1.40" stays 1.40 (its precision is information).

// decimal normalizes an HL7 NM to a FHIR decimal without changing its
// digits or precision: a leading "+" and leading zeros go, ".5" becomes
// 0.5 and "5." becomes 5. It reports false for anything that is not a
// number.
func decimal(s string) (json.Number, bool) {
	s = strings.TrimSpace(s)
	if canonical(s) {
		return json.Number(s), true
	}
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if !allDigits(intPart) && intPart != "" || hasDot && frac != "" && !allDigits(frac) || intPart == "" && frac == "" {
		return "", false
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return json.Number(out), true
}

// canonical reports whether s is already a FHIR decimal without exponent:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?
func canonical(s string) bool {
	// (Two byte searches: ContainsAny builds a set of "eE" on every call.)
	return fhir.ValidNumber(s) && strings.IndexByte(s, 'e') < 0 && strings.IndexByte(s, 'E') < 0
}

// comparators are the SN.1 values a FHIR Quantity.comparator can hold.
var comparators = map[string]bool{"<": true, "<=": true, ">=": true, ">": true}

// splitComparator splits a leading comparator off text such as "<0.10".
func splitComparator(s string) (cmp, rest string) {
	if s != "" && s[0] > ' ' && s[0] < 0x80 && s[0] != '<' && s[0] != '>' && s[len(s)-1] > ' ' && s[len(s)-1] < 0x80 {
		return "", s // the usual plain number: nothing to trim, no comparator
	}
	s = strings.TrimSpace(s)
	for _, c := range [...]string{"<=", ">=", "<", ">"} {
		if r, ok := strings.CutPrefix(s, c); ok {
			return c, strings.TrimSpace(r)
		}
	}
	return "", s
}

// numeric maps an NM value: a plain decimal, or a decimal behind a
// comparator ("<0.10": non-conformant for NM, common in practice; the
// comparator goes into Quantity.comparator). It reports false when the
// text is not a number.
func numeric(s string, q *fhir.Quantity) bool {
	cmp, rest := splitComparator(s)
	d, ok := decimal(rest)
	if !ok {
		return false
	}
	q.Value, q.Comparator = d, cmp
	return true
}

// sn maps an SN repetition (with the units of OBX-6) to a value. The IG's
// rules, in its order: comparator "<>" → string; separator ":" or "/" →
// Ratio; "-" → Range; "+" → string; anything else → Quantity with the
// comparator. When a number does not parse, or an SN arrives unsplit
// ("<0.10" in SN.1), decisions: the unsplit form is read like an NM, and
// anything else falls back to a string. A string, and the IG's
// originalText extension on a Range or Ratio, hold the SN's parts joined
// by blanks as the IG writes them ("1 : 64", "2 +", "<0.10"), a string
// with the unit text after a blank.
func (r *run) sn(v hl7.Value, units *fhir.Quantity) (fhir.ObservationValue, bool) {
	c1, n1, sep, n2 := text(v.Component(1)), text(v.Component(2)), text(v.Component(3)), text(v.Component(4))
	if c1 == "" && n1 == "" && sep == "" && n2 == "" {
		return fhir.ObservationValue{}, false
	}
	// The IG writes the SN as SN.1+" "+SN.2+" "+SN.3+" "+SN.4 (and, for
	// valueString, +" "+OBX-6); decision: empty parts are left out rather
	// than doubling the blanks.
	written := joinNonEmpty(" ", c1, n1, sep, n2)
	asString := func() (fhir.ObservationValue, bool) {
		s := written
		if u := units.Unit; u != "" {
			s += " " + u
		}
		return fhir.ObservationValue{ValueString: &s}, true
	}
	if n1 == "" && sep == "" && n2 == "" { // unsplit: "<0.10" or "182" in SN.1
		if q := new(fhir.Quantity); numeric(c1, q) {
			copyUnit(q, units)
			return fhir.ObservationValue{ValueQuantity: q}, true
		}
		return asString()
	}
	if c1 == "=" {
		c1 = ""
	}
	if c1 != "" && !comparators[c1] {
		return asString()
	}
	d1, ok1 := decimal(n1)
	switch sep {
	case ":", "/":
		d2, ok2 := decimal(n2)
		if !ok1 || !ok2 {
			return asString()
		}
		num, den := &fhir.Quantity{Value: d1, Comparator: c1}, &fhir.Quantity{Value: d2}
		copyUnit(num, units)
		copyUnit(den, units)
		return fhir.ObservationValue{ValueRatio: &fhir.Ratio{Extension: originalText(written), Numerator: num, Denominator: den}}, true
	case "-":
		d2, ok2 := decimal(n2)
		if !ok1 || !ok2 || c1 != "" {
			return asString()
		}
		lo, hi := &fhir.Quantity{Value: d1}, &fhir.Quantity{Value: d2}
		copyUnit(lo, units)
		copyUnit(hi, units)
		return fhir.ObservationValue{ValueRange: &fhir.Range{Extension: originalText(written), Low: lo, High: hi}}, true
	case "+":
		return asString()
	}
	if !ok1 || n2 != "" {
		return asString()
	}
	q := &fhir.Quantity{Value: d1, Comparator: c1}
	copyUnit(q, units)
	return fhir.ObservationValue{ValueQuantity: q}, true
}

// copyUnit copies the unit, system and code of u onto q.
func copyUnit(q, u *fhir.Quantity) {
	q.Unit, q.System, q.Code = u.Unit, u.System, u.Code
}

func originalText(s string) []fhir.Extension {
	return []fhir.Extension{{URL: "http://hl7.org/fhir/StructureDefinition/originalText", ValueString: &s}}
}

// nr maps an NR (low^high) to a Range.
func nr(v hl7.Value) *fhir.Range {
	lo, ok1 := decimal(text(v.Component(1)))
	hi, ok2 := decimal(text(v.Component(2)))
	if !ok1 && !ok2 {
		return nil
	}
	rg := &fhir.Range{}
	if ok1 {
		rg.Low = &fhir.Quantity{Value: lo}
	}
	if ok2 {
		rg.High = &fhir.Quantity{Value: hi}
	}
	return rg
}

// fillReferenceRange maps OBX-7 into rr after the IG: the text always;
// and, decision for what the IG calls "sufficiently parseable", low and
// high (with the units of OBX-6) when the text is two numbers joined by "-"
// or "to" ("3.5-5.0", "4.3 to 6.2", "-2 - 2"). One-sided ranges such as
// "<0.10" stay text: FHIR's low and high are inclusive, "<" is not. It
// reports whether there was a range.
func fillReferenceRange(s string, units *fhir.Quantity, rr *fhir.ObservationReferenceRange, low, high *fhir.Quantity) bool {
	if s == "" {
		return false
	}
	rr.Text = s
	lo, hi, ok := splitRange(s)
	if !ok {
		return true
	}
	low.Value, high.Value = lo, hi
	copyUnit(low, units)
	copyUnit(high, units)
	rr.Low, rr.High = low, high
	return true
}

func splitRange(s string) (lo, hi json.Number, ok bool) {
	if a, b, found := strings.Cut(s, " to "); found {
		lo, ok1 := decimal(a)
		hi, ok2 := decimal(b)
		return lo, hi, ok1 && ok2
	}
	// The separating "-" is the first one after a digit.
	for i := 1; i < len(s); i++ {
		if s[i] != '-' {
			continue
		}
		j := i - 1
		for j > 0 && s[j] == ' ' {
			j--
		}
		if s[j] < '0' || s[j] > '9' {
			continue
		}
		lo, ok1 := decimal(s[:i])
		hi, ok2 := decimal(s[i+1:])
		return lo, hi, ok1 && ok2
	}
	return "", "", false
}
