package mappings

import (
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// FHIR data types → HL7 v2 data types for write-back, the reverse of
// identifier.go, cwe.go, xpn.go, xcn.go and dtm.go. Every function returns
// raw (escaped) text for the message; v2Esc escapes each value.

// v2Esc escapes text for a field, component or sub-component.
func v2Esc(s string) string { return hl7.Escape(s, hl7.DefaultDelimiters) }

// v2Join joins raw pieces with a delimiter, leaving out trailing empty
// pieces.
func v2Join(sep byte, parts ...string) string {
	n := len(parts)
	for n > 0 && parts[n-1] == "" {
		n--
	}
	return strings.Join(parts[:n], string(sep))
}

// authority is the assigning authority sent for an identifier system, as
// OutboundOptions.AssigningAuthorities documents.
func (o *Outbound) authority(system string) hd {
	if system == "" {
		return hd{}
	}
	if a, ok := o.authorities[system]; ok {
		return a
	}
	if a, ok := wellKnownAuthorities[system]; ok {
		return a
	}
	if oid, ok := strings.CutPrefix(system, "urn:oid:"); ok && isOID(oid) {
		return hd{uid: oid, typ: "ISO"}
	}
	if uuid, ok := strings.CutPrefix(system, "urn:uuid:"); ok && uuid != "" {
		return hd{uid: uuid, typ: "UUID"}
	}
	if rest, ok := strings.CutPrefix(system, "urn:switchboard:"); ok {
		// The inbound fallback: urn:switchboard:[<tenant>:]aa:<NAME>, the
		// tenant percent-escaped so that it holds no ':'.
		if name, ok := strings.CutPrefix(rest, "aa:"); ok && name != "" {
			return hd{ns: unescapeURN(name)}
		}
		if i := strings.Index(rest, ":aa:"); i >= 0 && i+4 < len(rest) {
			return hd{ns: unescapeURN(rest[i+4:])}
		}
	}
	return hd{ns: system}
}

// wellKnownAuthorities are the assigning authorities of national
// identifier systems, as v2 senders write them (namespace, OID, ISO):
// decision, the conventional HD beats the system URI as a namespace.
// OutboundOptions.AssigningAuthorities overrides them.
var wellKnownAuthorities = map[string]hd{
	"http://hl7.org/fhir/sid/us-npi": {"NPI", "2.16.840.1.113883.4.6", "ISO"},
	"http://hl7.org/fhir/sid/us-ssn": {"SSA", "2.16.840.1.113883.4.1", "ISO"},
}

// sub is an HD as the sub-components of one component (CX.4, XCN.9).
func (a hd) sub() string { return v2Join('&', v2Esc(a.ns), v2Esc(a.uid), v2Esc(a.typ)) }

// identifierTypeCode is Identifier.type as a table 0203 code: a v2-0203
// coding, else a coding without system, else a text that reads as a code
// (the inbound map keeps an unknown code as text).
func identifierTypeCode(cc *fhir.CodeableConcept) string {
	if cc == nil {
		return ""
	}
	for _, c := range cc.Coding {
		if c.System == sysIdentifierType && c.Code != "" {
			return c.Code
		}
	}
	for _, c := range cc.Coding {
		if c.System == "" && c.Code != "" {
			return c.Code
		}
	}
	if t := cc.Text; t != "" && len(t) <= 10 && !strings.ContainsAny(t, " \t\r\n") {
		return t
	}
	return ""
}

// cx is an Identifier as CX: value, assigning authority (CX.4), identifier
// type (CX.5). The check digit extensions go to CX.2 and CX.3.
func (o *Outbound) cx(id *fhir.Identifier) (string, hd) {
	a := o.authority(id.System)
	check, scheme := "", ""
	for _, e := range id.Extension {
		switch {
		case e.ValueString == nil:
		case strings.HasSuffix(e.URL, "/identifier-checkDigit"):
			check = *e.ValueString
		case strings.HasSuffix(e.URL, "/namingsystem-checkDigit"):
			scheme = *e.ValueString
		}
	}
	return v2Join('^', v2Esc(id.Value), v2Esc(check), v2Esc(scheme), a.sub(), v2Esc(identifierTypeCode(id.Type))), a
}

// ei is an Identifier as EI: value, then the authority as EI.2-4.
func (o *Outbound) ei(id *fhir.Identifier) string {
	if id == nil || id.Value == "" {
		return ""
	}
	a := o.authority(id.System)
	return v2Join('^', v2Esc(id.Value), v2Esc(a.ns), v2Esc(a.uid), v2Esc(a.typ))
}

// outCodingSystems is the built-in code system URI → CWE.3 name: the
// inbound codingSystems reversed, with the table 0396 name preferred where
// several names share a URI.
var outCodingSystems = func() map[string]string {
	preferred := map[string]string{
		"http://loinc.org": "LN", "http://snomed.info/sct": "SCT", sysUCUM: "UCUM",
		"http://hl7.org/fhir/sid/icd-9-cm": "I9C", "http://www.ama-assn.org/go/cpt": "C4",
	}
	m := make(map[string]string, len(codingSystems))
	for name, uri := range codingSystems {
		if p, ok := preferred[uri]; ok {
			m[uri] = p
		} else if old, ok := m[uri]; !ok || name < old {
			m[uri] = name
		}
	}
	return m
}()

// codeName is the CWE.3 name for a code system URI, and the OID for
// CWE.14 when the system is one.
func (o *Outbound) codeName(system string) (name, oid string) {
	if system == "" {
		return "", ""
	}
	if n, ok := o.codeNames[system]; ok {
		return n, ""
	}
	if n, ok := outCodingSystems[system]; ok {
		return n, ""
	}
	if t, ok := strings.CutPrefix(system, sysV2Prefix); ok && len(t) == 4 && allDigits(t) {
		return "HL7" + t, ""
	}
	if x, ok := strings.CutPrefix(system, "urn:oid:"); ok && isOID(x) {
		return x, x
	}
	return system, ""
}

// cwe is a CodeableConcept as CWE (CE before v2.5): up to three codings as
// triplets (code, display, system name, version, system OID), the text as
// CWE.9. A concept with text only is sent as CWE.2 (text without a code,
// which every version has).
func (o *Outbound) cwe(cc *fhir.CodeableConcept) string {
	if cc == nil {
		return ""
	}
	var c [20]string
	n := 0
	max := 3
	if !o.v25 {
		max = 2
	}
	for i := range cc.Coding {
		cd := &cc.Coding[i]
		if cd.Code == "" || n == max {
			continue
		}
		t := triplets[n]
		name, oid := o.codeName(cd.System)
		c[t[0]-1], c[t[1]-1], c[t[2]-1] = v2Esc(cd.Code), v2Esc(cd.Display), v2Esc(name)
		if o.v25 {
			c[t[3]-1], c[t[4]-1] = v2Esc(cd.Version), v2Esc(oid)
		}
		n++
	}
	switch {
	case n == 0 && cc.Text != "":
		c[1] = v2Esc(cc.Text)
	case n == 0:
		for _, cd := range cc.Coding {
			if cd.Display != "" {
				c[1] = v2Esc(cd.Display)
				break
			}
		}
	case o.v25:
		c[8] = v2Esc(cc.Text)
	}
	return v2Join('^', c[:]...)
}

// coding is one Coding as CWE.
func (o *Outbound) coding(cd *fhir.Coding) string {
	if cd == nil {
		return ""
	}
	return o.cwe(&fhir.CodeableConcept{Coding: []fhir.Coding{*cd}})
}

// cweType is the OBX-2 value type of a coded value.
func (o *Outbound) cweType() string {
	if o.v25 {
		return "CWE"
	}
	return "CE"
}

// dtmType is the OBX-2 value type of a date/time value.
func (o *Outbound) dtmType() string {
	if o.v25 {
		return "DTM"
	}
	return "TS"
}

// dtm converts a FHIR date, dateTime or instant to HL7 DTM, keeping the
// precision (a year stays YYYY, a date YYYYMMDD) and the offset FHIR times
// carry ("Z" becomes +0000; FHIR requires a zone with a time, a time
// without one is sent without). Fractional seconds keep their first four
// digits, the most DTM holds (decision: truncated, not rounded, so a time
// never moves into the next second). ok is false for text that is not a
// FHIR date/time, or a calendar date that does not exist.
func dtm(s string) (out string, ok bool) {
	if s == "" {
		return "", true
	}
	date, tm, hasTime := strings.Cut(s, "T")
	var b strings.Builder
	b.Grow(24)
	switch len(date) {
	case 4, 7, 10:
	default:
		return "", false
	}
	for i := 0; i < len(date); i++ {
		c := date[i]
		switch {
		case i == 4 || i == 7:
			if c != '-' {
				return "", false
			}
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		default:
			return "", false
		}
	}
	if hasTime {
		if len(date) != 10 {
			return "", false
		}
		zone := ""
		if i := strings.IndexAny(tm, "Z+-"); i >= 0 {
			tm, zone = tm[:i], tm[i:]
		}
		clock, frac, hasFrac := strings.Cut(tm, ".")
		if len(clock) != 5 && len(clock) != 8 || hasFrac && (len(clock) != 8 || frac == "" || !allDigits(frac)) {
			return "", false
		}
		for i := 0; i < len(clock); i++ {
			c := clock[i]
			switch {
			case i == 2 || i == 5:
				if c != ':' {
					return "", false
				}
			case c >= '0' && c <= '9':
				b.WriteByte(c)
			default:
				return "", false
			}
		}
		if hasFrac {
			b.WriteByte('.')
			b.WriteString(frac[:min(len(frac), 4)])
		}
		switch {
		case zone == "Z":
			b.WriteString("+0000")
		case zone != "":
			if len(zone) != 6 || zone[3] != ':' || !allDigits(zone[1:3]) || !allDigits(zone[4:]) {
				return "", false
			}
			b.WriteString(zone[:3])
			b.WriteString(zone[4:])
		}
	}
	out = b.String()
	if _, err := hl7.ParseDTM(out); err != nil {
		return "", false
	}
	return out, true
}

// dtmField is dtm for an element (named for the error) of a request.
func dtmField(s, element string) (string, error) {
	out, ok := dtm(s)
	if !ok {
		return "", invalid("%s is not a FHIR date/time", element)
	}
	return out, nil
}

// dtmDate is dtm cut to the date (for DT fields such as IAM-11).
func dtmDate(s, element string) (string, error) {
	out, err := dtmField(s, element)
	if len(out) > 8 {
		out = out[:8]
	}
	return out, err
}

// outNameUse is HumanName.use → XPN.7 (table 0200), nameUse reversed.
var outNameUse = map[string]string{
	"official": "L", "usual": "D", "maiden": "M", "nickname": "N",
	"anonymous": "MSK", "temp": "TEMP", "old": "BAD",
}

// xpn is a HumanName as XPN: family, first given, the other given names
// (XPN.3, one component as the inbound map reads it), first suffix (XPN.4),
// prefixes (XPN.5), the other suffixes (XPN.6, degree), name type (XPN.7).
// A name with text only sends the text as the family name (decision: v2
// has no unstructured name; the text is the name someone wrote).
func xpn(n *fhir.HumanName) string {
	family, given := n.Family, n.Given
	if family == "" && len(given) == 0 && len(n.Prefix) == 0 && len(n.Suffix) == 0 {
		family = n.Text
	}
	first, middle := "", ""
	if len(given) > 0 {
		first, middle = given[0], strings.Join(given[1:], " ")
	}
	suffix, degree := "", ""
	if len(n.Suffix) > 0 {
		suffix, degree = n.Suffix[0], strings.Join(n.Suffix[1:], " ")
	}
	return v2Join('^', v2Esc(family), v2Esc(first), v2Esc(middle), v2Esc(suffix),
		v2Esc(strings.Join(n.Prefix, " ")), v2Esc(degree), outNameUse[n.Use])
}

// xcn is a Practitioner (or a logical reference's identifier) as XCN: id
// (XCN.1), name (XCN.2-6), assigning authority (XCN.9), name type
// (XCN.10), identifier type (XCN.13). It is "" when the reference gives
// neither an identifier nor a name.
func (q *outReq) xcn(from fhir.Resource, ref *fhir.Reference) string {
	if ref == nil {
		return ""
	}
	var id *fhir.Identifier
	var name *fhir.HumanName
	if p, ok := q.resolve(from, ref).(*fhir.Practitioner); ok {
		for i := range p.Identifier {
			if p.Identifier[i].Value != "" {
				id = &p.Identifier[i]
				break
			}
		}
		if len(p.Name) > 0 {
			name = &p.Name[0]
		}
	}
	if id == nil && ref.Identifier != nil && ref.Identifier.Value != "" {
		id = ref.Identifier
	}
	var c [13]string
	if id != nil {
		a := q.o.authority(id.System)
		typ := identifierTypeCode(id.Type)
		if typ == "" && id.System == "http://hl7.org/fhir/sid/us-npi" {
			typ = "NPI"
		}
		c[0], c[8], c[12] = v2Esc(id.Value), a.sub(), v2Esc(typ)
	}
	if name != nil {
		parts := strings.Split(xpn(name), "^")
		// XPN.1-7 are XCN.2-7 but for XPN.6 (degree), which is XCN.7, and
		// XPN.7 (type), which is XCN.10.
		for i := 0; i < len(parts) && i < 6; i++ {
			c[1+i] = parts[i]
		}
		if len(parts) == 7 {
			c[9] = parts[6]
		}
	}
	return v2Join('^', c[:]...)
}

// units is a Quantity's unit as the CWE of OBX-6: code, text, system
// name. A unit without code is sent as its text in CWE.1 (decision: where
// receivers read units; the inbound map reads CWE.2, else CWE.1).
func (o *Outbound) units(q *fhir.Quantity) string {
	if q == nil {
		return ""
	}
	if q.Code == "" {
		return v2Esc(q.Unit)
	}
	name, _ := o.codeName(q.System)
	return v2Join('^', v2Esc(q.Code), v2Esc(q.Unit), v2Esc(name))
}

// textLines splits text at line ends (CRLF, CR, LF) for TX repetitions.
func textLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}

// txReps is multi-line text as the repetitions of a TX field, one line
// each (v2: in TX the repetition separator is a hard line break).
func txReps(s string) string {
	ls := textLines(s)
	for i, l := range ls {
		ls[i] = v2Esc(l)
	}
	return strings.Join(ls, "~")
}

// ft is text as FT, line breaks as \.br\ (NTE-3).
func ft(s string) string {
	return hl7.EscapeText(strings.TrimRight(s, "\r\n"), hl7.DefaultDelimiters)
}
