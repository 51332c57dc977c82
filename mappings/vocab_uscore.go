package mappings

// The US Core vocabularies (race and ethnicity, race.go), as data in the
// form vocab.go documents. The IG has no concept map for tables 0005 and
// 0189 (its inventory lists Race and EthnicGroup as under construction, and
// its PID map sends PID-10 and PID-22 to "the local extension, e.g. US
// Core"), so every row here is a decision, following US Core 6.1 and the
// CDC Race & Ethnicity code set (CDCREC) its value sets draw from.

// US Core extensions and the CDC Race & Ethnicity code system.
const (
	extUSCoreRace      = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"
	extUSCoreEthnicity = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"
	sysCDCREC          = "urn:oid:2.16.840.1.113883.6.238"
)

// demographic is the vocabulary of PID-10 or PID-22.
type demographic struct {
	field     int    // the PID field: 10 or 22
	extension string // the US Core extension
	maxOMB    int    // how many ombCategory the extension takes
	// omb are the OMB categories, by CDC code: the US Core ombCategory
	// binding without its two null flavors (nullFlavors).
	omb *table
	// legacy are the v2 table's own codes (letters; from v2.5 on table
	// 0005 takes the CDC codes themselves) → a CDC code or a null flavor.
	// A row without a code names what the letter means, for the text, but
	// has no US Core code.
	legacy *table
	// detailed are the detailed CDC concepts this package knows, with the
	// OMB category each rolls up to ("" for none, as 2131-1). A CDC code
	// it does not know is still detailed when its number lies in the
	// field's part of the code set (lo…hi), with the display as sent.
	detailed map[string]cdcConcept
	lo, hi   int
}

// cdcConcept is a detailed CDC concept: its display and OMB category.
type cdcConcept struct {
	display, omb string
}

// nullFlavors are the codes US Core 6.1 adds to the OMB race and ethnicity
// categories (system v3-NullFlavor). race.go keeps them alone, never beside
// a category (US Core 8 makes that the rule us-core-23).
var nullFlavors = newTable("HL7 table 0005 Race",
	"US Core 6.1 OMB Race Categories and OMB Ethnicity Categories (null flavors)", sysNullFlavor, []row{
		{"UNK", "UNK", "Unknown", ""},
		{"ASKU", "ASKU", "Asked but no answer", ""},
	})

// raceVocab is PID-10 (table 0005) → us-core-race.
var raceVocab = &demographic{
	field: 10, extension: extUSCoreRace, maxOMB: 5,
	omb: newTable("HL7 table 0005 Race",
		"US Core 6.1 OMB Race Categories", sysCDCREC, []row{
			{"1002-5", "1002-5", "American Indian or Alaska Native", ""},
			{"2028-9", "2028-9", "Asian", ""},
			{"2054-5", "2054-5", "Black or African American", ""},
			{"2076-8", "2076-8", "Native Hawaiian or Other Pacific Islander", ""},
			{"2106-3", "2106-3", "White", ""},
		}),
	// The letters of table 0005 before v2.5, as legacy senders still use
	// them. Decisions: H (Hispanic) is an ethnicity, not an OMB race: text
	// only (PID-22 carries ethnicity); O → 2131-1 Other Race (detailed, no
	// OMB category); C is left out on purpose (Caucasian at some sites,
	// Chinese at others): it stays text.
	legacy: newTable("HL7 table 0005 Race",
		"decision (no IG concept map; legacy letters → CDCREC, US Core 6.1)", sysCDCREC, []row{
			{"W", "2106-3", "White", ""},
			{"B", "2054-5", "Black or African American", ""},
			{"A", "2028-9", "Asian", ""},
			{"I", "1002-5", "American Indian or Alaska Native", ""},
			{"N", "2076-8", "Native Hawaiian or Other Pacific Islander", ""},
			{"P", "2076-8", "Native Hawaiian or Other Pacific Islander", ""},
			{"H", "", "Hispanic", ""},
			{"O", "2131-1", "Other Race", ""},
			{"U", "UNK", "Unknown", sysNullFlavor},
		}),
	detailed: map[string]cdcConcept{
		"2131-1": {"Other Race", ""},
		"1004-1": {"American Indian", "1002-5"},
		"1735-0": {"Alaska Native", "1002-5"},
		"2029-7": {"Asian Indian", "2028-9"},
		"2034-7": {"Chinese", "2028-9"},
		"2036-2": {"Filipino", "2028-9"},
		"2039-6": {"Japanese", "2028-9"},
		"2040-4": {"Korean", "2028-9"},
		"2047-9": {"Vietnamese", "2028-9"},
		"2058-6": {"African American", "2054-5"},
		"2060-2": {"African", "2054-5"},
		"2079-2": {"Native Hawaiian", "2076-8"},
		"2080-0": {"Samoan", "2076-8"},
		"2086-7": {"Guamanian or Chamorro", "2076-8"},
		"2500-7": {"Other Pacific Islander", "2076-8"},
		"2108-9": {"European", "2106-3"},
		"2118-8": {"Middle Eastern or North African", "2106-3"},
	},
	// CDC race concepts are numbered 1000-9 … 2131-1, and 2500-7 (a later
	// addition); the ethnicity concepts (2133-7 … 2186-5) lie between,
	// and are text only in PID-10.
	lo: 1000, hi: 2132,
}

// ethnicityVocab is PID-22 (table 0189) → us-core-ethnicity.
var ethnicityVocab = &demographic{
	field: 22, extension: extUSCoreEthnicity, maxOMB: 1,
	omb: newTable("HL7 table 0189 Ethnic Group",
		"US Core 6.1 OMB Ethnicity Categories", sysCDCREC, []row{
			{"2135-2", "2135-2", "Hispanic or Latino", ""},
			{"2186-5", "2186-5", "Not Hispanic or Latino", ""},
		}),
	legacy: newTable("HL7 table 0189 Ethnic Group",
		"decision (no IG concept map; table 0189 → CDCREC, US Core 6.1)", sysCDCREC, []row{
			{"H", "2135-2", "Hispanic or Latino", ""},
			{"N", "2186-5", "Not Hispanic or Latino", ""},
			{"U", "UNK", "Unknown", sysNullFlavor},
		}),
	detailed: map[string]cdcConcept{
		"2137-8": {"Spaniard", "2135-2"},
		"2148-5": {"Mexican", "2135-2"},
		"2155-0": {"Central American", "2135-2"},
		"2165-9": {"South American", "2135-2"},
		"2178-2": {"Latin American", "2135-2"},
		"2180-8": {"Puerto Rican", "2135-2"},
		"2182-4": {"Cuban", "2135-2"},
	},
	lo: 2133, hi: 2186,
}
