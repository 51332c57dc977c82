package mappings

// The ADT vocabularies (NK1, AL1, DG1, IN1, PV1/PV2 depth), as data in the
// form vocab.go documents. They live apart from vocab.go so that ADT and ORU
// work do not edit one file.

// FHIR code systems of the ADT tables.
const (
	sysRoleCode              = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
	sysActPriority           = "http://terminology.hl7.org/CodeSystem/v3-ActPriority"
	sysAllergyCategory       = "http://hl7.org/fhir/allergy-intolerance-category"
	sysAllergyType           = "http://hl7.org/fhir/allergy-intolerance-type"
	sysAllergyCriticality    = "http://hl7.org/fhir/allergy-intolerance-criticality"
	sysReactionSeverity      = "http://hl7.org/fhir/reaction-event-severity"
	sysAllergyClinical       = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
	sysAllergyVerification   = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
	sysConditionClinical     = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	sysConditionVerification = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	sysConditionCategory     = "http://terminology.hl7.org/CodeSystem/condition-category"
	sysDiagnosisRole         = "http://terminology.hl7.org/CodeSystem/diagnosis-role"
	sysSubscriberRelation    = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
	sysCoverageClass         = "http://terminology.hl7.org/CodeSystem/coverage-class"
	sysSNOMED                = "http://snomed.info/sct"
)

// admissionType is PV1-4 → Encounter.type (US Core requires a type; see
// pv1.go for the default when PV1-4 is empty).
var admissionType = newTable("HL7 table 0007 Admission Type",
	"IG concept map AdmissionType", sysV2Prefix+"0007", []row{
		{"A", "A", "Accident", ""},
		{"E", "E", "Emergency", ""},
		{"L", "L", "Labor and Delivery", ""},
		{"R", "R", "Routine", ""},
		{"N", "N", "Newborn (Birth in healthcare facility)", ""},
		{"U", "U", "Urgent", ""},
		{"C", "C", "Elective", ""},
	})

// encounterPriority is PV2-25 → Encounter.priority.
var encounterPriority = newTable("HL7 table 0217 Visit Priority Code",
	"IG concept map EncounterPriority", sysActPriority, []row{
		{"1", "EM", "emergency", ""},
		{"2", "UR", "urgent", ""},
		{"3", "EL", "elective", ""},
	})

// modeOfArrival is PV2-38 → the encounter-modeOfArrival extension.
var modeOfArrival = newTable("HL7 table 0430 Mode of Arrival Code",
	"IG concept map ModeOfArrivalCode", sysV2Prefix+"0430", []row{
		{"A", "A", "Ambulance", ""},
		{"C", "C", "Car", ""},
		{"F", "F", "On foot", ""},
		{"H", "H", "Helicopter", ""},
		{"P", "P", "Public Transport", ""},
		{"O", "O", "Other", ""},
		{"U", "U", "Unknown", ""},
	})

// relationship is NK1-3 → RelatedPerson.relationship and
// Patient.contact.relationship.
var relationship = newTable("HL7 table 0063 Relationship",
	"IG concept map Relationship", sysRoleCode, []row{
		{"SEL", "ONESELF", "self", ""},
		{"SPO", "SPS", "spouse", ""},
		{"DOM", "SIGOTHR", "significant other", ""},
		{"CHD", "CHILD", "child", ""},
		{"GCH", "GRNDCHILD", "grandchild", ""},
		{"NCH", "NCHILD", "natural child", ""},
		{"SCH", "STPCHLD", "step child", ""},
		{"FCH", "CHLDFOST", "foster child", ""},
		{"DEP", "DEP", "Handicapped dependent", sysV2Prefix + "0063"},
		{"WRD", "WRD", "Ward of court", sysV2Prefix + "0063"},
		{"PAR", "PRN", "parent", ""},
		{"MTH", "MTH", "mother", ""},
		{"FTH", "FTH", "father", ""},
		{"CGV", "CGV", "Care giver", sysV2Prefix + "0063"},
		{"GRD", "GRD", "Guardian", sysV2Prefix + "0063"},
		{"GRP", "GRPRN", "grandparent", ""},
		{"EXF", "EXT", "extended family member", ""},
		{"SIB", "SIB", "sibling", ""},
		{"BRO", "BRO", "brother", ""},
		{"SIS", "SIS", "sister", ""},
		{"FND", "FRND", "unrelated friend", ""},
		{"OAD", "OAD", "Other adult", sysV2Prefix + "0063"},
		{"EME", "EME", "Employee", sysV2Prefix + "0063"},
		{"EMR", "E", "Employer", sysV2Prefix + "0131"},
		{"ASC", "ASC", "Associate", sysV2Prefix + "0063"},
		{"EMC", "C", "Emergency Contact", sysV2Prefix + "0131"},
		{"OWN", "OWN", "Owner", sysV2Prefix + "0063"},
		{"TRA", "TRA", "Trainer", sysV2Prefix + "0063"},
		{"MGR", "MGR", "Manager", sysV2Prefix + "0063"},
		{"NON", "NON", "None", sysV2Prefix + "0063"},
		{"UNK", "U", "Unknown", sysV2Prefix + "0131"},
		{"OTH", "O", "Other", sysV2Prefix + "0131"},
	})

// contactRole is NK1-7 → the second relationship.
var contactRole = newTable("HL7 table 0131 Contact Role",
	"IG concept map ContactRole", sysV2Prefix+"0131", []row{
		{"E", "E", "Employer", ""},
		{"C", "C", "Emergency Contact", ""},
		{"F", "F", "Federal Agency", ""},
		{"I", "I", "Insurance Company", ""},
		{"N", "N", "Next-of-Kin", ""},
		{"S", "S", "State Agency", ""},
		{"O", "O", "Other", ""},
		{"U", "U", "Unknown", ""},
	})

// contactOnly are the NK1-3 codes (tables 0063 and 0131 mixed, as the IG's
// ADT_A01 message map lists them) that name an organisation or agency
// rather than a person: they become Patient.contact only, never a
// RelatedPerson.
var contactOnly = map[string]bool{"EMR": true, "E": true, "F": true, "I": true, "S": true}

// subscriberRelationship is IN1-17 (insured's relationship to the patient)
// → Coverage.relationship (the beneficiary's relationship to the
// subscriber). The IG points IN1-17 at its Relationship map (v3 RoleCode),
// but Coverage.relationship binds (extensible) to subscriber-relationship;
// decision: map to that value set, inverting the direction the two fields
// are read in: an insured who is the patient's mother (MTH) makes the
// patient the subscriber's child. Codes without an obvious inverse give
// "other"; the v2 coding is kept beside it (viaTable is not used: the
// original code is a second coding, see in1.go).
var subscriberRelationship = newTable("HL7 table 0063 Relationship",
	"decision (IN1-17 inverted onto subscriber-relationship); IG concept map Relationship for the v2 side", sysSubscriberRelation, []row{
		{"SEL", "self", "Self", ""},
		{"SPO", "spouse", "Spouse", ""},
		{"DOM", "common", "Common Law Spouse", ""},
		{"PAR", "child", "Child", ""},
		{"MTH", "child", "Child", ""},
		{"FTH", "child", "Child", ""},
		{"CHD", "parent", "Parent", ""},
		{"NCH", "parent", "Parent", ""},
		{"SCH", "parent", "Parent", ""},
		{"FCH", "parent", "Parent", ""},
		{"GRD", "child", "Child", ""},
		{"EME", "other", "Other", ""},
		{"EMR", "other", "Other", ""},
		{"OTH", "other", "Other", ""},
		{"GCH", "other", "Other", ""},
		{"GRP", "other", "Other", ""},
		{"SIB", "other", "Other", ""},
		{"BRO", "other", "Other", ""},
		{"SIS", "other", "Other", ""},
		{"EXF", "other", "Other", ""},
		{"DEP", "other", "Other", ""},
		{"WRD", "other", "Other", ""},
		{"CGV", "other", "Other", ""},
		{"FND", "other", "Other", ""},
		{"OAD", "other", "Other", ""},
		{"ASC", "other", "Other", ""},
		{"OWN", "other", "Other", ""},
		{"TRA", "other", "Other", ""},
		{"MGR", "other", "Other", ""},
	})

// allergenCategory is AL1-2 → AllergyIntolerance.category. MA and MC
// (miscellaneous allergy, contraindication) have no category in the IG:
// none is set.
var allergenCategory = newTable("HL7 table 0127 Allergen Type",
	"IG concept map AllergenType[AllergyIntoleranceCategory]", sysAllergyCategory, []row{
		{"DA", "medication", "Medication", ""},
		{"FA", "food", "Food", ""},
		{"EA", "environment", "Environment", ""},
		{"AA", "biologic", "Biologic", ""},
		{"PA", "environment", "Environment", ""},
		{"LA", "environment", "Environment", ""},
	})

// allergyType is AL1-2 → AllergyIntolerance.type. MC (contraindication)
// has no type in the IG: none is set.
var allergyType = newTable("HL7 table 0127 Allergen Type",
	"IG concept map AllergyType", sysAllergyType, []row{
		{"DA", "allergy", "Allergy", ""},
		{"FA", "allergy", "Allergy", ""},
		{"MA", "allergy", "Allergy", ""},
		{"EA", "allergy", "Allergy", ""},
		{"AA", "allergy", "Allergy", ""},
		{"PA", "allergy", "Allergy", ""},
		{"LA", "allergy", "Allergy", ""},
	})

// allergyCriticality is AL1-4 → AllergyIntolerance.criticality, the IG's
// default reading of AL1-4. U → unable-to-assess is a decision (the IG
// leaves U and MO unmapped; MO goes to reaction.severity only).
var allergyCriticality = newTable("HL7 table 0128 Allergy Severity",
	"IG concept map AllergySeverity[AllergyIntolerance.criticality]; U: decision", sysAllergyCriticality, []row{
		{"SV", "high", "High Risk", ""},
		{"MI", "low", "Low Risk", ""},
		{"U", "unable-to-assess", "Unable to Assess Risk", ""},
	})

// reactionSeverity is AL1-4 → AllergyIntolerance.reaction.severity, set on
// the reactions of AL1-5 (a reaction needs a manifestation in R4).
var reactionSeverity = newTable("HL7 table 0128 Allergy Severity",
	"IG concept map AllergySeverity[AllergyIntolerance.reaction.severity]", sysReactionSeverity, []row{
		{"SV", "severe", "Severe", ""},
		{"MO", "moderate", "Moderate", ""},
		{"MI", "mild", "Mild", ""},
	})

// diagnosisType is DG1-6 → Encounter.diagnosis.use. W (working) and F
// (final) have no diagnosis-role code in the IG: they keep their v2-0052
// coding.
var diagnosisType = newTable("HL7 table 0052 Diagnosis Type",
	"IG concept map DiagnosisType", sysDiagnosisRole, []row{
		{"A", "AD", "Admission diagnosis", ""},
	})

// procedureFunction gives Procedure.performer.function for the PR1
// practitioners, as the PR1[Procedure] map assigns them (SNOMED CT).
// PR1-12 (procedure practitioner) gets none: the IG gives no default.
var procedureFunction = map[int]concept{
	8:  {sysSNOMED, "88189002", "Anesthesiologist"},
	11: {sysSNOMED, "304292004", "Surgeon"},
}

// participationADT adds to participation (vocab.go) the PV1 field the
// PV1[Encounter] map gives a type beyond the four doctors: PV1-52 other
// healthcare provider.
var participationADT = map[int]concept{
	52: {sysParticipationType, "PART", "Participation"},
}

// conditionVerification is DG1-6 → Condition.verificationStatus. The IG
// maps none (only DG1-21 D → entered-in-error); decision: an admitting or
// working diagnosis is provisional, a final one confirmed. Other types
// give unconfirmed (dg1.go).
var conditionVerification = newTable("HL7 table 0052 Diagnosis Type",
	"decision (the IG's DG1 maps set no verificationStatus from DG1-6)", sysConditionVerification, []row{
		{"A", "provisional", "Provisional", ""},
		{"W", "provisional", "Provisional", ""},
		{"F", "confirmed", "Confirmed", ""},
	})

// providerRoles are the codes of HL7 table 0443 (provider role), as the
// IG's ProviderRole concept map lists them. A patient-group ROL with one of
// them other than PP is a member of the patient's CareTeam (careteam.go);
// the codes keep their v2 coding (the concept map has FHIR codes for few).
var providerRoles = map[string]bool{
	"AD": true, "AI": true, "AP": true, "AT": true, "CLP": true, "CP": true, "DP": true,
	"EP": true, "FHCP": true, "IP": true, "MDIR": true, "OP": true, "PH": true, "PI": true,
	"PP": true, "RO": true, "RP": true, "RT": true, "TN": true, "TR": true, "VP": true,
	"VPS": true, "VTS": true,
}

// careTeamParticipations are the PRT-4 codes (table 0912) the IG's ADT_A01
// message map sends from the patient group to PRT[CareTeam]; PP among
// them, which the message map also sends to the general practitioner.
var careTeamParticipations = map[string]bool{
	"AD": true, "AP": true, "ARI": true, "AT": true, "CP": true, "FHCP": true, "OP": true,
	"PH": true, "PP": true, "PRI": true, "RP": true, "RT": true, "VP": true, "PO": true,
}
