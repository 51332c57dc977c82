package mappings

import (
	"slices"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// The patient's CareTeam, after the IG's ADT_A01 message map and its
// ROL[CareTeam] and PRT[CareTeam] segment maps: in an ADT's patient group
// (after the PID or PD1, before any PV1), a ROL whose ROL-3.1 is a code of
// table 0443 other than PP (providerRoles), and a PRT whose PRT-4.1 is one
// of the message map's list (careTeamParticipations, PP included: it is
// also the general practitioner, prt.go), is a participant of the
// patient's CareTeam.
//
// Decisions where the IG is silent or leaves the choice:
//   - which ROL roles: the IG calls the non-PP roles candidates "but not
//     all; implementation specific". All of table 0443 are taken, as
//     senders use ROL for the people they want the receiver to know; a
//     role outside the table is skipped with a warning (rol.go);
//   - one CareTeam per patient, its id from the Patient's (ids.go), so a
//     later message about the patient replaces it rather than adding a
//     second one;
//   - status active, and the Patient as subject: US Core 6.1 CareTeam
//     requires status, subject, participant.role and participant.member,
//     and the message speaks of the care team as it is now. A ROL or PRT
//     that names no member is skipped with a warning, so every participant
//     has a role (ROL-3, PRT-4) and a member;
//   - updates: the CareTeam is a resource of its own, made only when the
//     message maps at least one participant. A message without care-team
//     ROL or PRT does not PUT it, and the stored one stays as it was
//     (absent segments are "no change", as for Patient.contact); a message
//     that sends them PUTs the list it sends, which replaces the stored
//     one. A message whose only care-team segments delete (ROL-2 DE, PRT-2
//     D) or name no one therefore leaves the stored CareTeam untouched:
//     an empty CareTeam would break US Core's participant 1..*, and a
//     transaction of PUTs deletes nothing. The list is the message's
//     (snapshot), not the stored list changed by each segment's action
//     code (ROL-2, PRT-2): the engine keeps no earlier CareTeam to apply
//     them to (only the Patient and Encounter, previous.go), so a sender
//     that sends only the changed member replaces the team with it. This
//     is what a sender of the whole team each time (the usual ADT feed)
//     needs;
//   - onBehalfOf only beside a Practitioner (or a name), never a
//     PractitionerRole, which names its organization itself (R4 ctm-1).
//
// Not made: the CareTeam's category, name and period; and the ORU patient
// group's non-PP PRT, which the IG's ORU_R01 map sends to RelatedPerson.
// Decision: every PRT-4 role (table 0912) is a provider's or a device's,
// so that map would file an attending physician as a family member; such
// a PRT is skipped with a warning (prt.go).

// careTeam returns the CareTeam of pat, adding it to the bundle the first
// time a participant needs it.
func (r *run) careTeam(pat *patient) *fhir.CareTeam {
	x := r.ident("CareTeam", pat.id)
	if ct, ok := r.resource(x.id).(*fhir.CareTeam); ok {
		return ct
	}
	ct := &fhir.CareTeam{ID: x.id, Status: "active", Subject: &fhir.Reference{Reference: pat.ref.url}}
	r.add(x, ct)
	return ct
}

// addTeamMember adds p to pat's CareTeam and returns the team, or warns at
// a and returns nil when p has no member or role. A participant the team
// lists already (the same member in the same first role) is not listed
// twice.
func (r *run) addTeamMember(pat *patient, p fhir.CareTeamParticipant, a at) *fhir.CareTeam {
	if p.Member == nil || p.Role == nil {
		r.warn(a, "care team role names no one: skipped")
		return nil
	}
	ct := r.careTeam(pat)
	same := func(q fhir.CareTeamParticipant) bool {
		return q.Member.Reference == p.Member.Reference && q.Member.Display == p.Member.Display && sameConcept(q.Role[0], p.Role[0])
	}
	if !slices.ContainsFunc(ct.Participant, same) {
		ct.Participant = append(ct.Participant, p)
	}
	return ct
}

// rolCareTeam makes a patient-group ROL (the n-th) a participant of pat's
// CareTeam (ROL[CareTeam]): role ROL-3, member ROL-4 (the Practitioner),
// onBehalfOf ROL-14 (else a name from ROL-10, the organization unit
// type), period ROL-5/6; without ROL-4 the organization is the member.
// The team's reasonCode gets ROL-8 and its telecom ROL-12, as the IG maps
// them. ROL-11 goes to the Practitioner or Organization as for a
// PractitionerRole (rol.go). Decision: ROL-9 (provider type), which the
// IG makes a second participant.role, is not mapped: US Core 6.1 allows
// one role per participant (1..1), and ROL-3 is the one the team is
// about.
func (r *run) rolCareTeam(s *hl7.Segment, n int, pat *patient) {
	a := func(field int) at { return at{"ROL", n, field} }
	person := r.xcn(s.Field(4).Rep(1), a(4))
	org := r.rolOrganization(s, n, person)
	if cc := r.codeable(s.Field(10).Rep(1), ""); cc != nil && org.isZero() {
		org = ref{display: conceptText(cc)}
	}
	if person.isZero() {
		person, org = org, ref{}
	}
	p := fhir.CareTeamParticipant{
		Role:       roleList(r.codeable(s.Field(3).Rep(1), "0443")),
		Member:     person.reference(),
		OnBehalfOf: org.reference(),
		Period:     r.period(s.Field(5), s.Field(6), a(5)),
	}
	ct := r.addTeamMember(pat, p, a(4))
	if ct == nil {
		return
	}
	for _, cc := range r.codeableList(s.Field(8), nil, "") {
		if !slices.ContainsFunc(ct.ReasonCode, func(c fhir.CodeableConcept) bool { return sameConcept(c, cc) }) {
			ct.ReasonCode = append(ct.ReasonCode, cc)
		}
	}
	for _, cp := range r.telecoms(s.Field(12), "work", a(12), nil) {
		if !slices.ContainsFunc(ct.Telecom, func(c fhir.ContactPoint) bool { return c.System == cp.System && c.Value == cp.Value }) {
			ct.Telecom = append(ct.Telecom, cp)
		}
	}
}

// prtCareTeam makes a patient-group PRT (the n-th) a participant of pat's
// CareTeam (PRT[CareTeam]): role PRT-4, member who (participation:
// PRT-5's Practitioner or PractitionerRole, else PRT-8), onBehalfOf
// PRT-8 beside a Practitioner, period PRT-11/12.
func (r *run) prtCareTeam(s *hl7.Segment, n int, pat *patient, who, org ref) {
	a := func(field int) at { return at{"PRT", n, field} }
	p := fhir.CareTeamParticipant{
		Role:       roleList(r.codeable(s.Field(4).Rep(1), tableParticipation)),
		Member:     who.reference(),
		OnBehalfOf: org.reference(),
		Period:     r.period(s.Field(11), s.Field(12), a(11)),
	}
	r.addTeamMember(pat, p, a(5))
}

// roleList is a participant's role list holding cc, or nil.
func roleList(cc *fhir.CodeableConcept) []fhir.CodeableConcept {
	if cc == nil {
		return nil
	}
	return []fhir.CodeableConcept{*cc}
}
