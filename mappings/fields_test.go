package mappings

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

func mustRule(t *testing.T, from, to string) FieldRule {
	t.Helper()
	fp, err := hl7.ParsePath(from)
	if err != nil {
		t.Fatal(err)
	}
	tp, err := fhir.ParsePath(to)
	if err != nil {
		t.Fatal(err)
	}
	return FieldRule{From: fp, To: tp}
}

// A channel maps a Z-segment field to an extension, overrides an element,
// and names its local code system, without code changes.
func TestFieldRulesAndCodeSystems(t *testing.T) {
	const msg = "MSH|^~\\&|ADT|HOSP|SB|HOSP|20260101120000||ADT^A01^ADT_A01|CTRL1|P|2.5.1\r" +
		"PID|1||MRN123^^^HOSP^MR||DOE^JANE||19800102|F\r" +
		"PV1|1|I|4W^401^A|||||||CARD\r" +
		"OBX|1|CE|8867-4^Heart rate^LN||72|/min^^UCUM|||||F\r" +
		"OBX|2|CE|XYZ^Local thing^99LAB||Y||||||F\r" +
		"ZPI|1|VIP\\T\\Gold|\"\"\r"
	m := mustMapper(t, Options{
		CodeSystems: map[string]string{"99LAB": "https://hospital.example/codes/lab"},
		Fields: []FieldRule{
			mustRule(t, "ZPI-2", "Patient.extension(https://hospital.example/fhir/vip).valueString"),
			mustRule(t, "ZPI-3", "Patient.maritalStatus.text"), // "" changes nothing
			mustRule(t, "ZPI-9", "Patient.name[0].text"),       // empty changes nothing
			mustRule(t, "PV1-10", "Encounter.serviceType.text"),
			mustRule(t, "PV1-10", "Observation[1].method.text"),
		},
	})
	parsed, err := hl7.Parse([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	out, warnings, err := m.MapJSONWarnings(parsed)
	if err != nil {
		t.Fatal(err)
	}
	validateBundle(t, "fields", out)
	var b any
	json.Unmarshal(out, &b)
	for path, want := range map[string]string{
		"Patient.extension(https://hospital.example/fhir/vip).valueString": "VIP&Gold",
		"Encounter.serviceType.text":                                       "CARD",
		"Observation[1].method.text":                                       "CARD",
		"Observation[1].code.coding.system":                                "https://hospital.example/codes/lab",
		"Observation[0].code.coding.system":                                "http://loinc.org",
	} {
		p, _ := fhir.ParsePath(path)
		got := fhir.Select(b, p)
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s = %v, want %q", path, got, want)
		}
	}
	for _, path := range []string{"Patient.maritalStatus", "Observation[0].method"} {
		p, _ := fhir.ParsePath(path)
		if got := fhir.Select(b, p); len(got) != 0 {
			t.Errorf("%s = %v, want nothing", path, got)
		}
	}
	if len(warnings) != 0 {
		t.Errorf("warnings %v", warnings)
	}
	// Without a rule reading ZPI, it is reported (not silently dropped),
	// unless the channel ignores it.
	for _, ignore := range []bool{false, true} {
		o := Options{}
		if ignore {
			o.IgnoreSegments = []string{"ZPI"}
		}
		_, ws, err := mustMapper(t, o).MapJSONWarnings(parsed)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(ws) == 1 && ws[0].Field == "ZPI"; got == ignore {
			t.Errorf("ignore=%v: warnings %v", ignore, ws)
		}
	}
	// The same bytes through Map (not streamed) and MapJSON.
	bundle, err := m.Map(parsed)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := fhir.Marshal(bundle); string(again) != string(out) {
		t.Error("Map and MapJSON differ with field rules")
	}
}

func TestFieldRules_RefusedWhenTheElementCannotBeSet(t *testing.T) {
	for _, to := range []string{"Patient.name", "Patient.nmae.text", "Spaceship.name"} {
		if _, err := New(Options{Fields: []FieldRule{mustRule(t, "ZPI-2", to)}}); err == nil {
			t.Errorf("rule → %s accepted", to)
		}
	}
	if _, err := New(Options{CodeSystems: map[string]string{"99X": "not a uri"}}); err == nil {
		t.Error("a code system that is not a URI was accepted")
	}
}

// An update without the Z-segment keeps what the rules set before, as an
// omitted PID field does; "" in the field lets it go.
func TestFieldRules_CarriedByUpdates(t *testing.T) {
	const vip = "Patient.extension(https://hospital.example/fhir/vip).valueString"
	m := mustMapper(t, Options{Fields: []FieldRule{
		mustRule(t, "ZPI-2", vip),
		mustRule(t, "ZPV-2", "Encounter.serviceType.text"),
	}})
	const a01 = "MSH|^~\\&|A|H|||20240501||ADT^A01|1|P|2.5\nPID|1||M1^^^H^MR||Doe^Jane||19800101|F\nPV1|1|I|4W^1^A||||||||||||||||V1^^^H\nZPI|1|GOLD\nZPV|1|CARD\n"
	_, state := mapUpdate(t, m, a01, nil)
	sel := func(b *fhir.Bundle, path string) []any {
		t.Helper()
		var doc any
		json.Unmarshal([]byte(jsonOf(t, b)), &doc)
		p, _ := fhir.ParsePath(path)
		return fhir.Select(doc, p)
	}
	a08 := strings.NewReplacer("ADT^A01", "ADT^A08", "ZPI|1|GOLD\nZPV|1|CARD\n", "").Replace(a01)
	b, _ := mapUpdate(t, m, a08, state)
	if got := sel(b, vip); len(got) != 1 || got[0] != "GOLD" {
		t.Errorf("an A08 without ZPI: vip %v, want GOLD kept", got)
	}
	if got := sel(b, "Encounter.serviceType.text"); len(got) != 1 || got[0] != "CARD" {
		t.Errorf("an A08 without ZPV: serviceType %v, want CARD kept", got)
	}
	null := strings.NewReplacer("ADT^A01", "ADT^A08", "GOLD", `""`).Replace(a01)
	if b, _ := mapUpdate(t, m, null, state); len(sel(b, vip)) != 0 {
		t.Errorf(`ZPI-2 "" kept the vip extension: %v`, sel(b, vip))
	}
	if b, _ := mapUpdate(t, m, a08, nil); len(sel(b, vip)) != 0 {
		t.Errorf("without a previous version the A08 has a vip extension: %v", sel(b, vip))
	}
}
