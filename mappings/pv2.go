package mappings

import (
	"encoding/json"
	"html"
	"strconv"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// pv2 adds a PV2 segment (the n-th) to the visit's Encounter after the
// IG's PV2[Encounter] map:
//   - location: PV2-1 prior pending location (planned);
//   - reasonCode: PV2-3 admit reason (no table: as sent);
//   - PV2-8 expected admit and PV2-9 expected discharge date/time as the R5
//     cross-version extensions plannedStartDate and plannedEndDate the IG
//     names (decision: their URLs spelled as the R5 extension pack has
//     them; the IG's PV2-9 row has a typo, "v\5.0");
//   - length: PV2-11 actual length of stay, in days (UCUM d);
//   - text: PV2-12 visit description as the narrative (IG:
//     Encounter.text.div), escaped into one XHTML div, status additional
//     (decision: the text says more than the structured elements);
//   - participant: PV2-13 referral source (REF);
//   - priority: PV2-25 through table 0217;
//   - the encounter-modeOfArrival extension from PV2-38 (table 0430).
//
// PV2-22 (visit protection) is left out with the other security labels.
func (r *run) pv2(s *hl7.Segment, n int, e *fhir.Encounter) {
	if e == nil {
		return
	}
	r.sawSegment(s, e.ID)
	a := func(field int) at { return at{"PV2", n, field} }
	if loc := r.pl(s.Field(1).Rep(1)).reference(); loc != nil {
		addLocation(e, fhir.EncounterLocation{Location: loc, Status: "planned"})
	}
	e.ReasonCode = append(e.ReasonCode, r.codeableList(s.Field(3), nil, "")...)
	if t := text(s.Field(12)); t != "" {
		e.Text = &fhir.Narrative{Status: "additional", Div: `<div xmlns="http://www.w3.org/1999/xhtml">` + html.EscapeString(t) + `</div>`}
	}
	if dt := r.dateTime(s.Field(8), a(8)); dt != "" {
		e.Extension = append(e.Extension, fhir.Extension{URL: extPlannedStart, ValueDateTime: &dt})
	}
	if dt := r.dateTime(s.Field(9), a(9)); dt != "" {
		e.Extension = append(e.Extension, fhir.Extension{URL: extPlannedEnd, ValueDateTime: &dt})
	}
	if d := text(s.Field(11)); d != "" {
		if allDigits(d) && len(d) < 6 {
			e.Length = &fhir.Quantity{Value: json.Number(strconv.Itoa(atoi(d))), Unit: "days", System: sysUCUM, Code: "d"}
		} else {
			r.warn(a(11), "length of stay is not a whole number of days: skipped")
		}
	}
	var one [1]hl7.Value
	for _, rep := range r.reps(s.Field(13), &one) {
		if ind := r.xcn(rep, a(13)).reference(); ind != nil {
			addParticipant(e, fhir.EncounterParticipant{
				Type: []fhir.CodeableConcept{*conceptCC(participation[8])}, Individual: ind,
			})
		}
	}
	e.Priority = r.codeableVia(s.Field(25).Rep(1), encounterPriority)
	if c := r.codeableVia(s.Field(38).Rep(1), modeOfArrival); c != nil && len(c.Coding) > 0 {
		cd := c.Coding[0]
		e.Extension = append(e.Extension, fhir.Extension{URL: extModeOfArrival, ValueCoding: &cd})
	}
}

// Extension URLs of the ADT maps.
const (
	extPlannedStart  = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Encounter.plannedStartDate"
	extPlannedEnd    = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Encounter.plannedEndDate"
	extModeOfArrival = "http://hl7.org/fhir/StructureDefinition/encounter-modeOfArrival"
	extDisability    = "http://hl7.org/fhir/StructureDefinition/patient-disability"
	extCongregation  = "http://hl7.org/fhir/StructureDefinition/patient-congregation"
	extAssertedDate  = "http://hl7.org/fhir/StructureDefinition/condition-assertedDate"
)
