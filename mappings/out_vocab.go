package mappings

import "github.com/switchboard-hl7/switchboard/fhir"

// The inbound vocabularies reversed for write-back: FHIR code → HL7 v2
// code. Where several v2 codes map to one FHIR code, the row says which is
// sent; where a FHIR code has no v2 code the inbound table would map back
// to it, the choice is marked "decision" and TestOutVocab_RoundTrip holds
// the others to the inbound tables.

// outGender is Patient.gender → PID-8 (administrativeSex reversed).
var outGender = map[string]string{"male": "M", "female": "F", "other": "O", "unknown": "U"}

// outObservationStatus is Observation.status → OBX-11 (observationStatus
// reversed): registered → I (specimen in lab, result pending), amended →
// A, entered-in-error → W (post original as wrong). unknown has no code in
// table 0085: OBX-11 is left empty (decision: no code says "unknown", and
// inventing one would state something the app did not).
var outObservationStatus = map[string]string{
	"registered": "I", "preliminary": "P", "final": "F", "amended": "A", "corrected": "C",
	"cancelled": "X", "entered-in-error": "W",
}

// outReportStatus is DiagnosticReport.status → OBR-25 (resultStatus
// reversed): registered → I, partial → A. Decisions: amended and appended
// → C (correction, the only v2 status for a changed report);
// entered-in-error → X (table 0123 cannot retract a report; X, no results,
// is the nearest, and reads back as cancelled); unknown → empty.
var outReportStatus = map[string]string{
	"registered": "I", "partial": "A", "preliminary": "P", "final": "F",
	"amended": "C", "corrected": "C", "appended": "C", "cancelled": "X", "entered-in-error": "X",
}

// outOrderStatus is ServiceRequest.status → ORC-5 (orderStatus reversed):
// active → IP (in process), revoked → CA. draft and unknown have no
// table 0038 code: ORC-5 stays empty.
var outOrderStatus = map[string]string{
	"active": "IP", "on-hold": "HD", "revoked": "CA", "completed": "CM", "entered-in-error": "ER",
}

// outOrderControl is ServiceRequest.status → ORC-1 of an order message
// (table 0119): active → NW (new order), on-hold → HD (hold request),
// revoked and entered-in-error → CA (cancel request), completed → SC
// (status changed). Decision: draft and unknown are not orders an EHR
// can act on, and are rejected.
var outOrderControl = map[string]string{
	"active": "NW", "on-hold": "HD", "revoked": "CA", "entered-in-error": "CA", "completed": "SC",
}

// outOrderIntents are the ServiceRequest.intent values sent as orders.
// Decision: proposal, plan, directive and option are not orders, and an
// order message would make the EHR place one; they are rejected.
var outOrderIntents = map[string]bool{
	"order": true, "original-order": true, "reflex-order": true, "filler-order": true, "instance-order": true,
}

// outAllergenType is AllergyIntolerance.category → AL1-2 / IAM-2 (table
// 0127, allergenCategory reversed). Without a category: MA (miscellaneous
// allergy).
var outAllergenType = map[string]string{"medication": "DA", "food": "FA", "environment": "EA", "biologic": "AA"}

// outAllergySeverity is AllergyIntolerance.criticality → AL1-4 / IAM-4
// (table 0128, allergyCriticality reversed); without a criticality the
// most severe reaction.severity is sent (reactionSeverity reversed).
var outAllergySeverity = map[string]string{"high": "SV", "low": "MI", "unable-to-assess": "U"}

var outReactionSeverity = map[string]string{"severe": "SV", "moderate": "MO", "mild": "MI"}

// outAllergyClinicalStatus is the AllergyIntolerance status → IAM-17
// (table 0438): verificationStatus confirmed → C, unconfirmed → U,
// refuted and entered-in-error → E (erroneous); clinicalStatus inactive
// or resolved → I, which wins over the verification.
var outAllergyVerification = map[string]string{
	"confirmed": "C", "unconfirmed": "U", "refuted": "E", "entered-in-error": "E",
}

// outPatientClass is Encounter.class → PV1-2 (patientClass reversed; a
// v2-0004 code as is). Anything else is U (decision: PV1-2 is required).
var outPatientClass = map[string]string{"EMER": "E", "IMP": "I", "AMB": "O", "PRENC": "P", "ACUTE": "I", "NONAC": "I", "OBSENC": "O"}

// outDocCompletion is DocumentReference.docStatus → TXA-17 (table 0271):
// preliminary → IP (in progress), final and amended → AU (authenticated).
// Decision: without a docStatus DO (documented), the status that claims
// nothing about authentication.
var outDocCompletion = map[string]string{"preliminary": "IP", "final": "AU", "amended": "AU", "entered-in-error": "DO"}

// outDocAvailability is DocumentReference.status → TXA-19 (table 0273):
// current → AV, superseded → OB (obsolete), entered-in-error → CA.
var outDocAvailability = map[string]string{"current": "AV", "superseded": "OB", "entered-in-error": "CA"}

// outInterpretation is an interpretation coding → OBX-8 (table 0078): the
// inbound interpretation table reversed, its v3 and v2 codes being the
// same. It reports false for codings of other systems.
func outInterpretation(c *fhir.Coding) (string, bool) {
	if c.System != sysInterpretation && c.System != sysV2Prefix+"0078" {
		return "", false
	}
	if k, ok := interpretation.lookup(c.Code); ok && k.Code == c.Code {
		return c.Code, true
	}
	return "", false
}
