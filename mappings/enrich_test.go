package mappings

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

const enrichADT = "MSH|^~\\&|ADT|HOSP|SB|HOSP|20260101120000||ADT^A08^ADT_A01|CTRL1|P|2.5.1\r" +
	"EVN|A08|20260101120000\r" +
	"PID|1||MRN123^^^HOSP^MR||DOE^JANE||19800102|F\r" +
	"PV1|1|I|4W^401^A||||1234^WELBY^MARCUS|||||||||||V100\r"

// The EHR's Patient gives the Bundle's Patient its id (and every
// reference to it), fills what the message lacks without overriding what
// it carries, and included resources join the Bundle under their EHR ids.
func TestMapJSONEnriched_UsesTheEHRPatientAndIncludes(t *testing.T) {
	msg, err := hl7.Parse([]byte(enrichADT))
	if err != nil {
		t.Fatal(err)
	}
	patient := mustDecode(t, `{"resourceType":"Patient","id":"eXyZ123","identifier":[{"system":"urn:oid:1.2.3","value":"E999"}],
			"name":[{"family":"EHRNAME"}],"gender":"male","telecom":[{"system":"phone","value":"555-0100"}],
			"extension":[{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex","valueCode":"F"}],
			"someFutureElement":{"x":1}}`)
	coverage := mustDecode(t, `{"resourceType":"Coverage","id":"cov-1","status":"active",
			"beneficiary":{"reference":"Patient/eXyZ123"},"payor":[{"display":"Acme Health"}]}`)
	enr := &Enrichment{
		BaseURL: "https://ehr.example.org/api/FHIR/R4/",
		Patient: patient.Resource.(*fhir.Patient),
		Include: []EHRResource{coverage},
	}
	out, _, err := mustMapper(t, Options{Namespace: "t1"}).MapJSONEnriched(msg, enr)
	if err != nil {
		t.Fatal(err)
	}
	validateBundle(t, "enriched", out)
	var b struct {
		Entry []struct {
			FullURL  string         `json:"fullUrl"`
			Resource map[string]any `json:"resource"`
			Request  struct{ URL string }
		}
	}
	if err := json.Unmarshal(out, &b); err != nil {
		t.Fatal(err)
	}
	byType := map[string]map[string]any{}
	urls := map[string]string{}
	for _, e := range b.Entry {
		rt := e.Resource["resourceType"].(string)
		byType[rt], urls[rt] = e.Resource, e.FullURL+" "+e.Request.URL
	}
	p := byType["Patient"]
	if p["id"] != "eXyZ123" || urls["Patient"] != "https://ehr.example.org/api/FHIR/R4/Patient/eXyZ123 Patient/eXyZ123" {
		t.Errorf("Patient id %v at %q, want the EHR's id and URL", p["id"], urls["Patient"])
	}
	if p["gender"] != "female" {
		t.Errorf("gender %v: the message's F must win over the EHR's male", p["gender"])
	}
	if name := p["name"].([]any)[0].(map[string]any); name["family"] != "DOE" {
		t.Errorf("name %v: the message's name must win", name)
	}
	if tel, _ := p["telecom"].([]any); len(tel) != 1 {
		t.Errorf("telecom %v: the message has none, the EHR's should fill it", p["telecom"])
	}
	if ids := p["identifier"].([]any); len(ids) != 2 {
		t.Errorf("identifiers %v: want the message's MRN and the EHR's", ids)
	}
	if _, ok := p["extension"]; !ok {
		t.Error("the EHR's extensions (birth sex) were not kept")
	}
	enc := byType["Encounter"]
	if subj := enc["subject"].(map[string]any)["reference"]; subj != "https://ehr.example.org/api/FHIR/R4/Patient/eXyZ123" {
		t.Errorf("Encounter.subject %v, want the EHR Patient", subj)
	}
	if byType["Coverage"] == nil || urls["Coverage"] != "https://ehr.example.org/api/FHIR/R4/Coverage/cov-1 Coverage/cov-1" {
		t.Errorf("Coverage missing or misplaced: %q", urls["Coverage"])
	}
	if strings.Contains(string(out), "someFutureElement") {
		t.Error("an element R4 does not define was copied from the EHR Patient into the Bundle")
	}

	// Without enrichment the Patient keeps its hashed id.
	plain, _, err := mustMapper(t, Options{Namespace: "t1"}).MapJSONEnriched(msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(plain), "eXyZ123") {
		t.Error("a nil enrichment changed the Bundle")
	}
}

func mustDecode(t *testing.T, raw string) EHRResource {
	t.Helper()
	r, err := DecodeEHRResource([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMapJSONEnriched_RefusesResourcesWithoutIDs(t *testing.T) {
	for _, raw := range []string{`{"resourceType":"Coverage"}`, `not json`, `{"id":"x"}`} {
		if _, err := DecodeEHRResource([]byte(raw)); err == nil {
			t.Errorf("DecodeEHRResource(%s) succeeded", raw)
		}
	}
	msg, _ := hl7.Parse([]byte(enrichADT))
	if _, _, err := mustMapper(t, Options{}).MapJSONEnriched(msg, &Enrichment{Patient: &fhir.Patient{}}); err == nil {
		t.Error("a Patient without id mapped")
	}
}

// One decoded Patient serves concurrent mappings (the engine caches it):
// mapping must never write into it.
func TestMapJSONEnriched_SharedPatientIsNotModified(t *testing.T) {
	msg, _ := hl7.Parse([]byte(enrichADT))
	shared := mustDecode(t, `{"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:x","value":"1"}],"telecom":[{"system":"phone","value":"1"}]}`)
	before, _ := fhir.Marshal(shared.Resource)
	m := mustMapper(t, Options{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if _, _, err := m.MapJSONEnriched(msg, &Enrichment{Patient: shared.Resource.(*fhir.Patient)}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if after, _ := fhir.Marshal(shared.Resource); string(after) != string(before) {
		t.Errorf("the shared Patient changed:\n%s\n%s", before, after)
	}
}

// The message's race replaces the EHR's; the EHR's birth sex, which the
// message cannot carry, stays beside it.
func TestMapJSONEnriched_ExtensionsByURL(t *testing.T) {
	msg := parse(t, strings.Replace(enrichADT, "19800102|F", "19800102|F||2106-3^White^HL70005", 1))
	patient := mustDecode(t, `{"resourceType":"Patient","id":"eXyZ123","extension":[
			{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-race","extension":[
				{"url":"ombCategory","valueCoding":{"system":"urn:oid:2.16.840.1.113883.6.238","code":"2028-9","display":"Asian"}},
				{"url":"text","valueString":"Asian"}]},
			{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex","valueCode":"F"}]}`)
	enr := &Enrichment{BaseURL: "https://ehr.example.org/fhir", Patient: patient.Resource.(*fhir.Patient)}
	m := mustMapper(t, Options{})
	out, _, err := m.MapJSONEnriched(msg, enr)
	if err != nil {
		t.Fatal(err)
	}
	validateBundle(t, "enriched", out)
	var got struct {
		Entry []struct{ Resource json.RawMessage }
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	var p fhir.Patient
	for _, e := range got.Entry {
		if strings.Contains(string(e.Resource), `"resourceType":"Patient"`) {
			if err := json.Unmarshal(e.Resource, &p); err != nil {
				t.Fatal(err)
			}
		}
	}
	var urls []string
	for _, e := range p.Extension {
		urls = append(urls, e.URL+" "+raceSummary(e))
	}
	want := []string{
		extUSCoreRace + " omb=2106-3 text=White",
		"http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex ",
	}
	if strings.Join(urls, "\n") != strings.Join(want, "\n") {
		t.Errorf("extensions\n%s\nwant\n%s", strings.Join(urls, "\n"), strings.Join(want, "\n"))
	}
	if len(enr.Patient.Extension) != 2 || raceSummary(enr.Patient.Extension[0]) != "omb=2028-9 text=Asian" {
		t.Error("the EHR Patient was changed")
	}
}
