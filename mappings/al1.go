package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// al1 maps an AL1 segment (the n-th) to an AllergyIntolerance after the
// IG's AL1[AllergyIntolerance] map:
//   - clinicalStatus active (IG: ait-1 needs it, and AL1 cannot say
//     entered-in-error);
//   - verificationStatus unconfirmed: decision (the IG sets none; US Core
//     wants it). AL1 carries no verification, and claiming "confirmed"
//     for a reported allergy would overstate it; senders who verify use
//     IAM;
//   - category from AL1-2 (table 0127 → food, medication, environment,
//     biologic), type from AL1-2 (allergy); MA and MC have no category, and
//     the IG's alternate-codes extension with the original code is left
//     out (it would need the "_category" primitive extension array);
//   - code AL1-3 (CWE; required by US Core: an AL1 without AL1-3 is
//     skipped with a warning, an allergy to nothing named is not one);
//   - criticality from AL1-4 (table 0128, the IG's default reading: SV
//     high, MI low; U unable-to-assess is a decision);
//   - reaction: one, whose manifestations are the AL1-5 repetitions (as
//     text) and whose severity is AL1-4 (SV severe, MO moderate, MI mild);
//   - onsetDateTime AL1-6; patient the PID's Patient.
//
// Its id (decision; AL1-1 is a position): the patient's id with AL1-2 and
// AL1-3's first coding (system and code, else its text) as sent, so an A08
// resending the allergy list updates the same resources.
func (r *run) al1(s *hl7.Segment, n int, pat patient) {
	a := func(field int) at { return at{"AL1", n, field} }
	code3 := r.codeable(s.Field(3).Rep(1), "")
	if code3 == nil {
		r.warn(a(3), "no allergen code: AL1 skipped")
		return
	}
	ai := &fhir.AllergyIntolerance{
		ClinicalStatus:     conceptCC(concept{sysAllergyClinical, "active", "Active"}),
		VerificationStatus: conceptCC(concept{sysAllergyVerification, "unconfirmed", "Unconfirmed"}),
		Code:               code3,
		Patient:            pat.ref.reference(),
	}
	typ := code(s.Field(2).Component(1))
	if k, ok := allergenCategory.lookup(typ); ok {
		ai.Category = []string{k.Code}
	}
	if k, ok := allergyType.lookup(typ); ok {
		ai.Type = k.Code
	}
	sev := code(s.Field(4).Component(1))
	if k, ok := allergyCriticality.lookup(sev); ok {
		ai.Criticality = k.Code
	}
	var one [1]hl7.Value
	var rx fhir.AllergyIntoleranceReaction
	for _, rep := range r.reps(s.Field(5), &one) {
		if t := text(rep); t != "" {
			rx.Manifestation = append(rx.Manifestation, fhir.CodeableConcept{Text: t})
		}
	}
	if rx.Manifestation != nil {
		if k, ok := reactionSeverity.lookup(sev); ok {
			rx.Severity = k.Code
		}
		ai.Reaction = []fhir.AllergyIntoleranceReaction{rx}
	} else if _, crit := allergyCriticality.lookup(sev); sev != "" && !crit {
		r.warn(a(4), "severity has no criticality and there is no reaction (AL1-5) to carry it: left out")
	}
	if dt := r.dateTime(s.Field(6), a(6)); dt != "" {
		ai.OnsetDateTime = &dt
	}
	sys, cd := "", code3.Text
	if len(code3.Coding) > 0 {
		sys, cd = code3.Coding[0].System, code3.Coding[0].Code
	}
	id := r.uniqueIdent("AllergyIntolerance", pat.id, typ, sys, cd)
	ai.ID = id.id
	r.add(id, ai)
}
