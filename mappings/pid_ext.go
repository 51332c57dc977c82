package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// The IG's PID[Patient] extensions beyond US Core's race and ethnicity
// (race.go), and the two resources PID names besides the Patient: the
// Account of PID-18 (IG PID[Account]) and the mother of PID-21 (IG
// CX[RelatedPerson-Mother]).
const (
	extMothersMaidenName = "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName"
	extReligion          = "http://hl7.org/fhir/StructureDefinition/patient-religion"
	extBirthPlace        = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
	extCitizenship       = "http://hl7.org/fhir/StructureDefinition/patient-citizenship"
	extNationality       = "http://hl7.org/fhir/StructureDefinition/patient-nationality"
	extAnimal            = "http://hl7.org/fhir/StructureDefinition/patient-animal"
)

// pidExtensions adds the Patient extensions of the IG's PID map:
//   - PID-6 mother's maiden name: patient-mothersMaidenName, a string, from
//     the first repetition written as a name is displayed (usually the
//     family name alone);
//   - PID-17 religion: patient-religion (table 0006);
//   - PID-23 birth place: patient-birthPlace, an Address whose text is the
//     field (ST);
//   - PID-26 citizenship and PID-39 tribal citizenship: one
//     patient-citizenship per repetition, the country or nation in its
//     "code" (table 0171). Decision: tribal citizenship uses the same
//     extension, as the IG does; it has no type to tell them apart;
//   - PID-28 nationality: patient-nationality, its "code" (table 0212);
//   - PID-35 species and PID-36 breed: patient-animal (tables 0446,
//     0447). The extension requires the species: a breed without one is
//     dropped with a warning.
func (r *run) pidExtensions(s *hl7.Segment, n int, p *fhir.Patient) {
	a := func(field int) at { return at{"PID", n, field} }
	if f := s.Field(6); !f.IsEmpty() && !f.IsNull() {
		if nm, _, ok, _ := r.xpn(f.Rep(1), a(6)); ok {
			v := displayName(&nm)
			p.Extension = append(p.Extension, fhir.Extension{URL: extMothersMaidenName, ValueString: &v})
		}
	}
	if cc := r.codeable(s.Field(17).Rep(1), "0006"); cc != nil {
		p.Extension = append(p.Extension, fhir.Extension{URL: extReligion, ValueCodeableConcept: cc})
	}
	if t := text(s.Field(23)); t != "" {
		p.Extension = append(p.Extension, fhir.Extension{URL: extBirthPlace, ValueAddress: &fhir.Address{Text: t}})
	}
	var one [1]hl7.Value
	for _, field := range [...]int{26, 39} {
		for _, rep := range r.reps(s.Field(field), &one) {
			if cc := r.codeable(rep, "0171"); cc != nil {
				p.Extension = append(p.Extension, complexExt(extCitizenship, "code", cc))
			}
		}
	}
	if cc := r.codeable(s.Field(28).Rep(1), "0212"); cc != nil {
		p.Extension = append(p.Extension, complexExt(extNationality, "code", cc))
	}
	species, breed := r.codeable(s.Field(35).Rep(1), "0446"), r.codeable(s.Field(36).Rep(1), "0447")
	switch {
	case species != nil:
		animal := complexExt(extAnimal, "species", species)
		if breed != nil {
			animal.Extension = append(animal.Extension, fhir.Extension{URL: "breed", ValueCodeableConcept: breed})
		}
		p.Extension = append(p.Extension, animal)
	case breed != nil:
		r.warn(a(36), "breed without a species (PID-35): dropped")
	}
}

// complexExt is an extension holding one sub-extension with a
// CodeableConcept value.
func complexExt(url, sub string, cc *fhir.CodeableConcept) fhir.Extension {
	return fhir.Extension{URL: url, Extension: []fhir.Extension{{URL: sub, ValueCodeableConcept: cc}}}
}

// account maps PID-18 (patient account number, CX) to an Account after
// the IG's PID[Account] map: identifier PID-18, status active, subject
// the Patient (the message map's Account.subject). The id comes from the
// patient, the account number and its authority: the same account in two
// messages of the patient is one resource. Decision: the patient is part
// of the key because a guarantor's account can cover several family
// members, and a PUT of one Account per number would leave only the last
// patient sent as its subject.
func (r *run) account(s *hl7.Segment, n int, pat patient) {
	f := s.Field(18)
	if f.IsEmpty() || f.IsNull() {
		return
	}
	id, auth, ok := r.cx(f.Rep(1), at{"PID", n, 18})
	if !ok {
		return
	}
	acct := &fhir.Account{
		Identifier: []fhir.Identifier{id},
		Status:     "active",
		Subject:    []fhir.Reference{{Reference: pat.ref.url}},
	}
	x := r.ident("Account", pat.id, "PID-18", id.Value, auth.key())
	acct.ID = x.id
	r.add(x, acct)
}

// mother maps PID-21 (mother's identifier, CX) to a RelatedPerson after
// the IG's CX[RelatedPerson-Mother] map: relationship MTH (v3 RoleCode;
// the IG's default when nothing more is known), patient the Patient, an
// identifier per repetition (all name the one mother). Its id comes from
// the child and the first identifier.
func (r *run) mother(s *hl7.Segment, n int, pat patient) {
	var ids []fhir.Identifier
	var key []string
	var one [1]hl7.Value
	for _, rep := range r.reps(s.Field(21), &one) {
		id, auth, ok := r.cx(rep, at{"PID", n, 21})
		if !ok {
			continue
		}
		if key == nil {
			key = []string{pat.id, "PID-21", id.Value, auth.key()}
		}
		ids = append(ids, id)
	}
	if ids == nil {
		return
	}
	rp := &fhir.RelatedPerson{
		Identifier:   ids,
		Patient:      &fhir.Reference{Reference: pat.ref.url},
		Relationship: []fhir.CodeableConcept{*conceptCC(concept{sysRoleCode, "MTH", "mother"})},
	}
	x := r.ident("RelatedPerson", key...)
	rp.ID = x.id
	r.add(x, rp)
}

// patientProvenance adds the IG's PID[Provenance-Patient] when PID-34
// (last update facility) is valued: the Patient as last updated at that
// facility. activity UPDATE (v3 DataOperation); occurredDateTime PID-33;
// agent PID-34 as an Organization (HD[Organization]: HD.1 and HD.2 as
// identifiers, HD.2 in urn:ietf:rfc:3986 when an OID or UUID, hd.uidURI), type
// performer. The IG's recorded is the time of the transformation;
// decision, as for the message's other Provenances: MSH-7, so that a
// replay gives the same bytes. Without PID-34 (R4 requires an agent) or
// an MSH-7 instant, none is made.
func (r *run) patientProvenance(s *hl7.Segment, n int, pat patient) {
	h := hdAt(s.Field(34), 1)
	if h.empty() {
		return
	}
	recorded := r.instant(r.msh.Field(7), at{"MSH", 0, 7})
	if recorded == "" {
		return
	}
	org := &fhir.Organization{Name: h.ns}
	if h.ns != "" {
		org.Identifier = append(org.Identifier, fhir.Identifier{Value: h.ns})
	}
	if h.uid != "" {
		id := fhir.Identifier{Value: h.uid}
		if u := h.uidURI(); u != "" {
			id.System, id.Value = "urn:ietf:rfc:3986", u
		}
		org.Identifier = append(org.Identifier, id)
	}
	ox := r.ident("Organization", "HD", h.key())
	org.ID = ox.id
	who := r.add(ox, org)
	p := &fhir.Provenance{
		Target:           []fhir.Reference{{Reference: pat.ref.url}},
		OccurredDateTime: strPtr(r.dateTime(s.Field(33), at{"PID", n, 33})),
		Recorded:         recorded,
		Activity:         conceptCC(concept{"http://terminology.hl7.org/CodeSystem/v3-DataOperation", "UPDATE", "revise"}),
		Agent: []fhir.ProvenanceAgent{{
			Type: conceptCC(concept{sysProvenanceAgentType, "performer", "Performer"}),
			Who:  who.reference(),
		}},
	}
	// The whole message key, as the message's other Provenances: MSH-10
	// alone is unique per sender only.
	m := r.msgKey
	x := r.ident("Provenance", "PID-34", pat.id, m[0], m[1], m[2], m[3], h.key())
	p.ID = x.id
	r.add(x, p)
}
