package mappings

import "strings"

// This file holds the vocabularies as data: each table maps the codes of one
// HL7 v2 table to FHIR, and says where its rows come from. Rows marked
// "decision" are ours, where the IG concept map leaves a code unmapped; the
// comment on the table says why. Codes are looked up as sent, then upper-cased
// (senders write "f" for F).

// concept is a FHIR code with its system and display.
type concept struct {
	System, Code, Display string
}

// row is one line of a table: the v2 code, the FHIR code and display, and
// the FHIR system when it differs from the table's.
type row struct {
	v2, code, display, system string
}

// table maps the codes of one HL7 v2 table to FHIR codes.
type table struct {
	number string // the v2 table number, e.g. "0001"
	name   string // the v2 table
	source string // where the rows come from
	codes  map[string]concept
}

func newTable(name, source, system string, rows []row) *table {
	t := &table{name: name, source: source, codes: make(map[string]concept, len(rows))}
	if f := strings.Fields(name); len(f) > 2 {
		t.number = f[2] // "HL7 table 0001 ..."
	}
	for _, r := range rows {
		c := concept{System: system, Code: r.code, Display: r.display}
		if r.system != "" {
			c.System = r.system
		}
		t.codes[r.v2] = c
	}
	return t
}

// lookup returns the FHIR concept for a v2 code.
func (t *table) lookup(code string) (concept, bool) {
	if c, ok := t.codes[code]; ok {
		return c, true
	}
	c, ok := t.codes[strings.ToUpper(code)]
	return c, ok
}

// FHIR code systems the tables and maps use.
const (
	sysV2Prefix            = "http://terminology.hl7.org/CodeSystem/v2-"
	sysIdentifierType      = "http://terminology.hl7.org/CodeSystem/v2-0203"
	sysActCode             = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	sysNullFlavor          = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"
	sysMaritalStatus       = "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus"
	sysInterpretation      = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
	sysParticipationType   = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	sysObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
	sysDataAbsentReason    = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
	sysUSSSN               = "http://hl7.org/fhir/sid/us-ssn"
	sysLocationPhysical    = "http://terminology.hl7.org/CodeSystem/location-physical-type"
	sysV2Event             = "http://terminology.hl7.org/CodeSystem/v2-0003"
	sysUCUM                = "http://unitsofmeasure.org"
)

// administrativeSex is PID-8 → Patient.gender.
var administrativeSex = newTable("HL7 table 0001 Administrative Sex",
	"IG concept map AdministrativeSex", "http://hl7.org/fhir/administrative-gender", []row{
		{"F", "female", "Female", ""},
		{"M", "male", "Male", ""},
		{"O", "other", "Other", ""},
		{"U", "unknown", "Unknown", ""},
		{"A", "other", "Other", ""},
		{"N", "other", "Other", ""},
	})

// patientClass is PV1-2 → Encounter.class. An empty PV1-2 maps as "U"
// (decision: Encounter.class is required in R4).
var patientClass = newTable("HL7 table 0004 Patient Class",
	"IG concept map PatientClass[EncounterClass]", sysActCode, []row{
		{"E", "EMER", "emergency", ""},
		{"I", "IMP", "inpatient encounter", ""},
		{"O", "AMB", "ambulatory", ""},
		{"P", "PRENC", "pre-admission", ""},
		{"R", "R", "Recurring patient", sysV2Prefix + "0004"},
		{"B", "B", "Obstetrics", sysV2Prefix + "0004"},
		{"C", "C", "Commercial Account", sysV2Prefix + "0004"},
		{"N", "N", "Not Applicable", sysV2Prefix + "0004"},
		{"U", "U", "Unknown", sysV2Prefix + "0004"},
	})

// patientClassStatus is PV1-2 → Encounter.status, used when neither the
// event nor PV1-45 decides it.
var patientClassStatus = newTable("HL7 table 0004 Patient Class",
	"IG concept map PatientClass[EncounterStatus]", "http://hl7.org/fhir/encounter-status", []row{
		{"E", "in-progress", "", ""},
		{"I", "in-progress", "", ""},
		{"O", "in-progress", "", ""},
		{"P", "planned", "", ""},
		{"R", "in-progress", "", ""},
		{"B", "in-progress", "", ""},
		{"C", "in-progress", "", ""},
		{"N", "in-progress", "", ""},
		{"U", "unknown", "", ""},
	})

// eventStatus is the ADT trigger (MSH-9.2) → Encounter.status. A08 is
// absent on purpose: the IG says an update does not convey a status (its
// row says "unknown"), so PV1-45 and PV1-2 decide instead. Decisions: A06
// and A07 (outpatient ↔ inpatient) and A12 (cancel transfer) leave the
// patient in care: in-progress.
var eventStatus = newTable("HL7 table 0003 Event Type",
	"IG concept map Event[EncounterStatus]; A06, A07, A12: decision", "http://hl7.org/fhir/encounter-status", []row{
		{"A01", "in-progress", "In Progress", ""},
		{"A02", "in-progress", "In Progress", ""},
		{"A03", "finished", "Finished", ""},
		{"A04", "planned", "Planned", ""},
		{"A05", "planned", "Planned", ""},
		{"A06", "in-progress", "In Progress", ""},
		{"A07", "in-progress", "In Progress", ""},
		{"A11", "cancelled", "Cancelled", ""},
		{"A12", "in-progress", "In Progress", ""},
		{"A13", "in-progress", "In Progress", ""},
	})

// resultStatus is OBR-25 → DiagnosticReport.status. Decisions where the IG
// has no target: A (some results available) → partial; M (corrected, not
// final) → partial; N (procedure completed, results pending) → registered;
// Y and Z (no order / no patient on record, where the IG says "error") →
// unknown, with a warning from the OBR map. An empty OBR-25 (an error in v2
// per the IG) also becomes unknown with a warning: status is required.
var resultStatus = newTable("HL7 table 0123 Result Status",
	"IG concept map ResultStatus[Non-Queries]; A, M, N, Y, Z: decision", "http://hl7.org/fhir/diagnostic-report-status", []row{
		{"O", "registered", "Registered", ""},
		{"I", "registered", "Registered", ""},
		{"S", "registered", "Registered", ""},
		{"A", "partial", "Partial", ""},
		{"P", "preliminary", "Preliminary", ""},
		{"C", "corrected", "Corrected", ""},
		{"R", "partial", "Partial", ""},
		{"F", "final", "Final", ""},
		{"X", "cancelled", "Cancelled", ""},
		{"M", "partial", "Partial", ""},
		{"N", "registered", "Registered", ""},
		{"Y", "unknown", "Unknown", ""},
		{"Z", "unknown", "Unknown", ""},
	})

// observationStatus is OBX-11 → Observation.status. Decisions where the IG
// has no target: B (appended, values unchanged) → amended; I (specimen in
// lab, result pending) and O (order detail only) → registered; R (not
// verified) and S (partial) → preliminary; V (verified) and U (status
// changed to final without the result) → final; N (not asked) → cancelled
// (the OBX map adds dataAbsentReason not-asked, as the IG says). An empty
// OBX-11 → unknown with a warning: status is required.
var observationStatus = newTable("HL7 table 0085 Observation Result Status",
	"IG concept map ObservationResultStatusCodesInterpretation; B, I, N, O, R, S, U, V: decision", "http://hl7.org/fhir/observation-status", []row{
		{"A", "amended", "Amended", ""},
		{"B", "amended", "Amended", ""},
		{"C", "corrected", "Corrected", ""},
		{"D", "entered-in-error", "Entered in Error", ""},
		{"F", "final", "Final", ""},
		{"I", "registered", "Registered", ""},
		{"N", "cancelled", "Cancelled", ""},
		{"O", "registered", "Registered", ""},
		{"P", "preliminary", "Preliminary", ""},
		{"R", "preliminary", "Preliminary", ""},
		{"S", "preliminary", "Preliminary", ""},
		{"U", "final", "Final", ""},
		{"V", "final", "Final", ""},
		{"W", "entered-in-error", "Entered in Error", ""},
		{"X", "cancelled", "Cancelled", ""},
	})

// interpretation is OBX-8 → Observation.interpretation. Codes the IG does
// not map (inactive in FHIR) keep their v2 coding.
var interpretation = newTable("HL7 table 0078 Interpretation Codes",
	"IG concept map InterpretationCodes", sysInterpretation, []row{
		{"<", "<", "Off scale low", ""},
		{">", ">", "Off scale high", ""},
		{"A", "A", "Abnormal", ""},
		{"AA", "AA", "Critical abnormal", ""},
		{"B", "B", "Better", ""},
		{"CAR", "CAR", "Carrier", ""},
		{"D", "D", "Significant change down", ""},
		{"DET", "DET", "Detected", ""},
		{"E", "E", "Equivocal", ""},
		{"EX", "EX", "outside threshold", ""},
		{"EXP", "EXP", "Expected", ""},
		{"H", "H", "High", ""},
		{"HH", "HH", "Critical high", ""},
		{"HU", "HU", "Significantly high", ""},
		{"I", "I", "Intermediate", ""},
		{"IE", "IE", "Insufficient evidence", ""},
		{"IND", "IND", "Indeterminate", ""},
		{"L", "L", "Low", ""},
		{"LL", "LL", "Critical low", ""},
		{"LU", "LU", "Significantly low", ""},
		{"MS", "MS", "moderately susceptible", ""},
		{"N", "N", "Normal", ""},
		{"NCL", "NCL", "No CLSI defined breakpoint", ""},
		{"ND", "ND", "Not detected", ""},
		{"NEG", "NEG", "Negative", ""},
		{"NR", "NR", "Non-reactive", ""},
		{"NS", "NS", "Non-susceptible", ""},
		{"POS", "POS", "Positive", ""},
		{"R", "R", "Resistant", ""},
		{"RR", "RR", "Reactive", ""},
		{"S", "S", "Susceptible", ""},
		{"SDD", "SDD", "Susceptible-dose dependent", ""},
		{"SYN-R", "SYN-R", "Synergy - resistant", ""},
		{"SYN-S", "SYN-S", "Synergy - susceptible", ""},
		{"U", "U", "Significant change up", ""},
		{"VS", "VS", "very susceptible", ""},
		{"UNE", "UNE", "Unexpected", ""},
		{"W", "W", "Worse", ""},
		{"WR", "WR", "Weakly reactive", ""},
	})

// identifierType is CX.5 (and XCN.13, XON.7) → Identifier.type. A code not
// in the table is kept as Identifier.type.text (decision: a coding would
// claim a v2-0203 code that does not exist). PLAC and FILL, which the IG's
// OBR and ORC maps assign to order numbers, are not in its concept map;
// they are v2-0203 codes (Placer Identifier, Filler Identifier). SHIP is
// what the IG's SPM[Specimen] map assigns to SPM-32 (shipment id); it
// gives no display, and neither do we.
var identifierType = newTable("HL7 table 0203 Identifier Type",
	"IG concept map IdentifierType; PLAC, FILL: IG OBR[DiagnosticReport] map", sysIdentifierType, []row{
		{"PLAC", "PLAC", "Placer Identifier", ""},
		{"FILL", "FILL", "Filler Identifier", ""},
		{"SHIP", "SHIP", "", ""},
		{"ACSN", "ACSN", "Accession ID", ""},
		{"AM", "AM", "American Express", ""},
		{"AMA", "AMA", "American Medical Association Number", ""},
		{"AN", "AN", "Account number", ""},
		{"ANON", "ANON", "Anonymous identifier", ""},
		{"ANC", "ANC", "Account number Creditor", ""},
		{"AND", "AND", "Account number debitor", ""},
		{"ANT", "ANT", "Temporary Account Number", ""},
		{"APRN", "APRN", "Advanced Practice Registered Nurse number", ""},
		{"ASID", "ASID", "Ancestor Specimen ID", ""},
		{"BA", "BA", "Bank Account Number", ""},
		{"BC", "BC", "Bank Card Number", ""},
		{"BCT", "BCT", "Birth Certificate", ""},
		{"BR", "BR", "Birth registry number", ""},
		{"BRN", "BRN", "Breed Registry Number", ""},
		{"BSNR", "BSNR", "Primary physician office number", ""},
		{"CC", "CC", "Cost Center number", ""},
		{"CONM", "CONM", "Change of Name Document", ""},
		{"CZ", "CZ", "Citizenship Card", ""},
		{"CY", "CY", "County number", ""},
		{"DDS", "DDS", "Dentist license number", ""},
		{"DEA", "DEA", "Drug Enforcement Administration registration number", ""},
		{"DI", "DI", "Diner’s Club card", ""},
		{"DFN", "DFN", "Drug Furnishing or prescriptive authority Number", ""},
		{"DL", "DL", "Driver’s license number", ""},
		{"DN", "DN", "Doctor number", ""},
		{"DO", "DO", "Osteopathic License number", ""},
		{"DP", "DP", "Diplomatic Passport", ""},
		{"DPM", "DPM", "Podiatrist license number", ""},
		{"DR", "DR", "Donor Registration Number", ""},
		{"DS", "DS", "Discover Card", ""},
		{"EI", "EI", "Employee number", ""},
		{"EN", "EN", "Employer number", ""},
		{"ESN", "ESN", "Staff Enterprise Number", ""},
		{"FI", "FI", "Facility ID", ""},
		{"GI", "GI", "Guarantor internal identifier", ""},
		{"GL", "GL", "General ledger number", ""},
		{"GN", "GN", "Guarantor external identifier", ""},
		{"HC", "HC", "Health Card Number", ""},
		{"JHN", "JHN", "Jurisdictional health number (Canada)", ""},
		{"IND", "IND", "Indigenous/Aboriginal", ""},
		{"LACSN", "LACSN", "Laboratory Accession ID", ""},
		{"LANR", "LANR", "Lifelong physician number", ""},
		{"LI", "LI", "Labor and industries number", ""},
		{"LN", "LN", "License number", ""},
		{"LR", "LR", "Local Registry ID", ""},
		{"MA", "MA", "Patient Medicaid number", ""},
		{"MB", "MB", "Member Number", ""},
		{"MC", "MC", "Patient’s Medicare number", ""},
		{"MCD", "MCD", "Practitioner Medicaid number", ""},
		{"MCN", "MCN", "Microchip Number", ""},
		{"MCR", "MCR", "Practitioner Medicare number", ""},
		{"MCT", "MCT", "Marriage Certificate", ""},
		{"MD", "MD", "Medical License number", ""},
		{"MI", "MI", "Military ID number", ""},
		{"MR", "MR", "Medical record number", ""},
		{"MRT", "MRT", "Temporary Medical Record Number", ""},
		{"MS", "MS", "MasterCard", ""},
		{"NBSNR", "NBSNR", "Secondary physician office number", ""},
		{"NCT", "NCT", "Naturalization Certificate", ""},
		{"NE", "NE", "National employer identifier", ""},
		{"NH", "NH", "National Health Plan Identifier", ""},
		{"NI", "NI", "National unique individual identifier", ""},
		{"NII", "NII", "National Insurance Organization Identifier", ""},
		{"NIIP", "NIIP", "National Insurance Payor Identifier (Payor)", ""},
		{"NNxxx", "NNxxx", "National Person Identifier where the xxx is the ISO table 3166 3-character (alphabetic) country code", ""},
		{"NP", "NP", "Nurse practitioner number", ""},
		{"NPI", "NPI", "National provider identifier", ""},
		{"OD", "OD", "Optometrist license number", ""},
		{"PA", "PA", "Physician Assistant number", ""},
		{"PC", "PC", "Parole Card", ""},
		{"PCN", "PCN", "Penitentiary/correctional institution Number", ""},
		{"PE", "PE", "Living Subject Enterprise Number", ""},
		{"PEN", "PEN", "Pension Number", ""},
		{"PI", "PI", "Patient internal identifier", ""},
		{"PN", "PN", "Person number", ""},
		{"PNT", "PNT", "Temporary Living Subject Number", ""},
		{"PPIN", "PPIN", "Medicare/CMS Performing Provider Identification Number", ""},
		{"PPN", "PPN", "Passport number", ""},
		{"PRC", "PRC", "Permanent Resident Card Number", ""},
		{"PRN", "PRN", "Provider number", ""},
		{"PT", "PT", "Patient external identifier", ""},
		{"QA", "QA", "QA number", ""},
		{"RI", "RI", "Resource identifier", ""},
		{"RPH", "RPH", "Pharmacist license number", ""},
		{"RN", "RN", "Registered Nurse Number", ""},
		{"RR", "RR", "Railroad Retirement number", ""},
		{"RRI", "RRI", "Regional registry ID", ""},
		{"RRP", "RRP", "Railroad Retirement Provider", ""},
		{"SID", "SID", "Specimen ID", ""},
		{"SL", "SL", "State license", ""},
		{"SN", "SN", "Subscriber Number", ""},
		{"SP", "SP", "Study Permit", ""},
		{"SR", "SR", "State registry ID", ""},
		{"SS", "SS", "Social Security number", ""},
		{"TAX", "TAX", "Tax ID number", ""},
		{"TN", "TN", "Treaty Number/ (Canada)", ""},
		{"TPR", "TPR", "Temporary Permanent Resident (Canada)", ""},
		{"U", "U", "Unspecified identifier", ""},
		{"UPIN", "UPIN", "Medicare/CMS (formerly HCFA)’s Universal Physician Identification numbers", ""},
		{"USID", "USID", "Unique Specimen ID", ""},
		{"VN", "VN", "Visit number", ""},
		{"VP", "VP", "Visitor Permit", ""},
		{"VS", "VS", "VISA", ""},
		{"WC", "WC", "WIC identifier", ""},
		{"WCN", "WCN", "Workers’ Comp Number", ""},
		{"WP", "WP", "Work Permit", ""},
		{"XX", "XX", "Organization identifier", ""},
	})

// maritalStatus is PID-16 → Patient.maritalStatus.
var maritalStatus = newTable("HL7 table 0002 Marital Status",
	"IG concept map MaritalStatus", sysMaritalStatus, []row{
		{"A", "L", "Legally Separated", ""},
		{"D", "D", "Divorced", ""},
		{"M", "M", "Married", ""},
		{"S", "S", "Never Married", ""},
		{"W", "W", "Widowed", ""},
		{"C", "C", "Common Law", ""},
		{"G", "T", "Domestic partner", ""},
		{"P", "T", "Domestic partner", ""},
		{"R", "T", "Domestic partner", ""},
		{"E", "L", "Legally Separated", ""},
		{"N", "A", "Annulled", ""},
		{"I", "I", "Interlocutory", ""},
		{"B", "U", "unmarried", ""},
		{"U", "UNK", "Unknown", sysNullFlavor},
		{"O", "OTH", "Other", sysNullFlavor},
		{"T", "NAVU", "Not available", sysNullFlavor},
	})

// nameUse is XPN.7 (and XCN.10) → HumanName.use. Codes the IG leaves
// unmapped (A, B, C, ...) give no use.
var nameUse = newTable("HL7 table 0200 Name Type",
	"IG concept map NameType", "http://hl7.org/fhir/name-use", []row{
		{"BAD", "old", "Old", ""},
		{"D", "usual", "Usual", ""},
		{"L", "official", "Official", ""},
		{"M", "maiden", "Name changed for Marriage", ""},
		{"MSK", "anonymous", "Anonymous", ""},
		{"N", "nickname", "Nickname", ""},
		{"NAV", "temp", "temp", ""},
		{"R", "official", "Official", ""},
		{"TEMP", "temp", "Temp", ""},
	})

// addressUse is XAD.7 → Address.use.
var addressUse = newTable("HL7 table 0190 Address Type",
	"IG concept map AddressType[Use]", "http://hl7.org/fhir/address-use", []row{
		{"BA", "old", "Old / Incorrect", ""},
		{"BI", "billing", "Billing", ""},
		{"C", "temp", "Temporary", ""},
		{"B", "work", "Work", ""},
		{"H", "home", "Home", ""},
		{"O", "work", "Work", ""},
	})

// addressType is XAD.7 → Address.type.
var addressType = newTable("HL7 table 0190 Address Type",
	"IG concept map AddressType[Type]", "http://hl7.org/fhir/address-type", []row{
		{"M", "postal", "Postal", ""},
		{"SH", "postal", "Postal", ""},
	})

// telecomUse is XTN.2 → ContactPoint.use. Codes the IG leaves unmapped
// (ORN, VHN, ASN, EMR, NET, BPN) give no use.
var telecomUse = newTable("HL7 table 0201 Telecommunication Use Code",
	"IG concept map TelecommunicationUseCode", "http://hl7.org/fhir/contact-point-use", []row{
		{"PRN", "home", "Home", ""},
		{"WPN", "work", "Work", ""},
		{"PRS", "mobile", "Mobile", ""},
	})

// telecomSystem is XTN.3 → ContactPoint.system. The IG maps CP (cellular
// phone) to the use "mobile": the XTN map makes it system phone, use
// mobile.
var telecomSystem = newTable("HL7 table 0202 Telecommunication Equipment Type",
	"IG concept map TelecommunicationEquipmentType", "http://hl7.org/fhir/contact-point-system", []row{
		{"PH", "phone", "Phone", ""},
		{"FX", "fax", "Fax", ""},
		{"MD", "other", "Other", ""},
		{"CP", "phone", "Phone", ""},
		{"SAT", "other", "Other", ""},
		{"BP", "pager", "Pager", ""},
		{"INTERNET", "email", "email", ""},
		{"X.400", "email", "email", ""},
		{"TDD", "other", "Other", ""},
		{"TTY", "other", "Other", ""},
	})

// yesNo is HL7 table 0136 (PID-24, PID-30) → boolean.
var yesNo = map[string]bool{"Y": true, "N": false}

// serviceSection is OBR-24 → DiagnosticReport.category.
var serviceSection = newTable("HL7 table 0074 Diagnostic Service Section ID",
	"IG concept map DiagnosticServiceSectionID", sysV2Prefix+"0074", []row{
		{"AU", "AU", "Audiology", ""},
		{"BG", "BG", "Blood Gases", ""},
		{"BLB", "BLB", "Blood Bank", ""},
		{"CG", "CG", "Cytogenetics", ""},
		{"CUS", "CUS", "Cardiac Ultrasound", ""},
		{"CTH", "CTH", "Cardiac Catheterization", ""},
		{"CT", "CT", "CAT Scan", ""},
		{"CH", "CH", "Chemistry", ""},
		{"CP", "CP", "Cytopathology", ""},
		{"EC", "EC", "Electrocardiac (e.g., EKG,  EEC, Holter)", ""},
		{"EN", "EN", "Electroneuro (EEG, EMG,EP,PSG)", ""},
		{"GE", "GE", "Genetics", ""},
		{"HM", "HM", "Hematology", ""},
		{"ICU", "ICU", "Bedside ICU Monitoring", ""},
		{"IMM", "IMM", "Immunology", ""},
		{"LAB", "LAB", "Laboratory", ""},
		{"MB", "MB", "Microbiology", ""},
		{"MCB", "MCB", "Mycobacteriology", ""},
		{"MYC", "MYC", "Mycology", ""},
		{"NMS", "NMS", "Nuclear Medicine Scan", ""},
		{"NMR", "NMR", "Nuclear Magnetic Resonance", ""},
		{"NRS", "NRS", "Nursing Service Measures", ""},
		{"OUS", "OUS", "OB Ultrasound", ""},
		{"OT", "OT", "Occupational Therapy", ""},
		{"OTH", "OTH", "Other", ""},
		{"OSL", "OSL", "Outside Lab", ""},
		{"PHR", "PHR", "Pharmacy", ""},
		{"PT", "PT", "Physical Therapy", ""},
		{"PHY", "PHY", "Physician (Hx. Dx, admission note, etc.)", ""},
		{"PF", "PF", "Pulmonary Function", ""},
		{"RAD", "RAD", "Radiology", ""},
		{"RX", "RX", "Radiograph", ""},
		{"RUS", "RUS", "Radiology Ultrasound", ""},
		{"RC", "RC", "Respiratory Care (therapy)", ""},
		{"RT", "RT", "Radiation Therapy", ""},
		{"SR", "SR", "Serology", ""},
		{"SP", "SP", "Surgical Pathology", ""},
		{"TX", "TX", "Toxicology", ""},
		{"VUS", "VUS", "Vascular Ultrasound", ""},
		{"VR", "VR", "Virology", ""},
		{"XRC", "XRC", "Cineradiograph", ""},
	})

// imagingSections are the OBR-24 sections whose observations get category
// "imaging" instead of "laboratory" (decision: the IG leaves
// Observation.category to the implementation).
var imagingSections = map[string]bool{
	"CT": true, "CUS": true, "NMR": true, "NMS": true, "OUS": true, "RAD": true,
	"RUS": true, "RX": true, "VUS": true, "XRC": true,
}

// participation gives Encounter.participant.type for the PV1 doctors, as
// the PV1[Encounter] map assigns them.
var participation = map[int]concept{
	7:  {sysParticipationType, "ATND", "attender"},
	8:  {sysParticipationType, "REF", "referrer"},
	9:  {sysParticipationType, "CON", "consultant"},
	17: {sysParticipationType, "ADM", "admitter"},
}

// codingSystems is HL7 table 0396 (CWE.3, CWE.6, CWE.12: the name of a
// coding system) → FHIR code system URI, after the FHIR R4 terminology
// pages ("Using codes" / external code systems) and the v2 table names.
// "HL7nnnn" and "HL7_nnnn" become the THO v2 code system v2-nnnn, a name
// that is an OID becomes urn:oid:, and other names (local systems such as
// "L" or "99zzz") leave Coding.system empty: the IG's CWE maps say the
// vocabulary gives the URI, and there is none for a local name.
var codingSystems = map[string]string{
	"LN":      "http://loinc.org",
	"LOINC":   "http://loinc.org",
	"SCT":     "http://snomed.info/sct",
	"SNOMED":  "http://snomed.info/sct",
	"SNM3":    "http://snomed.info/sct",
	"UCUM":    sysUCUM,
	"ANS+":    sysUCUM,
	"I9":      "http://hl7.org/fhir/sid/icd-9-cm",
	"I9C":     "http://hl7.org/fhir/sid/icd-9-cm",
	"I9CDX":   "http://hl7.org/fhir/sid/icd-9-cm",
	"I10":     "http://hl7.org/fhir/sid/icd-10",
	"I10C":    "http://hl7.org/fhir/sid/icd-10-cm",
	"I10P":    "http://www.cms.gov/Medicare/Coding/ICD10",
	"C4":      "http://www.ama-assn.org/go/cpt",
	"CPT":     "http://www.ama-assn.org/go/cpt",
	"HCPCS":   "urn:oid:2.16.840.1.113883.6.285",
	"RXNORM":  "http://www.nlm.nih.gov/research/umls/rxnorm",
	"NDC":     "http://hl7.org/fhir/sid/ndc",
	"CVX":     "http://hl7.org/fhir/sid/cvx",
	"MVX":     "http://hl7.org/fhir/sid/mvx",
	"NUCC":    "http://nucc.org/provider-taxonomy",
	"CDCREC":  "urn:oid:2.16.840.1.113883.6.238",
	"ISO639":  "urn:ietf:bcp:47",
	"ISO3166": "urn:iso:std:iso:3166",
	// ISO 3166 part 1 (countries) and part 2 (their subdivisions).
	"ISO3166_1": "urn:iso:std:iso:3166",
	"ISO3166_2": "urn:iso:std:iso:3166:-2",
	"NPI":       "http://hl7.org/fhir/sid/us-npi",
}
