package mappings

import (
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

const allergyJSON = `{"resourceType":"Bundle","type":"collection","entry":[
 {"fullUrl":"urn:uuid:pat","resource":` + patientJSON + `},
 {"fullUrl":"urn:uuid:ai","resource":{"resourceType":"AllergyIntolerance","id":"a1",
   "identifier":[{"system":"http://app.example/allergy","value":"AL-5"}],
   "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},
   "verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification","code":"confirmed"}]},
   "category":["medication"],"criticality":"high",
   "code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"7980","display":"Penicillin G"}]},
   "patient":{"reference":"urn:uuid:pat"},"onsetDateTime":"2019-03-04T10:00:00+01:00","recordedDate":"2024-05-01T09:00:00-04:00",
   "reaction":[{"manifestation":[{"text":"Hives ^ rash"},{"coding":[{"system":"http://snomed.info/sct","code":"39579001","display":"Anaphylaxis"}]}],"severity":"severe"}]}}]}`

func TestOutbound_Allergies(t *testing.T) {
	b, msg := build(t, outOpts, KindAllergies, allergyJSON)
	if got := segmentNames(msg); got != "MSH EVN PID IAM" {
		t.Fatalf("segments %q\n%s", got, b.Message)
	}
	checkFields(t, msg, map[string]string{
		"MSH-9": "ADT^A60^ADT_A60", "EVN-1": "A60", "EVN-6": "20240501090000-0400",
		"IAM-1": "1", "IAM-2.1": "DA", "IAM-2.3": "HL70127", "IAM-3.1": "7980", "IAM-3.3": "RXNORM",
		"IAM-4.1": "SV", "IAM-5[1]": "Hives ^ rash", "IAM-5[2]": "Anaphylaxis", "IAM-6.1": "U",
		"IAM-7.1": "AL-5", "IAM-7.2": "http://app.example/allergy", "IAM-11": "20190304",
		"IAM-13": "20240501090000-0400", "IAM-17.1": "C",
	})

	// Before v2.4 the allergy travels in AL1, which the inbound map reads back.
	o := outOpts
	o.Version = "2.3.1"
	b, msg = build(t, o, KindAllergies, allergyJSON)
	if got := segmentNames(msg); got != "MSH EVN PID AL1" {
		t.Fatalf("segments %q\n%s", got, b.Message)
	}
	checkFields(t, msg, map[string]string{"MSH-12": "2.3.1", "AL1-2.1": "DA", "AL1-3.1": "7980", "AL1-4.1": "SV", "AL1-6": "20190304"})
	adt := strings.Replace(string(b.Message), "ADT^A60^ADT_A60", "ADT^A08^ADT_A01", 1)
	in, err := hl7.Parse([]byte(adt))
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := mustMapper(t, inboundOpts).Map(in)
	if err != nil {
		t.Fatal(err)
	}
	var ai *fhir.AllergyIntolerance
	for _, e := range bundle.Entry {
		if x, ok := e.Resource.(*fhir.AllergyIntolerance); ok {
			ai = x
		}
	}
	if ai == nil || ai.Criticality != "high" || len(ai.Category) != 1 || ai.Category[0] != "medication" ||
		ai.Code.Coding[0].Code != "7980" || ai.Code.Coding[0].System != "http://www.nlm.nih.gov/research/umls/rxnorm" ||
		ai.OnsetDateTime == nil || *ai.OnsetDateTime != "2019-03-04" {
		t.Errorf("AL1 read back as %+v", ai)
	}
}

func TestOutbound_InvalidAllergies(t *testing.T) {
	for _, tc := range []invalidCase{
		{"allergy without code", KindAllergies, strings.Replace(allergyJSON, `"code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"7980","display":"Penicillin G"}]},`, "", 1), "has no code"},
	} {
		checkInvalid(t, tc)
	}
}
