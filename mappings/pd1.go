package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// pd1 adds a PD1 segment (the n-th) to its patient after the IG's
// PD1[Patient] map:
//   - generalPractitioner: PD1-3 (XON, an Organization) and PD1-4 (XCN, a
//     Practitioner), every repetition, organizations first as the IG
//     numbers them; resources only for what is identified (see ids.go);
//   - the patient-disability extension from PD1-6 (handicap, table 0295);
//   - the patient-congregation extension from PD1-14 (place of worship,
//     XON.1 as a string).
//
// The message replaces what enrichment took from the EHR: when PD1 names a
// practitioner, the EHR's generalPractitioner list is not kept beside it.
// (s.Field(-1) is an empty field: PD1 has no address for the XON.)
// PD1-7 (living will) is an Observation of its own (livingWill); PD1-11/12
// (publicity, protection) would be security labels: left out.
func (r *run) pd1(s *hl7.Segment, n int, pat patient) {
	p := pat.res
	if p == nil {
		return
	}
	r.sawSegment(s, p.ID)
	a := func(field int) at { return at{"PD1", n, field} }
	var gp []fhir.Reference
	var one [1]hl7.Value
	for _, rep := range r.reps(s.Field(3), &one) {
		if x := r.xon(rep, s.Field(-1), a(3)).reference(); x != nil {
			gp = append(gp, *x)
		}
	}
	for _, rep := range r.reps(s.Field(4), &one) {
		if x := r.xcn(rep, a(4)).reference(); x != nil {
			gp = append(gp, *x)
		}
	}
	if gp != nil {
		p.GeneralPractitioner = gp
	}
	if cc := r.codeable(s.Field(6).Rep(1), "0295"); cc != nil {
		p.Extension = append(p.Extension, fhir.Extension{URL: extDisability, ValueCodeableConcept: cc})
	}
	if c := text(s.Field(14).Rep(1).Component(1)); c != "" {
		p.Extension = append(p.Extension, fhir.Extension{URL: extCongregation, ValueString: &c})
	}
	r.livingWill(s, n, pat)
}

// livingWill adds the IG's PD1[Observation-LivingWill] when PD1-7 is
// valued: an Observation of the patient whose value is PD1-7 (table 0315;
// the IG's LivingWillCode concept map keeps the v2 codes), status final.
// The code is the IG's assignment, LOINC 75320-2 (the IG gives no
// display; "Advance directive" is LOINC's name for it). Decision: one per
// patient, keyed by the patient alone (ids.go), so each PD1-7 replaces
// the last. A PD1-7 of "" cannot remove it (a transaction of PUTs
// deletes nothing): a warning says so. It joins the Bundle after the
// Observations of the OBX (run.late), so that a field rule's or channel
// test's Observation[n] means the same with or without PD1-7.
func (r *run) livingWill(s *hl7.Segment, n int, pat patient) {
	f := s.Field(7)
	if f.IsNull() {
		r.warn(at{"PD1", n, 7}, `living will "" (delete) cannot remove the Observation an earlier message made: skipped`)
		return
	}
	value := r.codeable(f.Rep(1), "0315")
	if value == nil {
		return
	}
	x := r.ident("Observation", "PD1-7", pat.id)
	obs := &fhir.Observation{
		ID:      x.id,
		Status:  "final",
		Code:    conceptCC(concept{"http://loinc.org", "75320-2", "Advance directive"}),
		Subject: &fhir.Reference{Reference: pat.ref.url},
	}
	obs.ValueCodeableConcept = value
	r.addLate(x, obs)
}
