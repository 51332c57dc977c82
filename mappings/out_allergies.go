package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
)

// allergies builds ADT^A60 (structure ADT_A60: update allergy information)
// from an AllergyIntolerance.
//
// Segments: MSH EVN PID [PV1] IAM from v2.4 on; before v2.4 AL1 in place
// of IAM (decision: A60 and IAM came with v2.4, and an older interface
// gets the segment it knows).
//
// IAM: IAM-2 allergen type (table 0127 from category, MA without one),
// IAM-3 the code (required: an allergy to nothing named is rejected, as
// the inbound AL1 map skips one), IAM-4 severity (table 0128 from
// criticality, else the most severe reaction), IAM-5 the reactions'
// manifestations (text, else display, else code), IAM-6 action code
// (table 0323: D for entered-in-error; decision: U when the allergy has an
// identifier, IAM-7, the EHR can match, else A), IAM-7 the first
// identifier, IAM-11 onset date, IAM-12 onsetString, IAM-13 recordedDate,
// IAM-17 clinical status (table 0438, see outAllergyVerification). AL1
// carries IAM-2 to IAM-5 in AL1-2 to AL1-5, and the onset in AL1-6.
// EVN-6 is recordedDate.
func (q *outReq) allergies() error {
	ai := q.focus.(*fhir.AllergyIntolerance)
	if !hasCode(ai.Code) {
		return invalid("AllergyIntolerance has no code (IAM-3/AL1-3)")
	}
	pat, err := q.patientOf(ai.Patient, "AllergyIntolerance.patient")
	if err != nil {
		return err
	}
	typ := "MA"
	for _, c := range ai.Category {
		if t, ok := outAllergenType[c]; ok {
			typ = t
			break
		}
	}
	sev := ""
	if ai.Criticality != "" {
		var ok bool
		if sev, ok = outAllergySeverity[ai.Criticality]; !ok {
			return invalid("AllergyIntolerance.criticality is not an allergy-intolerance-criticality code")
		}
	} else {
		rank := map[string]int{"MI": 1, "MO": 2, "SV": 3}
		for _, r := range ai.Reaction {
			if s := outReactionSeverity[r.Severity]; rank[s] > rank[sev] {
				sev = s
			}
		}
	}
	var reactions []string
	for _, r := range ai.Reaction {
		for _, m := range r.Manifestation {
			if t := conceptText(&m); t != "" {
				reactions = append(reactions, v2Esc(t))
			}
		}
	}
	onset := ""
	if ai.OnsetDateTime != nil {
		if onset, err = dtmDate(*ai.OnsetDateTime, "AllergyIntolerance.onsetDateTime"); err != nil {
			return err
		}
	} else if ai.OnsetPeriod != nil {
		if onset, err = dtmDate(ai.OnsetPeriod.Start, "AllergyIntolerance.onsetPeriod.start"); err != nil {
			return err
		}
	}
	recorded, err := dtmField(ai.RecordedDate, "AllergyIntolerance.recordedDate")
	if err != nil {
		return err
	}

	q.msh("ADT", "A60", "ADT_A60")
	q.evn("A60", recorded)
	if err := q.pid(pat); err != nil {
		return err
	}
	if err := q.pv1(ai, ai.Encounter, false); err != nil {
		return err
	}
	s := v2Seg{}
	s.set(1, "1")
	s.set(2, v2Join('^', typ, allergenTypeDisplay[typ], "HL70127"))
	s.set(3, q.o.cwe(ai.Code))
	if sev != "" {
		s.set(4, v2Join('^', sev, allergySeverityDisplay[sev], "HL70128"))
	}
	s.set(5, joinReps(reactions))
	if !q.o.v24 {
		s.set(6, onset)
		q.add("AL1", &s)
		return nil
	}
	var id *fhir.Identifier
	for i := range ai.Identifier {
		if ai.Identifier[i].Value != "" {
			id = &ai.Identifier[i]
			break
		}
	}
	verification, clinical := "", ""
	if cc := ai.VerificationStatus; cc != nil && len(cc.Coding) > 0 {
		verification = cc.Coding[0].Code
	}
	if cc := ai.ClinicalStatus; cc != nil && len(cc.Coding) > 0 {
		clinical = cc.Coding[0].Code
	}
	action := "A"
	switch {
	case verification == "entered-in-error":
		action = "D"
	case id != nil:
		action = "U"
	}
	s.set(6, v2Join('^', action, allergyActionDisplay[action], "HL70323"))
	s.set(7, q.o.ei(id))
	s.set(11, onset)
	if ai.OnsetString != nil {
		s.set(12, v2Esc(*ai.OnsetString))
	}
	s.set(13, recorded)
	status := outAllergyVerification[verification]
	if clinical == "inactive" || clinical == "resolved" {
		status = "I"
	}
	if status != "" {
		s.set(17, v2Join('^', status, allergyStatusDisplay[status], "HL70438"))
	}
	q.add("IAM", &s)
	return nil
}

// conceptText is a concept as one line of text: its text, else the first
// display, else the first code.
func conceptText(cc *fhir.CodeableConcept) string {
	if cc.Text != "" {
		return cc.Text
	}
	for _, c := range cc.Coding {
		if c.Display != "" {
			return c.Display
		}
	}
	for _, c := range cc.Coding {
		if c.Code != "" {
			return c.Code
		}
	}
	return ""
}

// Displays of the v2 tables ADT^A60 sends.
var (
	allergenTypeDisplay = map[string]string{
		"DA": "Drug allergy", "FA": "Food allergy", "EA": "Environmental allergy",
		"AA": "Animal allergy", "MA": "Miscellaneous allergy",
	}
	allergySeverityDisplay = map[string]string{"SV": "Severe", "MO": "Moderate", "MI": "Mild", "U": "Unknown"}
	allergyActionDisplay   = map[string]string{"A": "Add/Insert", "D": "Delete", "U": "Update"}
	allergyStatusDisplay   = map[string]string{
		"C": "Confirmed or verified", "U": "Unconfirmed", "E": "Erroneous", "I": "Inactive",
	}
)
