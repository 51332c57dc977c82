package engine

import (
	"testing"

	"github.com/switchboard-hl7/switchboard/hl7"
)

const adtA01 = "MSH|^~\\&|EPIC|HOSP|SB|SB|20240305103000||ADT^A01^ADT_A01|CTL1|P|2.5.1\rPID|1||123^^^MRN^MR||Doe^Jane\rPV1|1|I|4W^401^A\r"

func TestFilter_Match(t *testing.T) {
	m, err := hl7.Parse([]byte(adtA01))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]bool{
		`type == "ADT" && trigger in ["A01", "A04"]`:  true,
		`field("PV1-2") != "P"`:                       true,
		`field("PV1-2") == "O"`:                       false,
		`has("PID-3") && !has("PID-29")`:              true,
		`field("PID-3.4") == "MRN" && channel == "c"`: true,
		`tenant == "t" && structure == "ADT_A01"`:     true,
		`control_id startsWith "CTL"`:                 true,
		`version == "2.3"`:                            false,
	}
	for src, want := range tests {
		f, err := compileFilter(src)
		if err != nil {
			t.Errorf("compile %q: %v", src, err)
			continue
		}
		got, err := f.Match(m, "c", "t")
		if err != nil || got != want {
			t.Errorf("%q = %v, %v; want %v", src, got, err, want)
		}
	}
}

func TestSubject_Render(t *testing.T) {
	m, _ := hl7.Parse([]byte(adtA01))
	tests := map[string]string{
		DefaultSubject:                    "fhir.t.ADT.A01",
		"fhir.{tenant}.{channel}.{MSH-4}": "fhir.t.adt_in.HOSP",
		"x.{PID-5}":                       "x.Doe^Jane",
		"x.{PID-99}":                      "x._",
	}
	for tmpl, want := range tests {
		s, err := parseSubject(tmpl)
		if err != nil {
			t.Fatalf("parse %q: %v", tmpl, err)
		}
		if got := s.Render(m, "adt.in", "t"); got != want {
			t.Errorf("Render(%q) = %q, want %q", tmpl, got, want)
		}
	}
	for _, bad := range []string{"fhir..x", "fhir.>", "fhir.*.x", "{nope}", "a.{PID-3", ".a"} {
		if _, err := parseSubject(bad); err == nil {
			t.Errorf("parseSubject(%q) succeeded", bad)
		}
	}
}
