package mappings

import (
	"encoding/json"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what Errorf reports, to show that an
// assertion fails when it should.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, format)
}

func TestAssertUSCore_CatchesViolations(t *testing.T) {
	for _, tc := range []struct {
		name, rt, res string
		fails         bool
	}{
		{"lab observation", "Observation", `{"subject":{},"category":[{"coding":[{"system":"` + sysObservationCategory + `","code":"laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"2345-7"}]}}`, false},
		{"no subject", "Observation", `{"code":{}}`, true},
		{"vital sign as laboratory", "Observation", `{"subject":{},"category":[{"coding":[{"system":"` + sysObservationCategory + `","code":"laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]}}`, true},
		{"vital sign in a wrong UCUM unit", "Observation", `{"subject":{},"category":[{"coding":[{"system":"` + sysObservationCategory + `","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},"valueQuantity":{"value":37,"system":"http://unitsofmeasure.org","code":"K"}}`, true},
		{"vital sign in Cel", "Observation", `{"subject":{},"category":[{"coding":[{"system":"` + sysObservationCategory + `","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},"valueQuantity":{"value":37,"system":"http://unitsofmeasure.org","code":"Cel"}}`, false},
		{"chemistry report without LAB", "DiagnosticReport", `{"subject":{},"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"CH"}]}]}`, true},
		{"chemistry report with LAB", "DiagnosticReport", `{"subject":{},"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"LAB"},{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"CH"}]}]}`, false},
		{"radiology report", "DiagnosticReport", `{"subject":{},"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"RAD"}]}]}`, false},
		{"order without code", "ServiceRequest", `{"subject":{}}`, true},
		{"provenance agent without who", "Provenance", `{"agent":[{"type":{}}]}`, true},
	} {
		var res map[string]any
		if err := json.Unmarshal([]byte(tc.res), &res); err != nil {
			t.Fatal(tc.name, err)
		}
		rec := &recorder{TB: t}
		assertUSCoreResults(rec, tc.name, 0, tc.rt, res)
		if got := len(rec.errs) > 0; got != tc.fails {
			t.Errorf("%s: failed %v (%s), want %v", tc.name, got, strings.Join(rec.errs, "; "), tc.fails)
		}
	}
}
