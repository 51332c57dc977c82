package fhir

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParsePath_RoundTripAndErrors(t *testing.T) {
	for _, s := range []string{
		"Patient.name[0].family",
		"Encounter.serviceType.text",
		"Patient.extension(https://hospital.example/fhir/vip.x).valueString",
		"Observation[2].valueQuantity.value",
		"Patient",
	} {
		p, err := ParsePath(s)
		if err != nil || p.String() != s {
			t.Errorf("ParsePath(%q) = %v, %v", s, p, err)
		}
	}
	for _, s := range []string{"", "patient.name", "Patient..name", "Patient.name[x]", "Patient.name[-1]", "Patient.name(http://x)", "Patient.extension(", "Patient.na-me"} {
		if _, err := ParsePath(s); err == nil {
			t.Errorf("ParsePath(%q) succeeded", s)
		}
	}
}

func TestPath_SettableNamesTheProblem(t *testing.T) {
	for s, want := range map[string]string{
		"Patient.nmae.family":     `did you mean "name"`,
		"Patient.name":            "not a string element",
		"Patient.gender[1]":       "does not repeat",
		"Spaceship.name":          "not a resource type",
		"Patient.birthDate.value": `has no element "value"`,
	} {
		p, err := ParsePath(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Settable(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want …%s…", s, err, want)
		}
	}
}

func TestSetString_MakesWhatIsMissing(t *testing.T) {
	p := &Patient{ID: "p1", Name: []HumanName{{Family: "DOE"}}}
	for path, v := range map[string]string{
		"Patient.name[0].text":                                 "Jane Doe",
		"Patient.name[1].family":                               "SMITH",
		"Patient.maritalStatus.text":                           "married",
		"Patient.extension(https://h.example/vip).valueString": "Y",
	} {
		pp, err := ParsePath(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := SetString(p, pp, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	// Setting the same extension again changes it rather than adding one.
	pp, _ := ParsePath("Patient.extension(https://h.example/vip).valueString")
	SetString(p, pp, "N")
	out, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"resourceType":"Patient","id":"p1","extension":[{"url":"https://h.example/vip","valueString":"N"}],"name":[{"text":"Jane Doe","family":"DOE"},{"family":"SMITH"}],"maritalStatus":{"text":"married"}}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	if err := SetString(&Encounter{}, pp, "x"); err == nil {
		t.Error("a Patient path was set on an Encounter")
	}
	// Copy on write: a value shared with another resource is not changed.
	shared := []HumanName{{Family: "DOE"}}
	a, b := &Patient{Name: shared}, &Patient{Name: shared}
	np, _ := ParsePath("Patient.name[0].family")
	SetString(a, np, "CHANGED")
	if b.Name[0].Family != "DOE" || a.Name[0].Family != "CHANGED" {
		t.Errorf("shared name changed: a %v b %v", a.Name, b.Name)
	}
}

func TestSelect_OnABundle(t *testing.T) {
	var b any
	json.Unmarshal([]byte(`{"resourceType":"Bundle","entry":[
		{"resource":{"resourceType":"Patient","name":[{"family":"A"},{"family":"B"}],"extension":[{"url":"u1","valueString":"x"}]}},
		{"resource":{"resourceType":"Observation","status":"final"}},
		{"resource":{"resourceType":"Observation","status":"amended"}}]}`), &b)
	for s, want := range map[string]string{
		"Patient.name.family":               "[A B]",
		"Patient.name[1].family":            "[B]",
		"Patient.extension(u1).valueString": "[x]",
		"Patient.extension(u2).valueString": "[]",
		"Observation.status":                "[final amended]",
		"Observation[1].status":             "[amended]",
		"Encounter.status":                  "[]",
	} {
		p, err := ParsePath(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(strings.Fields(strings.Trim(fmtAny(Select(b, p)), "")), " "); got != want {
			t.Errorf("Select(%s) = %s, want %s", s, got, want)
		}
	}
}

func fmtAny(v []any) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i], _ = x.(string)
	}
	return "[" + strings.Join(parts, " ") + "]"
}
