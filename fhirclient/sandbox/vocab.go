package sandbox

// Code systems and the small vocabularies the synthetic data draw from.
// The codes are real (LOINC, SNOMED CT, ICD-10-CM, RxNorm, UCUM) so that
// mappings and terminology checks downstream see what an EHR would send.
const (
	loincSystem     = "http://loinc.org"
	snomedSystem    = "http://snomed.info/sct"
	icd10System     = "http://hl7.org/fhir/sid/icd-10-cm"
	rxnormSystem    = "http://www.nlm.nih.gov/research/umls/rxnorm"
	ucumSystem      = "http://unitsofmeasure.org"
	v2IDTypeSystem  = "http://terminology.hl7.org/CodeSystem/v2-0203"
	actCodeSystem   = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	roleCodeSystem  = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
	obsCatSystem    = "http://terminology.hl7.org/CodeSystem/observation-category"
	interpSystem    = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
	condClinSystem  = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	condVerSystem   = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	condCatSystem   = "http://terminology.hl7.org/CodeSystem/condition-category"
	allergyClinSys  = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
	allergyVerSys   = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
	participantType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	subscriberRel   = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
	payerTypeSystem = "https://nahdo.org/sopt"
	locationSystem  = "urn:oid:2.16.840.1.113883.19.7" // the sandbox hospital's location codes
	payerIDSystem   = "urn:oid:2.16.840.1.113883.19.8" // the sandbox payer's plan ids
)

var (
	givenMale   = []string{"James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Paul", "Andrew", "Joshua", "Kevin", "Brian", "Luis", "Wei", "Omar", "Hiroshi"}
	givenFemale = []string{"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen", "Nancy", "Lisa", "Betty", "Margaret", "Sandra", "Ashley", "Emily", "Donna", "Michelle", "Carol", "Maria", "Mei", "Fatima", "Yuki"}
	families    = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Nguyen", "Chen", "Patel", "Kim", "O'Brien", "Müller"}
	streets     = []string{"Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Walnut", "Sunset", "Lincoln", "Jefferson", "Ridge"}
	streetKinds = []string{"St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct"}
	places      = []struct{ city, state, zip, area string }{
		{"Madison", "WI", "53703", "608"}, {"Verona", "WI", "53593", "608"}, {"Milwaukee", "WI", "53202", "414"},
		{"Ann Arbor", "MI", "48104", "734"}, {"Springfield", "IL", "62701", "217"}, {"Rochester", "MN", "55902", "507"},
		{"Columbus", "OH", "43215", "614"}, {"Raleigh", "NC", "27601", "919"},
	}
)

// quantityKind is a measured observation: LOINC code, UCUM unit, the
// normal range, and how many decimals it is reported with.
type quantityKind struct {
	code, display, unit string
	low, high           float64
	decimals            int
}

var (
	heartRate  = quantityKind{"8867-4", "Heart rate", "/min", 60, 100, 0}
	respRate   = quantityKind{"9279-1", "Respiratory rate", "/min", 12, 20, 0}
	bodyTemp   = quantityKind{"8310-5", "Body temperature", "Cel", 36.1, 37.2, 1}
	systolic   = quantityKind{"8480-6", "Systolic blood pressure", "mm[Hg]", 90, 120, 0}
	diastolic  = quantityKind{"8462-4", "Diastolic blood pressure", "mm[Hg]", 60, 80, 0}
	spo2       = quantityKind{"59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", 95, 100, 0}
	bodyWeight = quantityKind{"29463-7", "Body weight", "kg", 50, 100, 1}
	bodyHeight = quantityKind{"8302-2", "Body height", "cm", 150, 190, 1}
	glucose    = quantityKind{"2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 70, 99, 0}
	sodium     = quantityKind{"2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 136, 145, 0}
	potassium  = quantityKind{"2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 3.5, 5.1, 1}
	creatinine = quantityKind{"2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.3, 2}
	hemoglobin = quantityKind{"718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 12, 17.5, 1}
	leukocytes = quantityKind{"6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 4.5, 11, 1}
	hba1c      = quantityKind{"4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4, 5.6, 1}
	vitalKinds = []quantityKind{heartRate, respRate, bodyTemp, systolic, diastolic, spo2}
	panelLabs  = []quantityKind{glucose, sodium, potassium, creatinine, hemoglobin, leukocytes}
	clinicLabs = []quantityKind{glucose, hba1c}
)

// unitText is how a UCUM unit is shown to people.
func unitText(ucum string) string {
	switch ucum {
	case "Cel":
		return "°C"
	case "mm[Hg]":
		return "mmHg"
	}
	return ucum
}

// problem is a chronic condition and the medication that treats it.
type problem struct {
	snomed, snomedDisplay string
	icd10, icd10Display   string
	rxnorm, rxDisplay     string // "" when the sandbox orders nothing for it
	dosage                string
}

var problems = []problem{
	{"38341003", "Hypertensive disorder, systemic arterial (disorder)", "I10", "Essential (primary) hypertension",
		"314076", "lisinopril 10 MG Oral Tablet", "1 tablet by mouth once daily"},
	{"44054006", "Diabetes mellitus type 2 (disorder)", "E11.9", "Type 2 diabetes mellitus without complications",
		"861007", "metformin hydrochloride 500 MG Oral Tablet", "1 tablet by mouth twice daily with meals"},
	{"195967001", "Asthma (disorder)", "J45.909", "Unspecified asthma, uncomplicated",
		"745679", "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", "2 puffs every 4 to 6 hours as needed"},
	{"55822004", "Hyperlipidemia (disorder)", "E78.5", "Hyperlipidemia, unspecified",
		"259255", "atorvastatin 80 MG Oral Tablet", "1 tablet by mouth at bedtime"},
	{"35489007", "Depressive disorder (disorder)", "F32.A", "Depression, unspecified",
		"312938", "sertraline 100 MG Oral Tablet", "1 tablet by mouth once daily"},
	{"49436004", "Atrial fibrillation (disorder)", "I48.91", "Unspecified atrial fibrillation",
		"855332", "warfarin sodium 5 MG Oral Tablet", "1 tablet by mouth once daily, or as directed"},
	{"709044004", "Chronic kidney disease (disorder)", "N18.9", "Chronic kidney disease, unspecified", "", "", ""},
}

// allergen is a substance and the reaction it causes.
type allergen struct {
	system, code, display string
	category              string // medication, food, environment
	reaction, reactionTxt string // SNOMED finding
	criticality           string
}

var allergens = []allergen{
	{rxnormSystem, "70618", "penicillin", "medication", "247472004", "Wheal (finding)", "high"},
	{rxnormSystem, "10180", "sulfamethoxazole", "medication", "271807003", "Eruption of skin (disorder)", "low"},
	{snomedSystem, "256349002", "Peanut - dietary (substance)", "food", "39579001", "Anaphylaxis (disorder)", "high"},
	{snomedSystem, "111088007", "Latex (substance)", "environment", "247472004", "Wheal (finding)", "low"},
}

// encounterKind is a class of visit and how long it lasts.
type encounterKind struct {
	class, classDisplay string
	snomed, display     string
	minHours, maxHours  int
	location            string
}

var encounterKinds = []encounterKind{
	{"AMB", "ambulatory", "185349003", "Encounter for check up (procedure)", 1, 1, "loc-clinic"},
	{"EMER", "emergency", "50849002", "Emergency room admission (procedure)", 2, 8, "loc-ed"},
	{"IMP", "inpatient encounter", "32485007", "Hospital admission (procedure)", 48, 144, "loc-4w"},
}
