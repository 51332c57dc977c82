package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// practitionerParts is a Practitioner with room for what an XCN fills,
// allocated together.
type practitionerParts struct {
	p      fhir.Practitioner
	ident  [1]fhir.Identifier
	name   [1]fhir.HumanName
	given  [2]string
	prefix [1]string
	suffix [2]string
	qual   [1]fhir.PractitionerQualification
}

// xcn maps one XCN repetition (PV1-7, OBX-16, ...) after the IG's
// XCN[Practitioner] map and returns a reference to it: identifier XCN.1
// with authority XCN.9 and type XCN.13, name from XCN.2-6, XCN.21 (use
// XCN.10), qualification from the degree XCN.7 (table 0360). With an
// identifier the Practitioner joins the bundle (once, however many fields
// name it); without one the reference only displays the name (see ids.go).
func (r *run) xcn(v hl7.Value, a at) ref {
	if v.IsEmpty() || v.IsNull() {
		return ref{}
	}
	if x, ok := r.refs[refKey{"XCN", v.Raw()}]; ok {
		return x
	}
	c := r.split(v)
	pp := new(practitionerParts)
	name := &pp.name[0]
	name.Family = c.sub(2, 1)
	name.Given = appendNonEmpty(pp.given[:0], c.text(3), c.text(4))
	name.Prefix = appendNonEmpty(pp.prefix[:0], c.text(6))
	name.Suffix = appendNonEmpty(pp.suffix[:0], c.text(5), c.text(21))
	if k, ok := nameUse.lookup(codeText(c.sub(10, 1))); ok {
		name.Use = k.Code
	}
	hasName := name.Family != "" || name.Given != nil
	auth := c.hd(9)
	ident, hasID := r.identifier(c.text(1), auth, codeText(c.sub(13, 1)))
	var x ref
	switch {
	case hasID:
		p := &pp.p
		pp.ident[0] = ident
		p.Identifier = pp.ident[:]
		if hasName {
			p.Name = pp.name[:]
		}
		if deg := codeText(c.sub(7, 1)); deg != "" {
			pp.qual[0].Code = conceptCC(concept{sysV2Prefix + "0360", deg, c.sub(7, 2)})
			p.Qualification = pp.qual[:]
		}
		id := r.ident("Practitioner", ident.Value, auth.key())
		p.ID = id.id
		x = r.add(id, p)
	case hasName:
		x = ref{display: displayName(name)}
	default:
		return ref{}
	}
	r.cache(refKey{"XCN", v.Raw()}, x)
	return x
}

// appendNonEmpty appends the non-empty strings.
func appendNonEmpty(dst []string, ss ...string) []string {
	for _, s := range ss {
		if s != "" {
			dst = append(dst, s)
		}
	}
	if len(dst) == 0 {
		return nil
	}
	return dst
}

// refKey names a field value a reference was made from: its data type and
// raw text.
type refKey struct {
	typ, raw string
}

func (r *run) cache(k refKey, x ref) {
	if r.refs == nil {
		r.refs = make(map[refKey]ref, 4)
	}
	r.refs[k] = x
}

// xon maps one XON (OBX-23 performing organization) after the IG's
// XON[Organization] map: name XON.1, identifier XON.10 (else XON.3) with
// authority XON.6 and type XON.7, address from addr (OBX-24) when given.
func (r *run) xon(v hl7.Value, addr hl7.Value, a at) ref {
	if v.IsEmpty() || v.IsNull() {
		return ref{}
	}
	if x, ok := r.refs[refKey{"XON", v.Raw()}]; ok {
		return x
	}
	c := r.split(v)
	name := c.text(1)
	idv := c.text(10)
	if idv == "" {
		idv = c.text(3)
	}
	auth := c.hd(6)
	ident, hasID := r.identifier(idv, auth, codeText(c.sub(7, 1)))
	var x ref
	switch {
	case hasID:
		o := &fhir.Organization{Identifier: []fhir.Identifier{ident}, Name: name}
		if ad := r.xad(addr.Rep(1), a); ad != nil {
			o.Address = []fhir.Address{*ad}
		}
		id := r.ident("Organization", ident.Value, auth.key())
		o.ID = id.id
		x = r.add(id, o)
	case name != "":
		x = ref{display: name}
	default:
		return ref{}
	}
	r.cache(refKey{"XON", v.Raw()}, x)
	return x
}
