package fhir

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// usCoreCareTeam is shaped like US Core 6.1's CareTeam example, with a
// reasonReference this package keeps as an unknown member.
const usCoreCareTeam = `{
  "resourceType": "CareTeam",
  "id": "example",
  "status": "active",
  "name": "Primary care team",
  "subject": {"reference": "Patient/example", "display": "Amy Shaw"},
  "period": {"start": "2013-01-01"},
  "participant": [
    {"role": [{"coding": [{"system": "http://snomed.info/sct", "code": "116154003", "display": "Patient"}]}],
     "member": {"reference": "Patient/example"}},
    {"role": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0443", "code": "AT"}]}],
     "member": {"reference": "Practitioner/p1"}, "onBehalfOf": {"reference": "Organization/o1"},
     "period": {"end": "2013-12-31"}}
  ],
  "reasonCode": [{"text": "diabetes"}],
  "reasonReference": [{"reference": "Condition/c1"}],
  "telecom": [{"system": "phone", "value": "555-0100"}]
}`

func TestCareTeam_DecodesAndEncodesUSCoreExample(t *testing.T) {
	r, err := UnmarshalResource([]byte(usCoreCareTeam))
	if err != nil {
		t.Fatal(err)
	}
	ct, ok := r.(*CareTeam)
	if !ok {
		t.Fatalf("decoded as %T", r)
	}
	p := ct.Participant[1]
	if p.Member.Reference != "Practitioner/p1" || p.OnBehalfOf.Reference != "Organization/o1" || p.Period.End != "2013-12-31" || p.Role[0].Coding[0].Code != "AT" {
		t.Errorf("participant decoded as %+v", p)
	}
	if ct.Unknown.Get("reasonReference") == nil {
		t.Error("reasonReference lost")
	}
	out, err := Marshal(ct)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(generic(t, []byte(usCoreCareTeam)), generic(t, out)); diff != "" {
		t.Errorf("re-encoded CareTeam differs (-in +out):\n%s", diff)
	}
	var viaJSON CareTeam
	if err := json.Unmarshal(out, &viaJSON); err != nil || viaJSON.Status != "active" {
		t.Errorf("json.Unmarshal: %v, status %q", err, viaJSON.Status)
	}
}
