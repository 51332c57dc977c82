package mappings

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
)

// oru maps a small ORU made of an MSH and the given segments (one per
// line), checks the bundle against the R4 schema and the US Core rules,
// and that Map's bundle encodes to MapJSON's bytes, and returns it with
// its warnings.
func oru(t *testing.T, segments string) (*fhir.Bundle, []Warning) {
	t.Helper()
	text := "MSH|^~\\&|LAB|LABFAC|EHR|HOSP|20240501103000-0400||ORU^R01^ORU_R01|MSG1|P|2.5.1\n" + strings.TrimSpace(segments)
	msg := parse(t, text)
	m := mustMapper(t, Options{})
	out, ws, err := m.MapJSONWarnings(msg)
	if err != nil {
		t.Fatal(err)
	}
	validateBundle(t, "oru", out)
	b, err := m.Map(msg)
	if err != nil {
		t.Fatal(err)
	}
	if built, err := fhir.Marshal(b); err != nil || !bytes.Equal(built, out) {
		t.Errorf("Map's bundle (err %v) differs from MapJSON's:\n%s\n%s", err, built, out)
	}
	return b, ws
}

// only returns the resources of one type, in bundle order.
func only[T fhir.Resource](b *fhir.Bundle) []T {
	var out []T
	for _, e := range b.Entry {
		if r, ok := e.Resource.(T); ok {
			out = append(out, r)
		}
	}
	return out
}

// url returns the fullUrl of the entry holding r.
func url(b *fhir.Bundle, r fhir.Resource) string {
	for _, e := range b.Entry {
		if e.Resource == r {
			return e.FullURL
		}
	}
	return ""
}

// js is the compact JSON of v, for comparisons.
func js(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// seg writes a segment from its fields by number, so that test messages
// need no counting of bars.
func seg(name string, fields map[int]string) string {
	n := 0
	for k := range fields {
		n = max(n, k)
	}
	parts := make([]string, n+1)
	parts[0] = name
	for k, v := range fields {
		parts[k] = v
	}
	return strings.Join(parts, "|") + "\n"
}

const pidPV1 = `PID|1||MRN1^^^HOSP^MR||Doe^Jane||19800101|F
PV1|1|O|CLINIC^^^HOSP||||||||||||||||V1^^^HOSP^VN
`

func TestORC_ServiceRequest(t *testing.T) {
	for _, tc := range []struct {
		name, segs                    string
		status, intent, authored, occ string
		requester                     string // family name of the Practitioner, or display
		requisition                   string
	}{
		{"ORC-5 completed, ORC-12 requester",
			seg("ORC", map[int]string{1: "RE", 2: "P1^EHR", 3: "F1^LAB", 4: "G1^EHR", 5: "CM", 9: "20240501090000-0400", 12: "1234^Smith^Ann^^^^^^NPI"}) +
				seg("OBR", map[int]string{1: "1", 4: "2345-7^Glucose^LN", 6: "20240502", 7: "20240501080000-0400", 16: "9999^Jones^Bob", 24: "CH", 25: "F"}),
			"completed", "order", "", "2024-05-02", "Smith", "G1"},
		{"ORC-1 NW: active, authoredOn ORC-9, OBR-16 when ORC-12 is empty",
			seg("ORC", map[int]string{1: "NW", 2: "P1^EHR", 9: "20240501090000-0400"}) +
				seg("OBR", map[int]string{1: "1", 4: "2345-7^Glucose^LN", 7: "20240501080000-0400", 16: "9999^Jones^Bob", 24: "CH", 25: "P"}),
			"active", "order", "2024-05-01T09:00:00-04:00", "", "Jones", ""},
		{"RE without ORC-5: from the final result",
			seg("ORC", map[int]string{1: "RE", 2: "P1^EHR"}) + seg("OBR", map[int]string{1: "1", 4: "2345-7^Glucose^LN", 24: "CH", 25: "F"}),
			"completed", "order", "", "", "", ""},
		{"no ORC, preliminary result: active; OBR-11 G: reflex",
			seg("OBR", map[int]string{1: "1", 2: "P1^EHR", 3: "F1^LAB", 4: "2345-7^Glucose^LN", 11: "G", 24: "CH", 25: "P"}),
			"active", "reflex-order", "", "", "", ""},
		{"cancelled order",
			seg("ORC", map[int]string{1: "CA", 2: "P1^EHR", 5: "CA"}) + seg("OBR", map[int]string{1: "1", 4: "2345-7^Glucose^LN", 24: "CH", 25: "X"}),
			"revoked", "order", "", "", "", ""},
		{"nothing to go by: unknown",
			"OBR|1|P1^EHR||2345-7^Glucose^LN",
			"unknown", "order", "", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := oru(t, pidPV1+tc.segs)
			srs := only[*fhir.ServiceRequest](b)
			drs := only[*fhir.DiagnosticReport](b)
			if len(srs) != 1 || len(drs) != 1 {
				t.Fatalf("%d requests, %d reports", len(srs), len(drs))
			}
			sr, dr := srs[0], drs[0]
			if sr.Status != tc.status || sr.Intent != tc.intent || sr.AuthoredOn != tc.authored {
				t.Errorf("status %q intent %q authoredOn %q", sr.Status, sr.Intent, sr.AuthoredOn)
			}
			if got := ""; sr.OccurrenceDateTime != nil {
				got = *sr.OccurrenceDateTime
				if got != tc.occ {
					t.Errorf("occurrence %q", got)
				}
			} else if tc.occ != "" {
				t.Errorf("no occurrence, want %q", tc.occ)
			}
			if sr.Code == nil || sr.Code.Coding[0].Code != "2345-7" || sr.Subject == nil || sr.Encounter == nil {
				t.Errorf("code %v subject %v encounter %v", sr.Code, sr.Subject, sr.Encounter)
			}
			if len(dr.BasedOn) != 1 || dr.BasedOn[0].Reference != url(b, sr) {
				t.Errorf("report basedOn %v", dr.BasedOn)
			}
			// The report has the order's numbers, and ORC-4 (PGN) besides.
			extra := 0
			if tc.requisition != "" {
				extra = 1
			}
			if len(sr.Identifier) == 0 || len(dr.Identifier) != len(sr.Identifier)+extra ||
				js(t, sr.Identifier) != js(t, dr.Identifier[:len(sr.Identifier)]) ||
				extra == 1 && dr.Identifier[len(dr.Identifier)-1].Value != tc.requisition {
				t.Errorf("identifiers %s vs %s", js(t, sr.Identifier), js(t, dr.Identifier))
			}
			switch {
			case tc.requester == "" && sr.Requester != nil:
				t.Errorf("requester %v", sr.Requester)
			case tc.requester != "":
				if sr.Requester == nil || !strings.Contains(js(t, b), `"family":"`+tc.requester+`"`) {
					t.Errorf("requester %v, want %s", sr.Requester, tc.requester)
				}
			}
			if tc.requisition != "" {
				if sr.Requisition == nil || sr.Requisition.Value != tc.requisition || sr.Requisition.Type.Coding[0].Code != "PGN" {
					t.Errorf("requisition %s", js(t, sr.Requisition))
				}
			} else if sr.Requisition != nil {
				t.Errorf("requisition %s", js(t, sr.Requisition))
			}
		})
	}
}

func TestOBR_DiagnosticReportDepth(t *testing.T) {
	b, _ := oru(t, pidPV1+
		seg("OBR", map[int]string{1: "1", 2: "P1^EHR", 3: "F1^LAB", 4: "2345-7^Glucose^LN", 7: "20240501080000-0400", 8: "20240501083000-0400",
			22: "20240501100000-0400", 24: "CH", 25: "F", 32: "777&Reader&Rita^20240501", 34: "88&Tech&Tom~&Hand&Hal", 35: "99&Typist&Tina"})+
		"OBX|1|NM|2345-7^Glucose^LN||98|mg/dL^^UCUM|||||F\n"+
		"SPM|1|S1&EHR^S1F&LAB||119297000^Blood^SCT\n"+
		seg("OBR", map[int]string{1: "2", 2: "P2^EHR", 3: "F2^LAB", 4: "24627-2^Chest CT^LN", 24: "CT", 25: "P"})+
		seg("OBR", map[int]string{1: "3", 2: "P3^EHR", 3: "F3^LAB", 4: "1234-5^Local panel^LN", 24: "ZZLAB", 25: "F"}))
	drs := only[*fhir.DiagnosticReport](b)
	if len(drs) != 3 {
		t.Fatalf("%d reports", len(drs))
	}
	dr := drs[0]
	if got := js(t, dr.Category); got != `[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"LAB","display":"Laboratory"}]},{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"CH","display":"Chemistry"}]}]` {
		t.Errorf("chemistry categories %s", got)
	}
	if dr.EffectivePeriod == nil || dr.EffectivePeriod.Start != "2024-05-01T08:00:00-04:00" || dr.EffectivePeriod.End != "2024-05-01T08:30:00-04:00" || dr.Issued != "2024-05-01T10:00:00-04:00" {
		t.Errorf("effective %v issued %q", dr.EffectivePeriod, dr.Issued)
	}
	if len(dr.ResultsInterpreter) != 1 || dr.ResultsInterpreter[0].Reference == "" {
		t.Errorf("resultsInterpreter %s", js(t, dr.ResultsInterpreter))
	}
	// OBR-34: a technician with an id (Practitioner) and one with a name
	// only (display); OBR-35 a transcriptionist; each with its function.
	perf := js(t, dr.Performer)
	for _, want := range []string{`"code":"SPRF"`, `"code":"TRANS"`, `"display":"Hal Hand"`, `"url":"` + extEventPerformerFn + `"`} {
		if !strings.Contains(perf, want) {
			t.Errorf("performer %s lacks %s", perf, want)
		}
	}
	if len(dr.Performer) != 3 || dr.Performer[0].Reference == "" {
		t.Errorf("%d performers: %s", len(dr.Performer), perf)
	}
	sps := only[*fhir.Specimen](b)
	if len(sps) != 1 || len(dr.Specimen) != 1 || dr.Specimen[0].Reference != url(b, sps[0]) {
		t.Errorf("report specimen %v", dr.Specimen)
	}
	if got := js(t, drs[1].Category); got != `[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"CT","display":"CAT Scan"}]}]` {
		t.Errorf("imaging categories %s", got)
	}
	if got := js(t, drs[2].Category); !strings.Contains(got, `"code":"LAB"`) || !strings.Contains(got, `"text":"ZZLAB"`) {
		t.Errorf("local section categories %s", got)
	}
}

func TestSPM_Specimen(t *testing.T) {
	b, ws := oru(t, pidPV1+
		"OBR|1|P1^EHR|F1^LAB|2345-7^Glucose^LN||||||||||||||||||||CH|F\n"+
		"OBX|1|NM|2345-7^Glucose^LN||98|mg/dL^^UCUM|||||F\n"+
		seg("SPM", map[int]string{1: "1", 2: "S1&EHR^S1F&LAB", 4: "119297000^Blood^SCT", 7: "VENIP^Venipuncture^HL70488", 8: "LACF^Left antecubital fossa^HL70163",
			12: "5^mL&milliliter&UCUM", 14: "Lavender top", 17: "20240501075500-0400^20240501080000-0400", 18: "20240501090000-0400", 20: "Y",
			24: "HEM^Hemolyzed^HL70493", 30: "ACC1^^^LAB"})+
		"NTE|1||Drawn after a meal\n"+
		"OBX|2|NM|19153-6^Specimen volume^LN||5|mL^^UCUM|||||F\n"+
		"SPM|2|||BLD\n"+
		"OBX|3|ST|1234-5^Note^L||x||||||F")
	sps := only[*fhir.Specimen](b)
	if len(sps) != 2 {
		t.Fatalf("%d specimens (warnings %v)", len(sps), ws)
	}
	sp := sps[0]
	want := map[string]string{
		"identifier":          `[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"PLAC","display":"Placer Identifier"}]},"system":"urn:switchboard:aa:EHR","value":"S1","assigner":{"display":"EHR"}},{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"FILL","display":"Filler Identifier"}]},"system":"urn:switchboard:aa:LAB","value":"S1F","assigner":{"display":"LAB"}}]`,
		"accessionIdentifier": `{"system":"urn:switchboard:aa:LAB","value":"ACC1","assigner":{"display":"LAB"}}`,
		"status":              `"available"`,
		"type":                `{"coding":[{"system":"http://snomed.info/sct","code":"119297000","display":"Blood"}]}`,
		"receivedTime":        `"2024-05-01T09:00:00-04:00"`,
		"collection":          `{"collectedPeriod":{"start":"2024-05-01T07:55:00-04:00","end":"2024-05-01T08:00:00-04:00"},"quantity":{"value":5,"unit":"milliliter","system":"http://unitsofmeasure.org","code":"mL"},"method":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0488","code":"VENIP","display":"Venipuncture"}]},"bodySite":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0163","code":"LACF","display":"Left antecubital fossa"}]}}`,
		"condition":           `[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0493","code":"HEM","display":"Hemolyzed"}]}]`,
		"note":                `[{"text":"Lavender top"},{"text":"Drawn after a meal"}]`,
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(js(t, sp)), &got); err != nil {
		t.Fatal(err)
	}
	for k, w := range want {
		if string(got[k]) != w {
			t.Errorf("%s\n got %s\nwant %s", k, got[k], w)
		}
	}
	if sp.Subject == nil || len(sp.Request) != 1 {
		t.Errorf("subject %v request %v", sp.Subject, sp.Request)
	}
	// The second SPM has no id: keyed by its place in the group, its type
	// a bare table 0487 code.
	if sps[1].ID == sp.ID || js(t, sps[1].Type) != `{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0487","code":"BLD"}]}` {
		t.Errorf("second specimen %s", js(t, sps[1]))
	}
	obs := only[*fhir.Observation](b)
	if len(obs) != 3 {
		t.Fatalf("%d observations", len(obs))
	}
	dr := only[*fhir.DiagnosticReport](b)[0]
	// Two SPM: the result's specimen is not guessed; the specimen
	// observations have their SPM as focus and specimen, and are not
	// results of the report.
	if obs[0].Specimen != nil || len(dr.Result) != 1 {
		t.Errorf("result specimen %v, %d results", obs[0].Specimen, len(dr.Result))
	}
	if obs[1].Specimen == nil || obs[1].Specimen.Reference != url(b, sps[0]) || len(obs[1].Focus) != 1 || obs[1].Focus[0].Reference != url(b, sps[0]) {
		t.Errorf("specimen observation %s", js(t, obs[1]))
	}
	if obs[2].Specimen == nil || obs[2].Specimen.Reference != url(b, sps[1]) {
		t.Errorf("second specimen observation %s", js(t, obs[2].Specimen))
	}
	// One SPM: the results refer to it.
	b, _ = oru(t, pidPV1+
		"OBR|1|P1^EHR|F1^LAB|2345-7^Glucose^LN||||||||||||||||||||CH|F\n"+
		"OBX|1|NM|2345-7^Glucose^LN||98|mg/dL^^UCUM|||||F\n"+
		"SPM|1|^S9&LAB||BLD")
	sp = only[*fhir.Specimen](b)[0]
	if o := only[*fhir.Observation](b)[0]; o.Specimen == nil || o.Specimen.Reference != url(b, sp) {
		t.Errorf("result specimen %v", o.Specimen)
	}
}

func TestNTE_Targets(t *testing.T) {
	b, ws := oru(t, "PID|1||MRN1^^^HOSP^MR||Doe^Jane\n"+
		"NTE|1||About the patient\n"+
		"OBR|1|P1^EHR|F1^LAB|2345-7^Glucose^LN||||||||||||||||||||CH|F\n"+
		"NTE|1||Order line one\\.br\\Order line two||1234^Smith^Ann^^^^^^NPI|20240501090000-0400\n"+
		"OBX|1|NM|2345-7^Glucose^LN||98|mg/dL^^UCUM|||||F\n"+
		"PRT|1|AD||RCT\n"+
		"NTE|1||Result note~second line\n"+
		"NTE|2||\n"+
		"SPM|1|^S9&LAB||BLD\n"+
		"NTE|1||Specimen note")
	sr := only[*fhir.ServiceRequest](b)[0]
	if len(sr.Note) != 1 || sr.Note[0].Text != "Order line one\nOrder line two" || sr.Note[0].Time != "2024-05-01T09:00:00-04:00" || sr.Note[0].AuthorReference == nil {
		t.Errorf("order note %s", js(t, sr.Note))
	}
	obs := only[*fhir.Observation](b)[0]
	if len(obs.Note) != 1 || obs.Note[0].Text != "Result note\nsecond line" {
		t.Errorf("result note %s", js(t, obs.Note))
	}
	sp := only[*fhir.Specimen](b)[0]
	if len(sp.Note) != 1 || sp.Note[0].Text != "Specimen note" {
		t.Errorf("specimen note %s", js(t, sp.Note))
	}
	if len(ws) != 1 || ws[0].String() != "NTE: NTE after PID is not mapped" {
		t.Errorf("warnings %v", ws)
	}
	if strings.Contains(js(t, b), "About the patient") {
		t.Error("the patient NTE went somewhere")
	}
}

func TestOBX_Depth(t *testing.T) {
	b, _ := oru(t, pidPV1+
		seg("OBR", map[int]string{1: "1", 2: "P1^EHR", 3: "F1^LAB", 4: "2345-7^Glucose^LN", 7: "20240501080000-0400", 24: "CH", 25: "F"})+
		seg("OBX", map[int]string{1: "1", 2: "NM", 3: "2345-7^Glucose^LN", 5: "98", 6: "mg/dL^^UCUM", 7: "70-99", 8: "H", 10: "A^An age-based population^HL70080",
			11: "F", 14: "20240501081500-0400", 16: "1^Obs^Olga^^^^^^NPI", 17: "AUTO^Automated^L", 18: "ANALYZER-7^LAB", 19: "20240501084500-0400",
			23: "Big Lab^L^^^^LAB&1.2.3&ISO^XX^^^BL1", 25: "5555^Director^Dan^^^^^^NPI"}))
	o := only[*fhir.Observation](b)[0]
	want := map[string]string{
		"extension":         `[{"url":"` + extNatureOfAbnormal + `","valueCodeableConcept":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0080","code":"A","display":"An age-based population"}]}},{"url":"` + extAnalysisDateTime + `","valueDateTime":"2024-05-01T08:45:00-04:00"}]`,
		"device":            `{"identifier":{"system":"urn:switchboard:aa:LAB","value":"ANALYZER-7","assigner":{"display":"LAB"}}}`,
		"method":            `{"coding":[{"code":"AUTO","display":"Automated"}]}`,
		"effectiveDateTime": `"2024-05-01T08:15:00-04:00"`,
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(js(t, o)), &got); err != nil {
		t.Fatal(err)
	}
	for k, w := range want {
		if string(got[k]) != w {
			t.Errorf("%s\n got %s\nwant %s", k, got[k], w)
		}
	}
	// OBX-16 observer, OBX-23 organization, OBX-25 director.
	if len(o.Performer) != 3 {
		t.Errorf("performers %s", js(t, o.Performer))
	}
	sr := only[*fhir.ServiceRequest](b)[0]
	if len(o.BasedOn) != 1 || o.BasedOn[0].Reference != url(b, sr) {
		t.Errorf("basedOn %v", o.BasedOn)
	}
}

func TestOBX_VitalSigns(t *testing.T) {
	b, ws := oru(t, pidPV1+
		seg("OBR", map[int]string{1: "1", 2: "P1^EHR", 3: "F1^LAB", 4: "8716-3^Vital signs^LN", 7: "20240501080000-0400", 24: "NRS", 25: "F"})+
		"OBX|1|NM|8867-4^Heart rate^LN||72|bpm|||||F\n"+
		"OBX|2|NM|8310-5^Body temperature^LN||98.6|F|||||F\n"+
		"OBX|3|NM|29463-7^Body weight^LN||70|kg^kilogram^UCUM|||||F\n"+
		"OBX|4|NM|8302-2^Body height^LN||170|furlongs|||||F\n"+
		"OBX|5|NM|HR^Pulse^L^8867-4^Heart rate^LN||60|/min^^UCUM|||||F\n"+
		"OBX|6|NM|2345-7^Glucose^LN||98|mg/dL^^UCUM|||||F")
	obs := only[*fhir.Observation](b)
	cats := func(o *fhir.Observation) string { return o.Category[0].Coding[0].Code }
	units := func(o *fhir.Observation) string {
		q := o.ValueQuantity
		return q.Unit + "|" + q.System + "|" + q.Code
	}
	for i, want := range []struct{ cat, units string }{
		{"vital-signs", "bpm|" + sysUCUM + "|/min"},
		{"vital-signs", "F|" + sysUCUM + "|[degF]"},
		{"vital-signs", "kilogram|" + sysUCUM + "|kg"},
		{"vital-signs", "furlongs||"},
		{"vital-signs", "/min|" + sysUCUM + "|/min"},
		{"laboratory", "mg/dL|" + sysUCUM + "|mg/dL"},
	} {
		if cats(obs[i]) != want.cat || units(obs[i]) != want.units {
			t.Errorf("OBX %d: category %s units %s, want %s %s", i+1, cats(obs[i]), units(obs[i]), want.cat, want.units)
		}
	}
	if len(ws) != 1 || ws[0].Field != "OBX[4]-6" {
		t.Errorf("warnings %v", ws)
	}
	// NRS (nursing) is not a lab section: the report has no LAB.
	if got := js(t, only[*fhir.DiagnosticReport](b)[0].Category); strings.Contains(got, `"LAB"`) {
		t.Errorf("vital signs report categories %s", got)
	}
}

func TestMSH_Provenance(t *testing.T) {
	b, _ := oru(t, pidPV1+"OBR|1|P1^EHR|F1^LAB|2345-7^Glucose^LN||||||||||||||||||||CH|F")
	ps := only[*fhir.Provenance](b)
	if len(ps) != 2 {
		t.Fatalf("%d provenances", len(ps))
	}
	src, tr := ps[0], ps[1]
	dr := only[*fhir.DiagnosticReport](b)[0]
	for _, p := range ps {
		if p.Recorded != "2024-05-01T10:30:00-04:00" || len(p.Target) != 1 || p.Target[0].Reference != url(b, dr) {
			t.Errorf("recorded %q targets %s", p.Recorded, js(t, p.Target))
		}
	}
	if src.Activity.Coding[0].Display != "message - ORU^R01^ORU_R01" || src.Agent[0].Who.Display != "LABFAC" || src.Agent[0].Type.Coding[0].Code != "author" {
		t.Errorf("source %s", js(t, src))
	}
	if tr.Activity.Coding[0].Code != "v2-fhir-transformation" || tr.Agent[0].Type.Coding[0].Code != "assembler" || tr.Agent[0].Who.Display == "" {
		t.Errorf("transformation %s", js(t, tr))
	}
	// Without a valid MSH-7 there is no recorded time: no Provenance.
	msg := parse(t, "MSH|^~\\&|LAB|LABFAC|EHR|HOSP|||ORU^R01|MSG1|P|2.5.1\n"+pidPV1+"OBR|1|P1^EHR|F1^LAB|2345-7^Glucose^LN")
	b2, err := mustMapper(t, Options{}).Map(msg)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(only[*fhir.Provenance](b2)); n != 0 {
		t.Errorf("%d provenances without MSH-7", n)
	}
}

// OBX-29 is a category; an ask-at-order-entry answer (QST) or supporting
// clinical information (SCI) supports the order instead of being one of
// the report's results (IG ORU_R01).
func TestOBX29_QuestionsSupportTheOrder(t *testing.T) {
	const msg = "MSH|^~\\&|LAB|H|||20240501||ORU^R01|1|P|2.8.2\nPID|1||M1^^^H^MR||Doe^Jane\n" +
		"ORC|RE|P1|F1\nOBR|1|P1|F1|2345-7^Glucose^LN|||20240501\n" +
		"OBX|1|CWE|49541-6^Fasting status^LN||Y^Yes^HL70136||||||F||||||||||||||||||QST\n" +
		"OBX|2|NM|2345-7^Glucose^LN||98|mg/dL|||||F||||||||||||||||||RSLT\n"
	b, err := mustMapper(t, Options{}).Map(parse(t, msg))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := fhir.Marshal(b)
	validateBundle(t, "obx-29", out)
	obs := all[*fhir.Observation](b)
	sr, dr := all[*fhir.ServiceRequest](b)[0], all[*fhir.DiagnosticReport](b)[0]
	if len(sr.SupportingInfo) != 1 || sr.SupportingInfo[0].Reference != "urn:uuid:"+obs[0].ID {
		t.Errorf("supportingInfo %s, want the QST observation", jsonOf(t, sr.SupportingInfo))
	}
	if len(dr.Result) != 1 || dr.Result[0].Reference != "urn:uuid:"+obs[1].ID {
		t.Errorf("results %s, want only the RSLT observation", jsonOf(t, dr.Result))
	}
	for i, want := range []string{"QST", "RSLT"} {
		cats := obs[i].Category
		if len(cats) != 2 || cats[0].Coding[0].Code != "laboratory" || cats[1].Coding[0].Code != want {
			t.Errorf("observation %d categories %s, want laboratory and %s", i, jsonOf(t, cats), want)
		}
	}
}

// Supporting clinical information that is a blood pressure (SCI systolic
// and diastolic) stays out of the report's results: the pair is not
// folded into a panel, whose place is a result (bp.go), but each is the
// ServiceRequest's supportingInfo. Map and MapJSON agree.
func TestOBX29_SupportingBloodPressureIsNoResult(t *testing.T) {
	const msg = "MSH|^~\\&|LAB|H|||20240501||ORU^R01|1|P|2.8.2\nPID|1||M1^^^H^MR||Doe^Jane\n" +
		"ORC|RE|P1|F1\nOBR|1|P1|F1|2345-7^Glucose^LN|||20240501\n" +
		"OBX|1|NM|8480-6^Systolic^LN||120|mm[Hg]|||||F||||||||||||||||||SCI\n" +
		"OBX|2|NM|8462-4^Diastolic^LN||80|mm[Hg]|||||F||||||||||||||||||SCI\n" +
		"OBX|3|NM|2345-7^Glucose^LN||98|mg/dL|||||F\n"
	m := mustMapper(t, Options{})
	b, err := m.Map(parse(t, msg))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := fhir.Marshal(b)
	validateBundle(t, "obx-29 sci", out)
	if streamed, err := m.MapJSON(parse(t, msg)); err != nil || !bytes.Equal(streamed, out) {
		t.Errorf("MapJSON differs from Map (%v)", err)
	}
	obs := all[*fhir.Observation](b)
	sr, dr := all[*fhir.ServiceRequest](b)[0], all[*fhir.DiagnosticReport](b)[0]
	if len(obs) != 3 || len(sr.SupportingInfo) != 2 || len(dr.Result) != 1 || dr.Result[0].Reference != "urn:uuid:"+obs[2].ID {
		t.Errorf("observations %d, supportingInfo %s, results %s: want the two pressures supporting the order and the glucose its result",
			len(obs), jsonOf(t, sr.SupportingInfo), jsonOf(t, dr.Result))
	}
}

// SPM-3 names the specimens a specimen was taken from: a parent with its
// own SPM in the message is referred to by fullUrl (even when it comes
// later), one that is only named by identifier, and a specimen naming
// itself is no parent. SPM-32 is an identifier of type SHIP.
func TestSPM_ParentsAndShipment(t *testing.T) {
	b, ws := oru(t, pidPV1+
		"OBR|1|P1^EHR|F1^LAB|2345-7^Glucose^LN||||||||||||||||||||CH|F\n"+
		seg("SPM", map[int]string{1: "1", 2: "^ALQ1&LAB", 3: "^TUBE1&LAB~PRIM9&EHR^~^ALQ1&LAB", 4: "SER", 32: "BOX7^LAB"})+
		"OBX|1|NM|2345-7^Glucose^LN||98|mg/dL^^UCUM|||||F\n"+
		seg("SPM", map[int]string{1: "2", 2: "^TUBE1&LAB", 4: "BLD"}))
	sps := only[*fhir.Specimen](b)
	if len(sps) != 2 {
		t.Fatalf("%d specimens (warnings %v)", len(sps), ws)
	}
	child, tube := sps[0], sps[1]
	if len(child.Parent) != 2 {
		t.Fatalf("parents %s", js(t, child.Parent))
	}
	if child.Parent[0].Reference != url(b, tube) || child.Parent[0].Identifier != nil {
		t.Errorf("parent with its own SPM: %s", js(t, child.Parent[0]))
	}
	if got := js(t, child.Parent[1]); got != `{"type":"Specimen","identifier":{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"PLAC","display":"Placer Identifier"}]},"system":"urn:switchboard:aa:EHR","value":"PRIM9","assigner":{"display":"EHR"}}}` {
		t.Errorf("parent named only: %s", got)
	}
	if tube.Parent != nil {
		t.Errorf("the tube has parents %s", js(t, tube.Parent))
	}
	ship := child.Identifier[len(child.Identifier)-1]
	if got := js(t, ship); got != `{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"SHIP"}]},"system":"urn:switchboard:aa:LAB","value":"BOX7","assigner":{"display":"LAB"}}` {
		t.Errorf("shipment id %s", got)
	}
}

// SPM-3 names a parent by the placer's id, the filler's or both, and the
// parent's SPM-2 may carry more than SPM-3 repeats: a parent in the
// message is still referred to by fullUrl, a specimen naming itself by
// its other id is no parent, and a parent whose SPM the message skips
// (outside an OBR group) is named by identifier, never by a fullUrl that
// resolves to nothing. (oru checks that Map and MapJSON agree.)
func TestSPM_ParentMatchedByEitherID(t *testing.T) {
	const obr = "OBR|1|P1^EHR|F1^LAB|2345-7^Glucose^LN||||||||||||||||||||CH|F\n"
	tube := seg("SPM", map[int]string{1: "1", 2: "PT1&EHR^FT1&LAB", 4: "BLD"})
	for _, tc := range []struct {
		name, segs string
		want       string // the child's parents: "url" (the tube's fullUrl), "id:TYPE:value", or ""
	}{
		{name: "parent named by placer, keyed by filler",
			segs: obr + tube + seg("SPM", map[int]string{1: "2", 2: "^AL1&LAB", 3: "PT1&EHR", 4: "SER"}),
			want: "url"},
		{name: "parent named by filler, later in the message",
			segs: obr + seg("SPM", map[int]string{1: "2", 2: "^AL1&LAB", 3: "^FT1&LAB", 4: "SER"}) + tube,
			want: "url"},
		{name: "parent in another OBR group",
			segs: obr + tube + "OBR|2|P2^EHR|F2^LAB|2345-7^Glucose^LN||||||||||||||||||||CH|F\n" +
				seg("SPM", map[int]string{1: "2", 2: "^AL1&LAB", 3: "PT1&EHR^FT1&LAB", 4: "SER"}),
			want: "url"},
		{name: "itself by its placer id",
			segs: obr + seg("SPM", map[int]string{1: "2", 2: "PT1&EHR^AL1&LAB", 3: "PT1&EHR", 4: "SER"}),
			want: ""},
		{name: "parent's SPM outside an OBR group",
			segs: tube + obr + seg("SPM", map[int]string{1: "2", 2: "^AL1&LAB", 3: "^FT1&LAB", 4: "SER"}),
			want: "id:FILL:FT1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := "PID|1||MRN1^^^HOSP^MR||Doe^Jane||19800101|F\n" + tc.segs
			b, _ := oru(t, text)
			var child *fhir.Specimen
			var tubeURL string
			for _, sp := range only[*fhir.Specimen](b) {
				for _, id := range sp.Identifier {
					switch id.Value {
					case "AL1":
						child = sp
					case "FT1":
						tubeURL = url(b, sp)
					}
				}
			}
			if child == nil {
				t.Fatalf("no Specimen AL1 in %s", js(t, only[*fhir.Specimen](b)))
			}
			var got []string
			for _, p := range child.Parent {
				switch {
				case p.Reference != "" && p.Reference == tubeURL && p.Identifier == nil:
					got = append(got, "url")
				case p.Reference == "" && p.Identifier != nil && p.Identifier.Type != nil:
					got = append(got, "id:"+p.Identifier.Type.Coding[0].Code+":"+p.Identifier.Value)
				default:
					got = append(got, "other "+js(t, p))
				}
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("parents %q, want %q", got, tc.want)
			}
		})
	}
}

// An ORU's PD1-7 is the living-will Observation too (the IG's ORU_R01 map
// lists PD1[Observation-LivingWill]); it is no result of the report.
func TestORU_LivingWill(t *testing.T) {
	b, _ := oru(t, "PID|1||MRN1^^^HOSP^MR||Doe^Jane||19800101|F\n"+
		"PD1|||||||Y^Yes^HL70315\n"+
		"OBR|1|P1^EHR|F1^LAB|2345-7^Glucose^LN||||||||||||||||||||CH|F\n"+
		"OBX|1|NM|2345-7^Glucose^LN||98|mg/dL^^UCUM|||||F")
	obs := only[*fhir.Observation](b)
	if len(obs) != 2 {
		t.Fatalf("%d observations", len(obs))
	}
	var will *fhir.Observation
	for _, o := range obs {
		if firstCode(o.Code) == "http://loinc.org|75320-2" {
			will = o
		}
	}
	if will == nil || will.ValueCodeableConcept == nil || will.ValueCodeableConcept.Coding[0].Code != "Y" {
		t.Fatalf("living will %s", js(t, obs))
	}
	dr := only[*fhir.DiagnosticReport](b)[0]
	if len(dr.Result) != 1 || dr.Result[0].Reference == url(b, will) {
		t.Errorf("report results %s", js(t, dr.Result))
	}
}
