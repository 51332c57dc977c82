package mappings

import (
	"slices"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// PRT (participation, v2.7+) names who or what took part in what the
// segment group before it is about. Its role PRT-4 (table 0912) and its
// group decide where it goes, after the IG's ORU_R01 and ADT_A01 message
// maps and its PRT segment maps:
//
//   - ORU and ADT patient group (after PID or PD1): PP
//     (primary care provider) → Patient.generalPractitioner; in an ADT,
//     PP and the other roles the IG's ADT_A01 message map lists (AD, AP,
//     ARI, AT, CP, FHCP, OP, PH, PRI, RP, RT, VP, PO) are also
//     participants of the patient's CareTeam (PRT[CareTeam], careteam.go);
//   - ORU order groups (after ORC, applied once the OBR makes the
//     ServiceRequest, or after OBR): OP → ServiceRequest.requester
//     (replacing ORC-12's: v2.7 makes PRT the place for it); RT (referred
//     to provider) → ServiceRequest.performer; ARI, TN, TR and PO →
//     DiagnosticReport.performer; PRI → DiagnosticReport.resultsInterpreter;
//     SC → the group's Specimen's collection.collector when it has none;
//   - ORU observation groups (after OBX, a specimen observation included):
//     PRT-5 (else PRT-8) → Observation.performer, whatever the role (IG);
//     PRT-10 → a Device, Observation.device (replacing OBX-18's logical
//     reference); PRT-9 → the event-location extension (a Location).
//
// The participant (participant): PRT-5 (the first XCN) is a Practitioner
// (PRT-14 its address when it has none); with PRT-8 organization or PRT-9
// location valued, and a Practitioner with an identifier, the reference is
// to a PractitionerRole (PRT[PractitionerRole]: code PRT-4, practitioner,
// organization, location, specialty PRT-6, period PRT-11/12, telecom
// PRT-15), keyed by the practitioner, role, organization and location.
// Without PRT-5, PRT-8 is an Organization.
//
// Decisions and what is left unmapped: a PRT with action code D (PRT-2,
// delete) is skipped, as the bundle carries the current state without
// it; the roles are matched on PRT-4.1 whatever table PRT-4.3 names (the
// IG tests HL70443, the pre-2.7 table with the same codes). Skipped with
// a warning: roles an order group has no element for (RCT result copies
// to, RP referring provider, AT, AD, ...); ORU patient-group roles other
// than PP (the IG's RelatedPerson for them is not made: careteam.go says
// why) and ADT ones outside the CareTeam list; visit-group PRT
// (Encounter.participant is PV1's); PRT-14 as an observation location (an
// address is not a Location with an identity); PRT-7, PRT-13, PRT-23 and
// PRT-24; PRT-10 outside observation groups.
// UDI carriers: PRT-10 is always an identifier (the message does not say
// whether it is a human-readable or AIDC carrier), PRT-16 the UDI device
// identifier.
const (
	extEventLocation   = "http://hl7.org/fhir/StructureDefinition/event-location"
	tableParticipation = "0912"
)

// heldPRT is a PRT of an ORC, kept until its OBR makes the ServiceRequest.
type heldPRT struct {
	s *hl7.Segment
	n int
}

// prtORU maps a PRT (the n-th) of an ORU by the segment group it follows
// (after: the last segment that was not NTE, PRT or Z), and returns held
// with the PRT added when it waits for its OBR (see orderPRTs).
func (r *run) prtORU(s *hl7.Segment, n int, after string, pat *patient, cur *order, obs *fhir.Observation, held []heldPRT) []heldPRT {
	if pat == nil || r.prtDeleted(s, n) {
		return held
	}
	switch {
	case after == "PID" || after == "PD1":
		r.prtPatient(s, n, pat, false)
	case after == "ORC":
		return append(held, heldPRT{s, n})
	case after == "OBR" && cur != nil:
		r.prtOrder(s, n, cur)
	case after == "OBX" && obs != nil:
		r.prtObservation(s, n, obs)
	default:
		r.warn(at{"PRT", n, 0}, "participation in this segment group is not mapped: skipped")
	}
	return held
}

// orderPRTs maps the PRT held for the order o.
func (r *run) orderPRTs(o *order, held []heldPRT) {
	for _, h := range held {
		r.prtOrder(h.s, h.n, o)
	}
}

// prtADT maps a PRT of an ADT message: after the PID or PD1 (ROL and
// other PRT between) it is about the patient. Any other group's (the
// visit's, an OBX's, a PR1's) is not, also in a message without PV1: its
// roles would replace the patient's CareTeam.
func (r *run) prtADT(s *hl7.Segment, n int, st *adtState) {
	if r.prtDeleted(s, n) {
		return
	}
	if st.group != "PID" && st.group != "PD1" {
		r.warn(at{"PRT", n, 0}, "participation in this segment group is not mapped: skipped")
		return
	}
	r.prtPatient(s, n, st.pat, true)
}

// prtDeleted reports (and warns) whether PRT-2 asks to delete the
// participation.
func (r *run) prtDeleted(s *hl7.Segment, n int) bool {
	if strings.EqualFold(code(s.Field(2)), "D") {
		r.warn(at{"PRT", n, 2}, "participation deleted (action code D): skipped")
		return true
	}
	return false
}

// prtRole is PRT-4.1, upper case.
func prtRole(s *hl7.Segment) string { return strings.ToUpper(code(s.Field(4).Component(1))) }

// prtPatient maps a patient-group PRT: PP is a general practitioner; with
// careTeam (an ADT's), the roles of careTeamParticipations, PP among them,
// are members of the patient's CareTeam (careteam.go).
func (r *run) prtPatient(s *hl7.Segment, n int, pat *patient, careTeam bool) {
	role := prtRole(s)
	gp := role == "PP" && pat.res != nil
	team := careTeam && careTeamParticipations[role]
	if !gp && !team {
		r.warn(at{"PRT", n, 4}, "participation role not mapped for a patient: skipped")
		return
	}
	who, org := r.participation(s, n)
	if gp && !who.isZero() {
		pat.res.GeneralPractitioner = appendRef(pat.res.GeneralPractitioner, who)
	}
	if team {
		r.prtCareTeam(s, n, pat, who, org)
	}
}

// prtOrder maps an order-group PRT onto the ServiceRequest, the
// DiagnosticReport or the Specimen of o.
func (r *run) prtOrder(s *hl7.Segment, n int, o *order) {
	role := prtRole(s)
	switch role {
	case "OP", "RT", "ARI", "TN", "TR", "PO", "PRI", "SC":
	default:
		r.warn(at{"PRT", n, 4}, "participation role not mapped for an order: skipped")
		return
	}
	x := r.participant(s, n)
	if x.isZero() {
		return
	}
	switch role {
	case "OP":
		o.sr.Requester = x.reference()
	case "RT":
		o.sr.Performer = appendRef(o.sr.Performer, x)
	case "PRI":
		o.dr.ResultsInterpreter = appendRef(o.dr.ResultsInterpreter, x)
	case "SC":
		if sp, ok := r.resourceAt(o.specimen).(*fhir.Specimen); ok {
			if sp.Collection == nil {
				sp.Collection = &fhir.SpecimenCollection{}
			}
			if sp.Collection.Collector == nil {
				sp.Collection.Collector = x.reference()
			}
		}
	default: // ARI, TN, TR, PO
		o.dr.Performer = appendRef(o.dr.Performer, x)
	}
}

// prtObservation maps an observation-group PRT onto its Observation.
func (r *run) prtObservation(s *hl7.Segment, n int, obs *fhir.Observation) {
	if d := r.device(s, n); !d.isZero() {
		obs.Device = d.reference()
	}
	if loc := r.pl(s.Field(9).Rep(1)); !loc.isZero() {
		// A copy: OBX of one message may share their lists (Map's doc).
		obs.Extension = append(slices.Clip(obs.Extension), fhir.Extension{URL: extEventLocation, ValueReference: loc.reference()})
	}
	if x := r.participant(s, n); !x.isZero() {
		obs.Performer = appendRef(obs.Performer, x)
	}
}

// appendRef returns list with a reference to x added, unless it holds one
// already. It never writes into list's array, which may be shared.
func appendRef(list []fhir.Reference, x ref) []fhir.Reference {
	if slices.ContainsFunc(list, func(f fhir.Reference) bool { return f.Reference == x.url && f.Display == x.display }) {
		return list
	}
	return append(slices.Clip(list), *x.reference())
}

// participant maps PRT-5 (with PRT-8, PRT-9: a PractitionerRole), else
// PRT-8, to a reference (see the comment at the top of this file).
func (r *run) participant(s *hl7.Segment, n int) ref {
	who, _ := r.participation(s, n)
	return who
}

// participation is participant, and PRT-8's organization when who is
// PRT-5's Practitioner (or a name): the organization the person took part
// for, which a PractitionerRole names itself.
func (r *run) participation(s *hl7.Segment, n int) (who, org ref) {
	a := func(field int) at { return at{"PRT", n, field} }
	org = r.xon(s.Field(8).Rep(1), s.Field(-1), a(8))
	person := r.xcn(s.Field(5).Rep(1), a(5))
	if person.isZero() {
		return org, ref{}
	}
	if p, ok := r.resourceAt(person.reference()).(*fhir.Practitioner); ok && p.Address == nil {
		if ad := r.xad(s.Field(14).Rep(1), a(14)); ad != nil {
			p.Address = []fhir.Address{*ad}
		}
	}
	loc := r.pl(s.Field(9).Rep(1))
	if person.url == "" || org.isZero() && loc.isZero() {
		return person, org
	}
	return r.practitionerRole(s, n, person, org, loc), ref{}
}

// practitionerRole is the PractitionerRole (PRT[PractitionerRole]) of
// person at org and loc.
func (r *run) practitionerRole(s *hl7.Segment, n int, person, org, loc ref) ref {
	a := func(field int) at { return at{"PRT", n, field} }
	x := r.ident("PractitionerRole", person.url, prtRole(s), org.url, org.display, loc.url, loc.display)
	if r.has(x.id) {
		return ref{url: x.url}
	}
	role := newPractitionerRole(x, person, org, loc)
	role.Period = r.period(s.Field(11), s.Field(12), a(11))
	role.Telecom = r.telecoms(s.Field(15), "work", a(15), nil)
	if cc := r.codeable(s.Field(4).Rep(1), tableParticipation); cc != nil {
		role.Code = []fhir.CodeableConcept{*cc}
	}
	if cc := r.codeable(s.Field(6).Rep(1), ""); cc != nil {
		role.Specialty = []fhir.CodeableConcept{*cc}
	}
	return r.add(x, role)
}

// newPractitionerRole is the PractitionerRole x of a person at an
// organization and location (PRT, ROL), for the caller to complete.
func newPractitionerRole(x ident, person, org, loc ref) *fhir.PractitionerRole {
	role := &fhir.PractitionerRole{ID: x.id, Practitioner: person.reference(), Organization: org.reference()}
	if l := loc.reference(); l != nil {
		role.Location = []fhir.Reference{*l}
	}
	return role
}

// device maps PRT-10 and the device fields after it (PRT[Device]) to a
// Device, keyed by PRT-10 with its authority, or returns the zero ref.
func (r *run) device(s *hl7.Segment, n int) ref {
	a := func(field int) at { return at{"PRT", n, field} }
	id, auth, ok := r.ei(s.Field(10).Rep(1), "")
	if !ok {
		return ref{}
	}
	x := r.ident("Device", id.Value, auth.key())
	if r.has(x.id) {
		return ref{url: x.url}
	}
	d := &fhir.Device{
		ID: x.id, Identifier: []fhir.Identifier{id},
		ManufactureDate:    r.dateTime(s.Field(17), a(17)),
		ExpirationDate:     r.dateTime(s.Field(18), a(18)),
		LotNumber:          text(s.Field(19)),
		SerialNumber:       text(s.Field(20)),
		DistinctIdentifier: text(s.Field(21).Component(1)),
		Type:               r.codeable(s.Field(22).Rep(1), ""),
	}
	if di := text(s.Field(16).Component(1)); di != "" {
		d.UdiCarrier = []fhir.DeviceUdiCarrier{{DeviceIdentifier: di}}
	}
	return r.add(x, d)
}

// resourceAt returns the bundle's resource x refers to, or nil.
func (r *run) resourceAt(x *fhir.Reference) fhir.Resource {
	if x == nil {
		return nil
	}
	return r.resource(strings.TrimPrefix(x.Reference, "urn:uuid:"))
}
