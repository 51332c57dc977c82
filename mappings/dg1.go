package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// dg1 maps a DG1 segment (the n-th) to a Condition after the IG's
// DG1[Condition] map, and adds it to the visit's Encounter.diagnosis after
// DG1[Encounter]:
//   - code DG1-3 (CWE), its text from DG1-4 when DG1-3 has none (US Core
//     requires code: a DG1 with neither is skipped with a warning);
//   - category encounter-diagnosis (US Core requires a category; decision:
//     a DG1 in an ADT message is a diagnosis of the visit, also when the
//     message has no visit to refer to);
//   - verificationStatus: DG1-21 D (delete) → entered-in-error, as the IG
//     says, and then no clinicalStatus (R4 con-5). Otherwise decision (the
//     IG maps nothing): from DG1-6 through conditionVerification (A
//     admitting and W working → provisional, F final → confirmed), else
//     unconfirmed; clinicalStatus active;
//   - onsetDateTime DG1-5, recordedDate DG1-19 (the IG also offers the
//     assertedDate extension for it: recordedDate is chosen, one place),
//     asserter DG1-16 (first repetition: Condition.asserter does not
//     repeat), identifier DG1-20 (EI);
//   - subject the Patient, encounter the visit;
//   - Encounter.diagnosis: the Condition, use DG1-6 (table 0052 through
//     the IG's DiagnosisType map), rank DG1-15 when a positive integer.
//
// Its id (decision): DG1-20 when sent; else the encounter's (else the
// patient's) id with DG1-3's first coding (system and code, else its
// text): the same diagnosis sent as admitting and as final is one
// Condition with two Encounter.diagnosis uses.
//
// The IG's DG1[EpisodeOfCare] is not made: an EpisodeOfCare spans visits,
// and a DG1 names no episode to key one by, so each message would start
// another; the diagnosis is on the Encounter already.
func (r *run) dg1(s *hl7.Segment, n int, pat patient, enc ref, e *fhir.Encounter) {
	a := func(field int) at { return at{"DG1", n, field} }
	cc := r.codeOrDescription(s)
	if cc == nil {
		r.warn(a(3), "no diagnosis code or description: DG1 skipped")
		return
	}
	c := &fhir.Condition{
		Code:     cc,
		Category: []fhir.CodeableConcept{*conceptCC(concept{sysConditionCategory, "encounter-diagnosis", "Encounter Diagnosis"})},
		Subject:  pat.ref.reference(),
	}
	if enc.url != "" {
		c.Encounter = enc.reference()
	}
	dtype := code(s.Field(6).Component(1))
	if code(s.Field(21)) == "D" {
		c.VerificationStatus = conceptCC(concept{sysConditionVerification, "entered-in-error", "Entered in Error"})
	} else {
		k, ok := conditionVerification.lookup(dtype)
		if !ok {
			k = concept{sysConditionVerification, "unconfirmed", "Unconfirmed"}
		}
		c.VerificationStatus = conceptCC(k)
		c.ClinicalStatus = conceptCC(concept{sysConditionClinical, "active", "Active"})
	}
	if dt := r.dateTime(s.Field(5), a(5)); dt != "" {
		c.OnsetDateTime = &dt
	}
	c.RecordedDate = r.dateTime(s.Field(19), a(19))
	c.Asserter = r.xcn(s.Field(16).Rep(1), a(16)).reference()
	var key []string
	if id, auth, ok := r.ei(s.Field(20).Rep(1), ""); ok {
		c.Identifier = []fhir.Identifier{id}
		key = []string{"DG1-20", id.Value, auth.key()}
	}
	if key == nil {
		owner := pat.id
		if enc.url != "" {
			owner = enc.url
		}
		sys, cd := "", cc.Text
		if len(cc.Coding) > 0 {
			sys, cd = cc.Coding[0].System, cc.Coding[0].Code
		}
		key = []string{owner, sys, cd}
	}
	id := r.ident("Condition", key...)
	c.ID = id.id
	x := r.add(id, c)
	if e == nil {
		return
	}
	d := fhir.EncounterDiagnosis{Condition: x.reference(), Use: r.codeableVia(s.Field(6).Rep(1), diagnosisType)}
	if rank := text(s.Field(15)); allDigits(rank) && len(rank) < 6 && atoi(rank) > 0 {
		d.Rank = atoi(rank)
	}
	e.Diagnosis = append(e.Diagnosis, d)
}
