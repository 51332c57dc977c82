package mappings

import (
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// in1 maps an IN1 segment (the n-th) to a Coverage after the IG's
// IN1[Coverage] map:
//   - status active: decision (R4 requires a status, IN1 has none; an
//     insurance a registration sends is in force, and IN1-13 bounds it);
//   - identifier IN1-2 (health plan id, CWE: CWE.1 the value, the coding
//     system of CWE.3 its system);
//   - subscriberId: IN1-49 (insured's id), else IN1-36 (policy number),
//     as its value: R4's subscriberId is a string (the IG writes the R5
//     Identifier as an extension, which R4 does not need);
//   - beneficiary the PID's Patient;
//   - payor: IN1-3 (insurance company id, CX) with IN1-4 (name) and IN1-5
//     (address) as an Organization when IN1-3 is valued; else a reference
//     displaying IN1-4; else (R4 requires a payor) a reference carrying
//     only the data-absent-reason extension, with a warning;
//   - type IN1-15 (plan type, table 0086); period IN1-12 to IN1-13;
//   - relationship IN1-17 through subscriberRelationship (see vocab_adt.go:
//     inverted onto the beneficiary's relationship to the subscriber), the
//     v2 code kept as a second coding;
//   - subscriber: the Patient when IN1-17 is SEL (or empty with no IN1-16);
//     else, with IN1-16 (name of insured), a RelatedPerson of the patient
//     (name IN1-16, relationship IN1-17 through table 0063, birthDate
//     IN1-18, address IN1-19), as the IG's subscriber(RelatedPerson);
//   - policyHolder: IN1-11 (insured's group employer, XON) with IN1-10
//     (its ids, CX) as an Organization (IG); an IN1-10 of type SN (the
//     IG's R5 subscriberId extension) is not an employer id and is left
//     out: subscriberId comes from IN1-49 or IN1-36;
//   - class: group IN1-8 (value) with IN1-9 (group name) as its name;
//   - order: IN1-22 (coordination of benefits priority) when a positive
//     integer: decision.
//
// Its id (decision; IN1-1 is a position): the patient's id with IN1-3,
// IN1-2 and the subscriber id as sent.
func (r *run) in1(s *hl7.Segment, n int, pat patient) {
	a := func(field int) at { return at{"IN1", n, field} }
	c := &fhir.Coverage{Status: "active", Beneficiary: pat.ref.reference()}
	if v := text(s.Field(2).Component(1)); v != "" {
		c.Identifier = []fhir.Identifier{{Value: v, System: codingSystem(text(s.Field(2).Component(3)))}}
	}
	if id, _, ok := r.cx(s.Field(49).Rep(1), a(49)); ok {
		c.SubscriberID = id.Value
	} else {
		c.SubscriberID = text(s.Field(36))
	}
	c.Payor = []fhir.Reference{r.payor(s, a)}
	c.PolicyHolder = r.policyHolder(s, a).reference()
	c.Type = r.codeable(s.Field(15).Rep(1), "0086")
	c.Period = r.periodText(text(s.Field(12).Component(1)), text(s.Field(13).Component(1)), a(12))

	relCode := code(s.Field(17).Component(1))
	if relCode != "" {
		cc := r.codeable(s.Field(17).Rep(1), "0063")
		if k, ok := subscriberRelationship.lookup(relCode); ok && cc != nil {
			cc.Coding = append([]fhir.Coding{{System: k.System, Code: k.Code, Display: k.Display}}, cc.Coding...)
		}
		c.Relationship = cc
	}
	insured := s.Field(16).Rep(1)
	switch {
	case relCode == "SEL" || relCode == "" && insured.IsEmpty():
		c.Subscriber = pat.ref.reference()
	default:
		if nm, _, ok, _ := r.xpn(insured, a(16)); ok {
			rp := &fhir.RelatedPerson{Patient: pat.ref.reference(), Name: []fhir.HumanName{nm}}
			if rel := r.codeableVia(s.Field(17).Rep(1), relationship); rel != nil {
				rp.Relationship = []fhir.CodeableConcept{*rel}
			}
			rp.BirthDate = r.date(s.Field(18), a(18))
			if ad := r.xad(s.Field(19).Rep(1), a(19)); ad != nil {
				rp.Address = []fhir.Address{*ad}
			}
			id := r.ident("RelatedPerson", pat.id, "IN1-16", insured.Raw(), relCode)
			rp.ID = id.id
			c.Subscriber = r.add(id, rp).reference()
		}
	}
	if g := text(s.Field(8)); g != "" {
		c.Class = []fhir.CoverageClass{{
			Type:  conceptCC(concept{sysCoverageClass, "group", "Group"}),
			Value: g, Name: text(s.Field(9).Rep(1).Component(1)),
		}}
	}
	if o := text(s.Field(22)); allDigits(o) && len(o) < 6 && atoi(o) > 0 {
		ord := atoi(o)
		c.Order = &ord
	}
	id := r.uniqueIdent("Coverage", pat.id, s.Field(3).Rep(1).Raw(), text(s.Field(2).Component(1)), c.SubscriberID)
	c.ID = id.id
	r.add(id, c)
}

// payor is the Coverage.payor of an IN1, as in1 describes.
func (r *run) payor(s *hl7.Segment, a func(int) at) fhir.Reference {
	name := text(s.Field(4).Rep(1).Component(1))
	if id, auth, ok := r.cx(s.Field(3).Rep(1), a(3)); ok {
		o := &fhir.Organization{Identifier: []fhir.Identifier{id}, Name: name}
		if ad := r.xad(s.Field(5).Rep(1), a(5)); ad != nil {
			o.Address = []fhir.Address{*ad}
		}
		x := r.ident("Organization", id.Value, auth.key())
		o.ID = x.id
		return *r.add(x, o).reference()
	}
	if name != "" {
		return fhir.Reference{Display: name}
	}
	r.warn(a(3), "no insurance company id or name: payor marked data-absent")
	return fhir.Reference{Extension: dataAbsent().Extension}
}

// policyHolder is the employer IN1-10/IN1-11 name, as in1 describes, or
// the zero ref.
func (r *run) policyHolder(s *hl7.Segment, a func(int) at) ref {
	var ids []fhir.Identifier
	var key []string
	var one [1]hl7.Value
	for _, rep := range r.reps(s.Field(10), &one) {
		if strings.EqualFold(code(rep.Component(5)), "SN") {
			continue
		}
		if id, auth, ok := r.cx(rep, a(10)); ok {
			ids = append(ids, id)
			if key == nil {
				key = []string{"IN1-10", id.Value, auth.key()}
			}
		}
	}
	if ids == nil {
		return r.xon(s.Field(11).Rep(1), s.Field(-1), a(11))
	}
	o := &fhir.Organization{Identifier: ids, Name: text(s.Field(11).Rep(1).Component(1))}
	x := r.ident("Organization", key...)
	o.ID = x.id
	return r.add(x, o)
}
