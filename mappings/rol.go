package mappings

import (
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// ROL (role, the pre-2.7 PRT) names a person with a role in the patient's
// care. Where it stands decides where it goes, after the IG's ADT_A01
// message map and its ROL segment maps:
//
//   - after the PID (before any PV1): a primary care provider (ROL-3.1
//     PP) is Patient.generalPractitioner (ROL[Patient-GeneralPractitioner]);
//     any other role of table 0443 is a participant of the patient's
//     CareTeam (ROL[CareTeam], careteam.go);
//   - after the PV1 (or PV2): Encounter.participant
//     (ROL[Encounter-PractitionerRole]), type ROL-3, period ROL-5/6;
//   - in the procedure and insurance groups (after PR1, IN1-3), and
//     anywhere else, the IG maps none: skipped with a warning.
//
// A general practitioner or visit participant is a PractitionerRole:
// identifier ROL-1, code ROL-3, practitioner ROL-4 (the first XCN), period
// ROL-5/6, specialty ROL-9, telecom ROL-12, location ROL-13, organization
// ROL-14; ROL-11 is the Practitioner's address (a home kind of XAD.7) or
// the Organization's (a business one), when it has none, as the IG splits
// it. A CareTeam participant is the Practitioner itself, with the role on
// the participant (careteam.go).
//
// Decisions, as for PRT (prt.go): the role is matched on ROL-3.1 whatever
// table ROL-3.3 names; every patient-group role of table 0443 other than
// PP joins the CareTeam (the IG calls them candidates "but not all", and
// says which no further), a role outside the table is skipped with a
// warning; a ROL with action code DE (ROL-2, delete) is skipped, as the
// bundle carries the current state without it (in the visit group it
// still counts as a sent ROL, so an update does not carry the role back:
// previous_segments.go; in the patient group the CareTeam a later message
// PUTs is the list it sends, careteam.go).
func (r *run) rolADT(s *hl7.Segment, n int, st *adtState) {
	a := func(field int) at { return at{"ROL", n, field} }
	visit := (st.group == "PV1" || st.group == "PV2") && st.encRes != nil
	if visit {
		// Sent, even one that deletes its role: the visit's ROL
		// participants are now the message's, and the earlier ones,
		// the deleted one among them, are not carried over.
		r.sawSegment(s, st.encRes.ID)
	}
	if strings.EqualFold(code(s.Field(2)), "DE") {
		r.warn(a(2), "role deleted (action code DE): skipped")
		return
	}
	role := strings.ToUpper(code(s.Field(3).Component(1)))
	switch {
	case visit:
		x := r.rolePerson(s, n)
		if x.isZero() {
			return
		}
		// The reference says its type: a participant is a Practitioner
		// unless said otherwise, and an update that carries this one
		// over rewrites it to Type/id (previous.go relinked).
		ind := x.reference()
		ind.Type = "PractitionerRole"
		p := fhir.EncounterParticipant{Individual: ind, Period: r.period(s.Field(5), s.Field(6), a(5))}
		if cc := r.codeable(s.Field(3).Rep(1), "0443"); cc != nil {
			p.Type = []fhir.CodeableConcept{*cc}
		}
		addParticipant(st.encRes, p)
	case st.group != "PID" && st.group != "PD1":
		r.warn(a(0), "role outside the patient and visit groups (the IG maps none there): skipped")
	case role == "PP" && st.pat.res != nil:
		if x := r.rolePerson(s, n); !x.isZero() {
			st.pat.res.GeneralPractitioner = appendRef(st.pat.res.GeneralPractitioner, x)
		}
	case role != "PP" && providerRoles[role]:
		r.rolCareTeam(s, n, st.pat)
	default:
		r.warn(a(3), "role not mapped for a patient (not in table 0443): skipped")
	}
}

// homeAddress are the XAD.7 address types the IG gives the Practitioner
// of a ROL; the others (office, business) go to the Organization.
var homeAddress = map[string]bool{"N": true, "BDL": true, "F": true, "H": true, "P": true, "BR": true, "V": true}

// rolePerson maps ROL-4 and what qualifies it to a PractitionerRole, or
// returns the zero ref when ROL-4 names no one.
func (r *run) rolePerson(s *hl7.Segment, n int) ref {
	a := func(field int) at { return at{"ROL", n, field} }
	person := r.xcn(s.Field(4).Rep(1), a(4))
	if person.url == "" {
		return person // display only, or nobody: no PractitionerRole
	}
	org := r.rolOrganization(s, n, person)
	loc := r.pl(s.Field(13).Rep(1))
	roleCode := code(s.Field(3).Component(1))
	roleID, _, hasID := r.ei(s.Field(1).Rep(1), "")
	x := r.ident("PractitionerRole", person.url, "ROL", roleCode, org.url, org.display, loc.url, loc.display, roleID.Value)
	if r.has(x.id) {
		return ref{url: x.url}
	}
	pr := newPractitionerRole(x, person, org, loc)
	pr.Period = r.period(s.Field(5), s.Field(6), a(5))
	pr.Telecom = r.telecoms(s.Field(12), "work", a(12), nil)
	if hasID {
		pr.Identifier = []fhir.Identifier{roleID}
	}
	if cc := r.codeable(s.Field(3).Rep(1), "0443"); cc != nil {
		pr.Code = []fhir.CodeableConcept{*cc}
	}
	pr.Specialty = r.codeableList(s.Field(9), nil, "")
	return r.add(x, pr)
}

// rolOrganization maps ROL-14 to an Organization and gives ROL-11 to it
// (a business address) or to person's Practitioner (a home one), each
// only when it has no address yet.
func (r *run) rolOrganization(s *hl7.Segment, n int, person ref) ref {
	a := func(field int) at { return at{"ROL", n, field} }
	org := r.xon(s.Field(14).Rep(1), s.Field(-1), a(14)) // (no address field: ROL-11 is placed below)
	if ad := r.xad(s.Field(11).Rep(1), a(11)); ad != nil {
		home := homeAddress[strings.ToUpper(code(s.Field(11).Rep(1).Component(7)))]
		if o, ok := r.resourceAt(org.reference()).(*fhir.Organization); ok && !home {
			if o.Address == nil {
				o.Address = []fhir.Address{*ad}
			}
		} else if p, ok := r.resourceAt(person.reference()).(*fhir.Practitioner); ok && p.Address == nil {
			p.Address = []fhir.Address{*ad}
		}
	}
	return org
}
