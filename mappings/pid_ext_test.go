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

// PID-34 makes the Patient's Provenance (IG PID[Provenance-Patient]); an
// IN1 with IN1-10/11 names the employer as Coverage.policyHolder.
func TestPID_LastUpdateProvenanceAndIN1PolicyHolder(t *testing.T) {
	const msg = "MSH|^~\\&|A|H|||20240501120000||ADT^A04|7|P|2.5\n" +
		"PID|1||M1^^^H^MR||Doe^Jane||19800101|F|||||||||||||||||||||||||20240430101500|RegFac^1.2.9^ISO\n" +
		"IN1|1|PLAN1|INS1^^^H|Insurer||||G1||E55^^^EMPL^EI~S9^^^EMPL^SN|Acme Corp\n"
	b, _, err := mustMapper(t, Options{}).MapWarnings(parse(t, msg))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := fhir.Marshal(b)
	validateBundle(t, "pid-34", out)
	pat := all[*fhir.Patient](b)[0]
	var prov *fhir.Provenance
	for _, p := range all[*fhir.Provenance](b) {
		if p.Activity != nil && p.Activity.Coding[0].Code == "UPDATE" {
			prov = p
		}
	}
	if prov == nil || len(prov.Target) != 1 || prov.Target[0].Reference != "urn:uuid:"+pat.ID ||
		prov.OccurredDateTime == nil || *prov.OccurredDateTime != "2024-04-30T10:15:00Z" || prov.Recorded != "2024-05-01T12:00:00Z" {
		t.Fatalf("patient provenance %s", jsonOf(t, prov))
	}
	org, ok := bundleResource(b, prov.Agent[0].Who.Reference).(*fhir.Organization)
	if !ok || org.Name != "RegFac" || len(org.Identifier) != 2 || org.Identifier[1].Value != "urn:oid:1.2.9" {
		t.Errorf("PID-34 organization %s", jsonOf(t, org))
	}
	cov := all[*fhir.Coverage](b)[0]
	holder, ok := bundleResource(b, cov.PolicyHolder.Reference).(*fhir.Organization)
	if !ok || holder.Name != "Acme Corp" || len(holder.Identifier) != 1 || holder.Identifier[0].Value != "E55" {
		t.Errorf("policy holder %s: want Acme Corp with E55 (not the SN id)", jsonOf(t, holder))
	}
}

// Two patients on one guarantor account each get their own Account: one
// resource per number would keep only the last patient sent as subject.
func TestPID_AccountPerPatient(t *testing.T) {
	m := mustMapper(t, Options{})
	accountOf := func(mrn string) *fhir.Account {
		t.Helper()
		msg := "MSH|^~\\&|A|H|||20240501||ADT^A04|" + mrn + "|P|2.5\nPID|1||" + mrn + "^^^H^MR||Doe^Jane|||||||||||||ACC1^^^H^AN\n"
		b, err := m.Map(parse(t, msg))
		if err != nil {
			t.Fatal(err)
		}
		return all[*fhir.Account](b)[0]
	}
	a, b := accountOf("M1"), accountOf("M2")
	if a.ID == b.ID || a.Identifier[0].Value != "ACC1" || b.Identifier[0].Value != "ACC1" {
		t.Errorf("accounts %s and %s: want two resources for ACC1", jsonOf(t, a), jsonOf(t, b))
	}
	if again := accountOf("M1"); again.ID != a.ID {
		t.Error("the same patient's account changed id")
	}
}

// Control ids are unique per sender only: two systems' messages with one
// MSH-10 about the same patient are two updates, and the Provenance of
// each (PID-33/34) must not overwrite the other's downstream, as the
// message's other Provenances do not.
func TestPID_LastUpdateProvenanceIdIsPerMessage(t *testing.T) {
	const reg = "MSH|^~\\&|REG|H|||20240501120000||ADT^A08|7|P|2.5\n" +
		"PID|1||M1^^^H^MR||Doe^Jane||19800101|F|||||||||||||||||||||||||20240430101500|RegFac^1.2.9^ISO\n"
	lab := strings.NewReplacer("|REG|H|||20240501120000|", "|LAB|L|||20240503090000|", "20240430101500", "20240502080000").Replace(reg)
	m := mustMapper(t, Options{})
	provID := func(text string) string {
		t.Helper()
		b, err := m.Map(parse(t, text))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range all[*fhir.Provenance](b) {
			if p.Activity != nil && p.Activity.Coding[0].Code == "UPDATE" {
				return p.ID
			}
		}
		t.Fatalf("no PID-34 Provenance in %s", jsonOf(t, b))
		return ""
	}
	if a, b := provID(reg), provID(lab); a == b {
		t.Errorf("two senders' messages with control id 7 give one Provenance id %s", a)
	}
	if a, b := provID(reg), provID(reg); a != b {
		t.Errorf("a replay changed the Provenance id: %s, %s", a, b)
	}
}
