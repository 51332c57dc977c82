package mappings

import (
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
)

// extURLs lists the urls of a Patient's extensions, in order.
func extURLs(p *fhir.Patient) []string {
	var urls []string
	for _, e := range p.Extension {
		urls = append(urls, e.URL)
	}
	return urls
}

func countURL(p *fhir.Patient, url string) int {
	return strings.Count(strings.Join(extURLs(p), " ")+" ", url+" ")
}

// TestPID_IGExtensionsAccountAndMother: the PID fields the IG maps beyond
// US Core (PID-6, 17, 18, 21, 23, 26, 28, 35, 36, 39) reach the Bundle,
// and an A08 that omits them keeps them while "" deletes them.
func TestPID_IGExtensionsAccountAndMother(t *testing.T) {
	const a01 = "MSH|^~\\&|A|H|||20240501||ADT^A01|1|P|2.5\n" +
		"PID|1||M1^^^H^MR||Doe^Jane|Smith^Mary|19800101|F|||||||||C^Catholic^HL70006|ACC9^^^H^AN|||M7^^^H^MR||Springfield General|||US^United States^ISO3166_1~MX^Mexico^ISO3166_1||CA^Canada^ISO3166_1|||||||125097000^Goat^SCT||||364^Birch Creek^HL70171\n" +
		"PV1|1|I|4W^1^A\n"
	m := mustMapper(t, Options{})
	b, state := mapUpdate(t, m, a01, nil)
	p := all[*fhir.Patient](b)[0]
	got := strings.Join(extURLs(p), " ")
	for _, want := range []string{extMothersMaidenName, extReligion, extBirthPlace, extNationality, extAnimal} {
		if countURL(p, want) != 1 {
			t.Errorf("patient extensions %s: want one %s", got, want)
		}
	}
	if n := countURL(p, extCitizenship); n != 3 {
		t.Errorf("%d citizenship extensions, want 3 (two PID-26 repetitions and PID-39): %s", n, got)
	}
	j := jsonOf(t, p)
	for _, want := range []string{`"valueString":"Mary Smith"`, `"text":"Springfield General"`, `"code":"MX"`, `"system":"urn:iso:std:iso:3166"`,
		`"system":"http://terminology.hl7.org/CodeSystem/v2-0006","code":"C"`, `"url":"species"`, `"code":"364"`} {
		if !strings.Contains(j, want) {
			t.Errorf("patient lacks %s: %s", want, j)
		}
	}
	accts := all[*fhir.Account](b)
	if len(accts) != 1 || accts[0].Status != "active" || accts[0].Identifier[0].Value != "ACC9" ||
		len(accts[0].Subject) != 1 || accts[0].Subject[0].Reference != "urn:uuid:"+p.ID {
		t.Errorf("accounts %s", jsonOf(t, accts))
	}
	rps := all[*fhir.RelatedPerson](b)
	if len(rps) != 1 || rps[0].Identifier[0].Value != "M7" || rps[0].Patient.Reference != "urn:uuid:"+p.ID ||
		rps[0].Relationship[0].Coding[0].Code != "MTH" {
		t.Errorf("mother %s", jsonOf(t, rps))
	}

	// An A08 with a bare PID keeps every extension; one with "" in the
	// fields deletes theirs.
	bare := "MSH|^~\\&|A|H|||20240502||ADT^A08|2|P|2.5\nPID|1||M1^^^H^MR||Doe^Jane||19800101|F\nPV1|1|I|4W^1^A\n"
	b2, _ := mapUpdate(t, m, bare, state)
	if kept := all[*fhir.Patient](b2)[0]; strings.Join(extURLs(kept), " ") != got {
		t.Errorf("an A08 without the fields changed the extensions:\n got %v\nwant %s", extURLs(kept), got)
	}
	nulls := strings.Replace(bare, "Doe^Jane||19800101|F", `Doe^Jane|""|19800101|F|||||||||""||||||""|||""||""|||||||""|""|||""`, 1)
	b3, _ := mapUpdate(t, m, nulls, state)
	if left := all[*fhir.Patient](b3)[0]; len(left.Extension) != 0 {
		t.Errorf(`an A08 with "" kept %v`, extURLs(left))
	}
}

// TestPID_BreedWithoutSpeciesWarns: the animal extension requires the
// species, so a breed alone is dropped and said so.
func TestPID_BreedWithoutSpeciesWarns(t *testing.T) {
	const msg = "MSH|^~\\&|A|H|||20240501||ADT^A04|1|P|2.5\nPID|1||M1^^^H^MR||Doe^Rex||20200101|M||||||||||||||||||||||||||||4880003^Beagle^SCT\n"
	b, ws, err := mustMapper(t, Options{}).MapWarnings(parse(t, msg))
	if err != nil {
		t.Fatal(err)
	}
	if p := all[*fhir.Patient](b)[0]; countURL(p, extAnimal) != 0 {
		t.Errorf("animal without species: %s", jsonOf(t, p))
	}
	if !hasWarning(ws, "PID-36") {
		t.Errorf("no PID-36 warning in %v", ws)
	}
}
