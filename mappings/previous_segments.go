package mappings

import (
	"slices"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// Updates, continued (previous.go): in v2 an absent segment means "no
// change", as an empty field does. The Patient's and Encounter's PUT
// replaces the whole resource, so without the rules below every ORU (and
// every A08 that sends only the PID and PV1) after an admit would delete
// the contacts, PD1's extensions and PV2's elements downstream:
//
//   - a message without an NK1 for a patient keeps its contacts;
//   - without a PD1, or with PD1s that leave a field empty, the patient
//     keeps that field's extension (pd1Carry); "" in the field deletes it;
//   - without a PV2, or with PV2s that leave a field empty, the visit keeps
//     that field's element (pv2Carry); "" deletes it. PV2-1 (a pending
//     location) and PV2-13 (the referral source) share their lists with
//     PV1's and follow PV1's rules (previous.go);
//   - without a ROL after the PV1, the visit keeps the participants
//     earlier ROL segments gave.
//
// Patient.generalPractitioner (PD1-3, PD1-4) is not carried: its
// references point at resources of the previous Bundle whose type the
// reference does not say, so they could not be rewritten to Type/id.

// mappedSeg says that segment s was mapped for the Patient or Encounter
// with id.
type mappedSeg struct {
	s  *hl7.Segment
	id string
}

// sawSegment records that an NK1 or PD1 s was mapped for the Patient id,
// or a PV2 or ROL for the Encounter id.
func (r *run) sawSegment(s *hl7.Segment, id string) {
	r.mappedSegs = append(r.mappedSegs, mappedSeg{s, id})
}

// segmentCarry is an element (by JSON name) or an extension (by url) that
// one field of a segment gives.
type segmentCarry struct {
	elem, url string
	field     int
}

// pd1Carry are the Patient extensions PD1 gives (pd1.go).
var pd1Carry = []segmentCarry{{url: extDisability, field: 6}, {url: extCongregation, field: 14}}

// pv2Carry are the Encounter elements PV2 gives alone (pv2.go).
var pv2Carry = []segmentCarry{
	{elem: "reasonCode", field: 3},
	{url: extPlannedStart, field: 8},
	{url: extPlannedEnd, field: 9},
	{elem: "length", field: 11},
	{elem: "text", field: 12},
	{elem: "priority", field: 25},
	{url: extModeOfArrival, field: 38},
}

// carryFields takes from prev into dst what each rule's field gives, when
// every seg segment the message mapped for id leaves the field empty, or
// it mapped none (the segment is absent). Checked once all are mapped: a
// PD1 sent twice, or an ORU's second PV2, that sends the field keeps it
// from being carried beside the value it gives.
func (r *run) carryFields(seg, id string, dst, prev fhir.Resource, rules []segmentCarry) {
	for _, c := range rules {
		if r.sentField(seg, id, c.field) {
			continue
		}
		if c.url != "" {
			fhir.CopyExtensions(dst, prev, "extension", c.url)
		} else {
			fhir.CopyElement(dst, prev, c.elem)
		}
	}
}

// sentField reports whether a seg segment mapped for id has field f
// valued, "" (delete) included.
func (r *run) sentField(seg, id string, f int) bool {
	for _, x := range r.mappedSegs {
		if x.id == id && x.s.Name() == seg && !x.s.Field(f).IsEmpty() {
			return true
		}
	}
	return false
}

// carryAbsentSegments takes Patient.contact (NK1) from the previous
// version of each Patient of the message when the message mapped no NK1
// for it, and the PD1 extensions and PV2 elements (of each Encounter)
// whose fields it left empty or did not send.
func (r *run) carryAbsentSegments() {
	if r.enr == nil || r.enr.Previous == nil {
		return
	}
	for _, e := range r.entries {
		if enc, ok := e.res.(*fhir.Encounter); ok {
			r.carryAbsentVisitSegments(enc)
		}
		p, ok := e.res.(*fhir.Patient)
		if !ok {
			continue
		}
		prev, _ := r.previous("Patient", p.ID).(*fhir.Patient)
		if prev == nil {
			continue
		}
		if !r.saw("NK1", p.ID) && len(p.Contact) == 0 && len(prev.Contact) > 0 {
			p.Contact = slices.Clone(prev.Contact)
			for i := range p.Contact {
				p.Contact[i].Organization = relinked(p.Contact[i].Organization, "Organization")
			}
		}
		r.carryFields("PD1", p.ID, p, prev, pd1Carry)
	}
}

// saw reports whether segment seg was mapped for the Patient or Encounter
// id.
func (r *run) saw(seg, id string) bool {
	return slices.ContainsFunc(r.mappedSegs, func(x mappedSeg) bool { return x.id == id && x.s.Name() == seg })
}

// carryAbsentVisitSegments keeps the visit's PV2 elements whose fields the
// update left empty or did not send, and, without a visit ROL, the
// participants earlier ROL segments gave (those that name a
// PractitionerRole: PV1's name Practitioners, and PV1's own carry rule in
// previous.go covers them but leaves these out, so that a ROL the message
// sends replaces them even when the PV1 omits its participant fields).
func (r *run) carryAbsentVisitSegments(enc *fhir.Encounter) {
	prev, _ := r.previous("Encounter", enc.ID).(*fhir.Encounter)
	if prev == nil {
		return
	}
	r.carryFields("PV2", enc.ID, enc, prev, pv2Carry)
	if r.saw("ROL", enc.ID) {
		return
	}
	for _, p := range prev.Participant {
		if fromROL(p) {
			p.Individual = relinked(p.Individual, "PractitionerRole")
			addParticipant(enc, p)
		}
	}
}

// fromROL reports whether a visit participant came from a ROL (rol.go):
// only those name a PractitionerRole.
func fromROL(p fhir.EncounterParticipant) bool {
	return p.Individual != nil && p.Individual.Type == "PractitionerRole"
}
