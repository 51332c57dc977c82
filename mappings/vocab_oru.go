package mappings

// Vocabularies of the ORU^R01 map (ORC, OBR, SPM, OBX depth, US Core), as
// data, in the form vocab.go describes. Kept apart from vocab.go so the
// ADT and ORU work merge without touching the same tables.

// FHIR code systems and profiles the ORU tables use.
const (
	sysRequestStatus       = "http://hl7.org/fhir/request-status"
	sysSpecimenStatus      = "http://hl7.org/fhir/specimen-status"
	sysLOINC               = "http://loinc.org"
	sysProvenanceActivity  = "http://hl7.org/fhir/uv/v2mappings/CodeSystem/provenance-activity-type-v2-to-fhir"
	sysProvenanceAgentType = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
	extAnalysisDateTime    = "http://hl7.org/fhir/StructureDefinition/observation-analysis-date-time"
	extNatureOfAbnormal    = "http://hl7.org/fhir/StructureDefinition/observation-nature-of-abnormal-test"
	extEventPerformerFn    = "http://hl7.org/fhir/StructureDefinition/event-performerFunction"
)

// orderStatus is ORC-5 → ServiceRequest.status.
var orderStatus = newTable("HL7 table 0038 Order Status",
	"IG concept map OrderStatus", sysRequestStatus, []row{
		{"CA", "revoked", "Revoked", ""},
		{"CM", "completed", "Completed", ""},
		{"DC", "revoked", "Revoked", ""},
		{"ER", "entered-in-error", "Entered in Error", ""},
		{"HD", "on-hold", "On Hold", ""},
		{"IP", "active", "Active", ""},
		{"RP", "revoked", "Revoked", ""},
		{"SC", "active", "Active", ""},
	})

// orderControl is ORC-1 → ServiceRequest.status when ORC-5 is empty. Only
// the codes the IG maps are here: RE (observations to follow, the ORC-1 of
// nearly every ORU), SC, NA and the other unmapped codes fall through to
// the result status (see orderStatusFromResult).
var orderControl = newTable("HL7 table 0119 Order Control Codes",
	"IG concept map OrderControlCode[ServiceRequest.status]", sysRequestStatus, []row{
		{"AF", "active", "Active", ""},
		{"CA", "active", "Active", ""},
		{"CR", "revoked", "Revoked", ""},
		{"DC", "revoked", "Revoked", ""},
		{"DF", "revoked", "Revoked", ""},
		{"DR", "revoked", "Revoked", ""},
		{"FU", "completed", "Completed", ""},
		{"HD", "active", "Active", ""},
		{"HR", "on-hold", "On Hold", ""},
		{"NW", "active", "Active", ""},
		{"OC", "revoked", "Revoked", ""},
		{"OD", "revoked", "Revoked", ""},
		{"OH", "on-hold", "On Hold", ""},
		{"OK", "active", "Active", ""},
		{"PR", "active", "Active", ""},
		{"PY", "active", "Active", ""},
		{"RL", "active", "Active", ""},
		{"RO", "active", "Active", ""},
		{"RQ", "active", "Active", ""},
	})

// orderStatusFromResult is OBR-25 → ServiceRequest.status when neither
// ORC-5 nor ORC-1 gives one. Decision (the IG has no such map): a final or
// corrected result completes the order, a cancelled one revokes it, and any
// other result status means the order is still being worked on. Without
// any of them the status is "unknown" (status is required).
var orderStatusFromResult = newTable("HL7 table 0123 Result Status",
	"decision: no IG concept map", sysRequestStatus, []row{
		{"F", "completed", "Completed", ""},
		{"C", "completed", "Completed", ""},
		{"X", "revoked", "Revoked", ""},
		{"O", "active", "Active", ""},
		{"I", "active", "Active", ""},
		{"S", "active", "Active", ""},
		{"A", "active", "Active", ""},
		{"P", "active", "Active", ""},
		{"R", "active", "Active", ""},
		{"M", "active", "Active", ""},
		{"N", "active", "Active", ""},
	})

// specimenAvailability is SPM-20 → Specimen.status.
var specimenAvailability = newTable("HL7 table 0136 Yes/No Indicator",
	"IG concept map YesNoIndicator[AvailabilityStatus]", sysSpecimenStatus, []row{
		{"Y", "available", "Available", ""},
		{"N", "unavailable", "Unavailable", ""},
	})

// Tables whose IG concept maps are identities onto the v2 code systems:
// the CWE map with these as default tables gives the same codings.
const (
	tableSpecimenType      = "0487" // SPM-4, IG concept map SpecimenType
	tableCollectionMethod  = "0488" // SPM-7, IG SpecimenCollectionMethod
	tableSpecimenCondition = "0493" // SPM-24, IG SpecimenCondition
	tableAdditive          = "0371" // SPM-6, IG AdditivePreservative
	tableContainerType     = "0785" // SPM-27 (decision: v2.8+ table)
	tableNatureOfAbnormal  = "0080" // OBX-10, IG NatureOfAbnormalTesting
)

// labSection reports whether an OBR-24 section (table 0074) is a
// laboratory one, whose reports US Core's DiagnosticReport for Laboratory
// Results profile requires to carry category LAB. Decision: every section
// but imaging (imagingSections) and the clinical services below, which
// are neither laboratory nor imaging.
func labSection(section string) bool {
	return !imagingSections[section] && !nonLabSections[section]
}

// nonLabSections are the table 0074 sections that are neither laboratory
// nor imaging (decision: their reports get only their own section).
var nonLabSections = map[string]bool{
	"AU": true, "CTH": true, "EC": true, "EN": true, "ICU": true, "NRS": true,
	"OT": true, "PF": true, "PHR": true, "PHY": true, "PT": true, "RC": true, "RT": true,
}

// vitalSign is a US Core 6.1 vital-signs profile, by the LOINC code its
// Observation.code must carry, with the UCUM units the profile allows
// (the first is what a unit-less value would mean, not used to guess).
type vitalSign struct {
	profile string
	display string
	units   []string
}

// vitalSigns are the LOINC codes of the US Core 6.1 vital-signs profiles
// (FHIR R4 vital signs, US Core pediatric and pulse oximetry profiles). An
// OBX whose OBX-3 carries one becomes a vital-signs Observation: category
// vital-signs instead of laboratory, and units through ucumUnits.
var vitalSigns = map[string]vitalSign{
	"85354-9": {"us-core-blood-pressure", "Blood pressure panel with all children optional", []string{"mm[Hg]"}},
	"8480-6":  {"us-core-blood-pressure", "Systolic blood pressure", []string{"mm[Hg]"}},
	"8462-4":  {"us-core-blood-pressure", "Diastolic blood pressure", []string{"mm[Hg]"}},
	"8867-4":  {"us-core-heart-rate", "Heart rate", []string{"/min"}},
	"9279-1":  {"us-core-respiratory-rate", "Respiratory rate", []string{"/min"}},
	"8310-5":  {"us-core-body-temperature", "Body temperature", []string{"Cel", "[degF]"}},
	"29463-7": {"us-core-body-weight", "Body weight", []string{"kg", "g", "[lb_av]", "[oz_av]"}},
	"8302-2":  {"us-core-body-height", "Body height", []string{"cm", "[in_i]"}},
	"59408-5": {"us-core-pulse-oximetry", "Oxygen saturation in Arterial blood by Pulse oximetry", []string{"%"}},
	"2708-6":  {"us-core-pulse-oximetry", "Oxygen saturation in Arterial blood", []string{"%"}},
	"39156-5": {"us-core-bmi", "Body mass index (BMI) [Ratio]", []string{"kg/m2"}},
	"9843-4":  {"us-core-head-occipital-frontal-circumference", "Head Occipital-frontal circumference", []string{"cm", "[in_i]"}},
}

// ucumUnits maps unit spellings v2 senders use in OBX-6 (CWE.1, or CWE.2
// when CWE.1 is empty) to UCUM codes, for the vital signs, whose US Core
// profiles require UCUM. Keys are upper case; lookups upper-case the unit.
// Decision: applied to vital-signs Observations only, where the code
// bounds what a unit can mean ("F" is Fahrenheit only for a temperature);
// lab units stay as sent unless OBX-6 names UCUM itself.
var ucumUnits = map[string]string{
	// rates
	"/MIN": "/min", "BPM": "/min", "BEATS/MIN": "/min", "BEATS/MINUTE": "/min",
	"BREATHS/MIN": "/min", "BREATHS/MINUTE": "/min", "PER MIN": "/min", "{BEATS}/MIN": "/min", "{BREATHS}/MIN": "/min",
	// temperature
	"CEL": "Cel", "C": "Cel", "DEGC": "Cel", "DEG C": "Cel", "°C": "Cel", "CELSIUS": "Cel",
	"[DEGF]": "[degF]", "F": "[degF]", "DEGF": "[degF]", "DEG F": "[degF]", "°F": "[degF]", "FAHRENHEIT": "[degF]",
	// mass
	"KG": "kg", "KGS": "kg", "G": "g", "GM": "g", "GRAMS": "g",
	"[LB_AV]": "[lb_av]", "LB": "[lb_av]", "LBS": "[lb_av]", "POUNDS": "[lb_av]",
	"[OZ_AV]": "[oz_av]", "OZ": "[oz_av]",
	// length
	"CM": "cm", "[IN_I]": "[in_i]", "IN": "[in_i]", "INCH": "[in_i]", "INCHES": "[in_i]",
	// pressure, saturation, BMI
	"MM[HG]": "mm[Hg]", "MMHG": "mm[Hg]", "MM HG": "mm[Hg]",
	"%": "%", "PERCENT": "%",
	"KG/M2": "kg/m2", "KG/M^2": "kg/m2", "KG/(M^2)": "kg/m2",
}

// Table 0203 codes the IG's ORC and SPM maps assign that its IdentifierType
// concept map lacks: PGN (placer group number, ORC-4 → requisition) and
// FGN (filler group number). They are v2-0203 codes; they are added to
// identifierType here rather than in vocab.go so that the ADT and ORU
// vocabularies merge apart.
func init() {
	for _, k := range []concept{
		{sysIdentifierType, "PGN", "Placer Group Number"},
		{sysIdentifierType, "FGN", "Filler Group Number"},
	} {
		identifierType.codes[k.Code] = k
	}
}
