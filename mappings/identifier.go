package mappings

import (
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// hd is an HL7 HD (hierarchic designator): an assigning authority or
// facility as namespace id, universal id and universal id type.
type hd struct {
	ns, uid, typ string
}

// hdAt reads an HD held in components from, from+1, from+2 (MSH-3).
func hdAt(v hl7.Value, from int) hd {
	return hd{text(v.Component(from)), text(v.Component(from + 1)), text(v.Component(from + 2))}
}

func (a hd) empty() bool { return a.ns == "" && a.uid == "" }

// uidURI is the universal id HD.2 as a URI when HD.3 says what it is: an
// OID (ISO, or no type with an OID) as urn:oid:, a UUID as urn:uuid:;
// otherwise "".
func (a hd) uidURI() string {
	switch {
	case a.uid == "":
		return ""
	case strings.EqualFold(a.typ, "UUID"):
		return "urn:uuid:" + strings.ToLower(a.uid)
	case (a.typ == "" || strings.EqualFold(a.typ, "ISO")) && isOID(a.uid):
		return "urn:oid:" + a.uid
	}
	return ""
}

// key is the authority as sent, for ids: changing IdentifierSystems must
// not change them.
func (a hd) key() string { return a.ns + "&" + a.uid + "&" + a.typ }

// system resolves an assigning authority to an identifier system as
// Options.IdentifierSystems documents; configured says it came from there.
func (m *Mapper) system(a hd) (sys string, configured bool) {
	if a.empty() {
		return "", false
	}
	if s, ok := m.systems[a.ns]; ok && a.ns != "" {
		return s, true
	}
	if s, ok := m.systems[a.uid]; ok && a.uid != "" {
		return s, true
	}
	if u := a.uidURI(); u != "" {
		return u, false
	}
	if a.uid != "" && isURI(a.uid) {
		return a.uid, false
	}
	if isURI(a.ns) {
		return a.ns, false
	}
	name := a.ns
	if name == "" {
		name = a.uid
	}
	return "urn:switchboard:" + m.nsURN + "aa:" + escapeURN(name), false
}

// identifier builds an Identifier with a value, an authority and an
// identifier-type code (table 0203), as CX, XCN and XON share them.
func (r *run) identifier(value string, a hd, typeCode string) (fhir.Identifier, bool) {
	if value == "" {
		return fhir.Identifier{}, false
	}
	id := fhir.Identifier{Value: value, Type: r.identifierType(typeCode)}
	sys, configured := r.system(a)
	id.System = sys
	if !configured && a.ns != "" {
		id.Assigner = r.assigner(a.ns)
	}
	return id, true
}

// assigner is the display-only Reference to an assigning authority, one
// per authority for the bundle.
func (r *run) assigner(name string) *fhir.Reference {
	return r.shared(ref{display: name})
}

// system is Mapper.system, remembered for the rest of the message.
func (r *run) system(a hd) (string, bool) {
	if a.empty() {
		return "", false
	}
	if s, ok := r.systems[a]; ok {
		return s.uri, s.configured
	}
	uri, configured := r.m.system(a)
	if r.systems == nil {
		r.systems = make(map[hd]resolvedSystem, 4)
	}
	r.systems[a] = resolvedSystem{uri, configured}
	return uri, configured
}

type resolvedSystem struct {
	uri        string
	configured bool
}

// identifierType is identifierTypeCC, one value per code for the bundle.
func (r *run) identifierType(code string) *fhir.CodeableConcept {
	if code == "" {
		return nil
	}
	if cc, ok := r.idTypes[code]; ok {
		return cc
	}
	cc := identifierTypeCC(code)
	if r.idTypes == nil {
		r.idTypes = make(map[string]*fhir.CodeableConcept, 4)
	}
	r.idTypes[code] = cc
	return cc
}

// identifierTypeCC maps a table 0203 code; an unknown one is kept as text.
func identifierTypeCC(c string) *fhir.CodeableConcept {
	if c == "" {
		return nil
	}
	if k, ok := identifierType.lookup(c); ok {
		return conceptCC(k)
	}
	return &fhir.CodeableConcept{Text: c}
}

// cx maps one CX repetition (PID-3, PV1-19, ...) after the IG's
// CX[Identifier] map. It reports false when CX.1 is empty, and returns the
// authority for the caller's id key.
func (r *run) cx(v hl7.Value, a at) (fhir.Identifier, hd, bool) {
	c := r.split(v)
	auth := c.hd(4)
	id, ok := r.identifier(c.text(1), auth, codeText(c.sub(5, 1)))
	if !ok {
		return id, auth, false
	}
	if d := c.text(2); d != "" {
		id.Extension = append(id.Extension, fhir.Extension{URL: "http://hl7.org/fhir/StructureDefinition/identifier-checkDigit", ValueString: &d})
		if s := c.text(3); s != "" {
			id.Extension = append(id.Extension, fhir.Extension{URL: "http://hl7.org/fhir/StructureDefinition/namingsystem-checkDigit", ValueString: &s})
		}
	}
	id.Period = r.periodText(c.text(7), c.text(8), a)
	return id, auth, true
}

// ei maps an EI (entity identifier: OBR-2, OBR-3, OBX-21) after the IG's
// EI[Identifier-System] reading: EI.1 the value, EI.2-4 the authority.
// typeCode is the 0203 code the segment map assigns (PLAC, FILL).
func (r *run) ei(v hl7.Value, typeCode string) (fhir.Identifier, hd, bool) {
	if v.IsEmpty() {
		return fhir.Identifier{}, hd{}, false
	}
	c := r.split(v)
	auth := c.hdFrom(2)
	id, ok := r.identifier(c.text(1), auth, typeCode)
	return id, auth, ok
}

// period maps two DTM values to a Period, or nil.
func (r *run) period(start, end hl7.Value, a at) *fhir.Period {
	return r.periodText(text(start.Component(1)), text(end.Component(1)), a)
}

// periodText maps two DTM texts to a Period, or nil.
func (r *run) periodText(start, end string, a at) *fhir.Period {
	if start == "" && end == "" {
		return nil
	}
	s, e := r.dtmText(start, a, kindDateTime), r.dtmText(end, a, kindDateTime)
	if s == "" && e == "" {
		return nil
	}
	return &fhir.Period{Start: s, End: e}
}
