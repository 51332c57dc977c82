package mappings

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// nastyFamily holds every v2 delimiter: it must come back unchanged and
// never break the message's structure.
const nastyFamily = `O'Brien|Smith^Jr&Co~X\Y`

// outNow is MSH-7 for the tests: an offset zone, with milliseconds.
var outNow = time.Date(2024, 5, 1, 10, 30, 0, 123e6, time.FixedZone("", -4*3600))

// outOpts pairs with inboundOpts: the assigning authority HOSP is the
// identifier system http://hospital.example/mrn both ways.
var outOpts = OutboundOptions{
	SendingApplication: "APP", SendingFacility: "APPFAC",
	ReceivingApplication: "EHR", ReceivingFacility: "HOSP",
	AssigningAuthorities: map[string]string{"http://hospital.example/mrn": "HOSP"},
}

var inboundOpts = Options{IdentifierSystems: map[string]string{"HOSP": "http://hospital.example/mrn"}}

const patientJSON = `{"resourceType":"Patient","id":"p1",
 "identifier":[
  {"use":"old","system":"http://hospital.example/mrn","value":"OLD1"},
  {"system":"urn:oid:2.16.840.1.113883.4.1","value":"999"},
  {"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"system":"http://hospital.example/mrn","value":"MRN-42"},
  {"system":"http://hl7.org/fhir/sid/us-ssn","value":"123-45-6789"}],
 "name":[{"use":"official","family":` + "\"O'Brien|Smith^Jr&Co~X\\\\Y\"" + `,"given":["Ann","Marie"]}],
 "gender":"female","birthDate":"1961-06-15"}`

// resultsBundle is a hand-written write-back request: a report, its
// order, its patient and seven results referenced every way the request
// allows (fullUrl, Type/id, contained).
const resultsBundle = `{"resourceType":"Bundle","type":"collection","entry":[
 {"fullUrl":"urn:uuid:pat","resource":` + patientJSON + `},
 {"fullUrl":"urn:uuid:sr","resource":{"resourceType":"ServiceRequest","id":"sr1","status":"completed","intent":"order",
   "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"PLAC"}]},"system":"urn:oid:1.2.3.4","value":"ORD-1"}],
   "code":{"coding":[{"system":"http://loinc.org","code":"24323-8"}]},"subject":{"reference":"urn:uuid:pat"}}},
 {"fullUrl":"urn:uuid:dr","resource":{"resourceType":"DiagnosticReport","id":"dr1",
   "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"FILL"}]},"system":"http://lab.example/filler","value":"FIL-9"}],
   "basedOn":[{"reference":"urn:uuid:sr"}],"status":"final",
   "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"LAB"}]},{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"CH"}]}],
   "code":{"coding":[{"system":"http://loinc.org","code":"24323-8","display":"Comprehensive metabolic panel"}],"text":"CMP"},
   "subject":{"reference":"Patient/p1"},
   "effectiveDateTime":"2024-05-01T08:00:00-04:00","issued":"2024-05-01T10:15:30.123-04:00",
   "contained":[{"resourceType":"Observation","id":"c1","status":"corrected",
     "code":{"coding":[{"system":"http://loinc.org","code":"2951-2","display":"Sodium"}]},
     "valueQuantity":{"value":140,"unit":"mmol/L","system":"http://unitsofmeasure.org","code":"mmol/L"},
     "effectiveDateTime":"2024-05-01T08:00:00-04:00"}],
   "result":[{"reference":"urn:uuid:o1"},{"reference":"Observation/o2"},{"reference":"urn:uuid:o3"},
     {"reference":"urn:uuid:o4"},{"reference":"urn:uuid:o5"},{"reference":"urn:uuid:o6"},{"reference":"#c1"}]}},
 {"fullUrl":"urn:uuid:o1","resource":{"resourceType":"Observation","id":"o1","status":"final",
   "code":{"coding":[{"system":"http://loinc.org","code":"2345-7","display":"Glucose"}]},
   "valueQuantity":{"value":98.50,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"},
   "interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"H","display":"High"}]}],
   "referenceRange":[{"low":{"value":70},"high":{"value":99}}],
   "effectiveDateTime":"2024-05-01T08:00:00+05:30",
   "note":[{"text":"Fasting?\nPatient says yes | maybe"}]}},
 {"fullUrl":"http://server.example/fhir/Observation/o2","resource":{"resourceType":"Observation","id":"o2","status":"preliminary",
   "code":{"coding":[{"system":"http://loinc.org","code":"2160-0","display":"Creatinine"}]},
   "valueQuantity":{"value":0.10,"comparator":"<","unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"},
   "effectiveDateTime":"2024-05-01T08:00:00Z"}},
 {"fullUrl":"urn:uuid:o3","resource":{"resourceType":"Observation","id":"o3","status":"final",
   "code":{"coding":[{"system":"http://loinc.org","code":"6742-1"}]},
   "valueString":"Many | spherocytes ^ & ~ \\ present.","effectiveDateTime":"2024-05-01"}},
 {"fullUrl":"urn:uuid:o4","resource":{"resourceType":"Observation","id":"o4","status":"amended",
   "code":{"coding":[{"system":"http://loinc.org","code":"11156-7"}]},
   "valueString":"Line one\nLine | two","effectiveDateTime":"2024-05-01T08:00:00.5-04:00"}},
 {"fullUrl":"urn:uuid:o5","resource":{"resourceType":"Observation","id":"o5","status":"final",
   "code":{"coding":[{"system":"http://loinc.org","code":"38892-6"}]},
   "valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"260348001","display":"Present ++"}],"text":"Moderate"},
   "interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"A"}]}],
   "effectiveDateTime":"2024-05"}},
 {"fullUrl":"urn:uuid:o6","resource":{"resourceType":"Observation","id":"o6","status":"final",
   "code":{"coding":[{"system":"http://loinc.org","code":"21612-7"}]},
   "valueDateTime":"2024-04-30T23:59:59.1234+14:00","effectiveDateTime":"2024-05-01T08:00:00-04:00"}}
]}`

func mustOutbound(t testing.TB, o OutboundOptions) *Outbound {
	t.Helper()
	ob, err := NewOutbound(o)
	if err != nil {
		t.Fatal(err)
	}
	return ob
}

// build builds a request and parses the message.
func build(t testing.TB, o OutboundOptions, kind, payload string) (*Built, *hl7.Message) {
	t.Helper()
	b, err := mustOutbound(t, o).Build(kind, []byte(payload), outNow)
	if err != nil {
		t.Fatalf("Build(%s): %v", kind, err)
	}
	if strings.Contains(string(b.Message), "\n") || !strings.HasSuffix(string(b.Message), "\r") {
		t.Fatalf("segments must end in \\r only:\n%q", b.Message)
	}
	msg, err := hl7.Parse(b.Message)
	if err != nil {
		t.Fatalf("hl7.Parse: %v\n%s", err, b.Message)
	}
	return b, msg
}

// checkFields compares message paths with their expected (unescaped)
// text.
func checkFields(t *testing.T, msg *hl7.Message, want map[string]string) {
	t.Helper()
	for path, w := range want {
		if got := msg.Get(path); got != w {
			t.Errorf("%s = %q, want %q", path, got, w)
		}
	}
}

func segmentNames(msg *hl7.Message) string {
	var names []string
	for _, s := range msg.Segments {
		names = append(names, s.Name())
	}
	return strings.Join(names, " ")
}

func TestOutbound_Results(t *testing.T) {
	b, msg := build(t, outOpts, KindResults, resultsBundle)
	if got, want := segmentNames(msg), "MSH PID ORC OBR OBX NTE OBX OBX OBX OBX OBX OBX"; got != want {
		t.Fatalf("segments %q, want %q\n%s", got, want, b.Message)
	}
	if b.Type != "ORU" || b.Trigger != "R01" || b.Structure != "ORU_R01" || b.ControlID == "" || b.ControlID != msg.ControlID() {
		t.Errorf("Built = %+v", b)
	}
	if b.PatientID != "MRN-42" || b.PatientAssigner != "HOSP" {
		t.Errorf("Built patient = %q / %q", b.PatientID, b.PatientAssigner)
	}
	checkFields(t, msg, map[string]string{
		"MSH-3": "APP", "MSH-4": "APPFAC", "MSH-5": "EHR", "MSH-6": "HOSP",
		"MSH-7": "20240501103000.123-0400", "MSH-9": "ORU^R01^ORU_R01", "MSH-11": "P", "MSH-12": "2.5.1",
		// PID-3: MR first, the old identifier left out, the OID authority as HD.2/HD.3.
		"PID-3[1].1": "MRN-42", "PID-3[1].4.1": "HOSP", "PID-3[1].5": "MR",
		"PID-3[2].1": "999", "PID-3[2].4.1": "", "PID-3[2].4.2": "2.16.840.1.113883.4.1", "PID-3[2].4.3": "ISO",
		"PID-3[3].1":  "",
		"PID-19":      "123-45-6789",
		"PID-5.1":     nastyFamily,
		"PID-5.2":     "Ann",
		"PID-5.3":     "Marie",
		"PID-5.7":     "L",
		"PID-7":       "19610615",
		"PID-8":       "F",
		"ORC-1":       "RE",
		"ORC-2.1":     "ORD-1",
		"ORC-2.3":     "1.2.3.4",
		"ORC-2.4":     "ISO",
		"ORC-3.1":     "FIL-9",
		"ORC-3.2":     "http://lab.example/filler",
		"ORC-5":       "CM",
		"OBR-2.1":     "ORD-1",
		"OBR-3.1":     "FIL-9",
		"OBR-4.1":     "24323-8",
		"OBR-4.2":     "Comprehensive metabolic panel",
		"OBR-4.3":     "LN",
		"OBR-4.9":     "CMP",
		"OBR-7":       "20240501080000-0400",
		"OBR-22":      "20240501101530.123-0400",
		"OBR-24":      "CH",
		"OBR-25":      "F",
		"OBX[1]-1":    "1",
		"OBX[1]-2":    "NM",
		"OBX[1]-3.1":  "2345-7",
		"OBX[1]-5":    "98.50",
		"OBX[1]-6.1":  "mg/dL",
		"OBX[1]-6.3":  "UCUM",
		"OBX[1]-7":    "70-99",
		"OBX[1]-8.1":  "H",
		"OBX[1]-8.3":  "HL70078",
		"OBX[1]-11":   "F",
		"OBX[1]-14":   "20240501080000+0530",
		"NTE-3":       "Fasting?\nPatient says yes | maybe",
		"OBX[2]-2":    "SN",
		"OBX[2]-5.1":  "<",
		"OBX[2]-5.2":  "0.10",
		"OBX[2]-11":   "P",
		"OBX[2]-14":   "20240501080000+0000",
		"OBX[3]-2":    "ST",
		"OBX[3]-5":    "Many | spherocytes ^ & ~ \\ present.",
		"OBX[3]-14":   "20240501",
		"OBX[4]-2":    "TX",
		"OBX[4]-5[1]": "Line one",
		"OBX[4]-5[2]": "Line | two",
		"OBX[4]-11":   "A",
		"OBX[4]-14":   "20240501080000.5-0400",
		"OBX[5]-2":    "CWE",
		"OBX[5]-5.1":  "260348001",
		"OBX[5]-5.2":  "Present ++",
		"OBX[5]-5.3":  "SCT",
		"OBX[5]-5.9":  "Moderate",
		"OBX[5]-8.1":  "A",
		"OBX[5]-14":   "202405",
		"OBX[6]-2":    "DTM",
		"OBX[6]-5":    "20240430235959.1234+1400",
		"OBX[7]-3.1":  "2951-2",
		"OBX[7]-5":    "140",
		"OBX[7]-11":   "C",
	})
	// The nasty name is escaped on the wire, never a delimiter.
	if !strings.Contains(string(b.Message), `O'Brien\F\Smith\S\Jr\T\Co\R\X\E\Y^Ann^Marie`) {
		t.Errorf("PID-5 not escaped as expected:\n%s", b.Message)
	}
	if n := msg.Segment("PID").Field(5).Components(); n != 7 {
		t.Errorf("PID-5 has %d components, want 7", n)
	}
}

func TestOutbound_ControlIDsAreUnique(t *testing.T) {
	ob := mustOutbound(t, outOpts)
	seen := map[string]bool{}
	for range 1000 {
		b, err := ob.Build(KindResults, []byte(resultsBundle), outNow)
		if err != nil {
			t.Fatal(err)
		}
		if seen[b.ControlID] {
			t.Fatalf("control id %s repeated", b.ControlID)
		}
		seen[b.ControlID] = true
	}
}

func TestOutbound_InvalidRequests(t *testing.T) {
	drWith := func(subject, code string) string {
		return `{"resourceType":"Bundle","entry":[{"fullUrl":"urn:uuid:pat","resource":` + patientJSON + `},
 {"resource":{"resourceType":"DiagnosticReport","status":"final","code":` + code + `,"subject":{"reference":"` + subject + `"},
  "result":[{"reference":"urn:uuid:o1"}]}},
 {"fullUrl":"urn:uuid:o1","resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1-8"}]},"valueString":"x"}}]}`
	}
	code := `{"coding":[{"system":"http://loinc.org","code":"24323-8"}]}`
	noIDPatient := strings.Replace(patientJSON, `"identifier":[`, `"identifierX":[`, 1)
	for _, tc := range []invalidCase{
		{"unknown kind", "vitals", resultsBundle, "unknown write-back kind"},
		{"not JSON", KindResults, `{"resourceType":`, "not JSON"},
		{"not FHIR", KindResults, `{"id":"x"}`, "no resourceType"},
		{"array", KindResults, `[]`, "no resourceType"},
		{"empty", KindResults, ` `, "not JSON"},
		{"trailing garbage", KindResults, `{"resourceType":"DiagnosticReport"} x`, "not JSON"},
		{"string", KindResults, `"DiagnosticReport"`, "no resourceType"},
		{"bad FHIR", KindResults, `{"resourceType":"DiagnosticReport","status":7}`, "does not decode"},
		{"wrong resource", KindResults, `{"resourceType":"Observation","status":"final"}`, "takes a DiagnosticReport"},
		{"two reports", KindResults, strings.Replace(resultsBundle, `{"fullUrl":"urn:uuid:o1"`, `{"resource":{"resourceType":"DiagnosticReport"}},{"fullUrl":"urn:uuid:o1"`, 1), "2 resources of type DiagnosticReport"},
		{"no patient", KindResults, drWith("Patient/missing", code), "does not resolve to a Patient"},
		{"subject not a patient", KindResults, drWith("urn:uuid:o1", code), "refers to a Observation"},
		{"patient without identifier", KindResults, strings.Replace(drWith("urn:uuid:pat", code), patientJSON, noIDPatient, 1), "no identifier for PID-3"},
		{"report without code", KindResults, drWith("urn:uuid:pat", `{}`), "DiagnosticReport has no code"},
		{"observation without code", KindResults, strings.Replace(drWith("urn:uuid:pat", code), `"code":{"coding":[{"system":"http://loinc.org","code":"1-8"}]},`, "", 1), "has no code (OBX-3)"},
		{"unresolved result", KindResults, strings.Replace(drWith("urn:uuid:pat", code), `"reference":"urn:uuid:o1"`, `"reference":"urn:uuid:gone"`, 1), "result[0] does not resolve"},
		{"bad date", KindResults, strings.Replace(resultsBundle, `"effectiveDateTime":"2024-05-01T08:00:00Z"`, `"effectiveDateTime":"2024-02-30T08:00:00Z"`, 1), "effective[x] of DiagnosticReport.result[1] is not a FHIR date/time"},
	} {
		checkInvalid(t, tc)
	}
}

// invalidCase is a request Build must reject, and what the error says.
type invalidCase struct{ name, kind, payload, want string }

// checkInvalid builds tc's request and checks the error: it wraps
// ErrInvalidRequest, says why, and names no PHI of the request.
func checkInvalid(t *testing.T, tc invalidCase) {
	t.Helper()
	t.Run(tc.name, func(t *testing.T) {
		_, err := mustOutbound(t, outOpts).Build(tc.kind, []byte(tc.payload), outNow)
		if !errors.Is(err, ErrInvalidRequest) {
			t.Fatalf("err = %v, want ErrInvalidRequest", err)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %q, want it to say %q", err, tc.want)
		}
		for _, phi := range []string{"MRN-42", "O'Brien", "Ann", "123-45-6789", "1961"} {
			if strings.Contains(err.Error(), phi) {
				t.Errorf("error text leaks %q: %v", phi, err)
			}
		}
	})
}

func TestNewOutbound_Validates(t *testing.T) {
	for _, o := range []OutboundOptions{
		{Version: "2"}, {Version: "2.2"}, {Version: "3.0"}, {Version: "x.y"},
		{ProcessingID: "X"}, {OrderStructure: "ORM^O02"},
		{AssigningAuthorities: map[string]string{"not a uri": "X"}},
		{AssigningAuthorities: map[string]string{"http://x": " "}},
		{CodingSystems: map[string]string{"http://x": ""}},
	} {
		if _, err := NewOutbound(o); err == nil {
			t.Errorf("NewOutbound(%+v) accepted", o)
		}
	}
}

func TestDTM_FromFHIR(t *testing.T) {
	for in, want := range map[string]string{
		"2024":                        "2024",
		"2024-05":                     "202405",
		"2024-05-01":                  "20240501",
		"2024-05-01T08:30:00Z":        "20240501083000+0000",
		"2024-05-01T08:30:00-04:00":   "20240501083000-0400",
		"2024-05-01T08:30:00.1+05:30": "20240501083000.1+0530",
		"2024-05-01T08:30:00.123456Z": "20240501083000.1234+0000",
		"2024-05-01T08:30-04:00":      "202405010830-0400",
		"2024-05-01T08:30:00":         "20240501083000",
		"2024-02-30":                  "",
		"2024-5-1":                    "",
		"2024-05-01T25:00:00Z":        "",
		"2024-05-01T08:30:00+0400":    "",
		"20240501":                    "",
		"2024-05-01T08:30:00.Z":       "",
		"2024-05T08:30:00Z":           "",
	} {
		got, ok := dtm(in)
		if got != want || ok != (want != "") {
			t.Errorf("dtm(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// TestOutVocab_RoundTrip holds the reversed tables to the inbound ones:
// each v2 code sent maps back to the FHIR code it came from, but for the
// rows marked decision.
func TestOutVocab_RoundTrip(t *testing.T) {
	lossy := map[string]bool{"report amended": true, "report appended": true, "report entered-in-error": true}
	check := func(what string, rev map[string]string, fwd *table) {
		for fhirCode, v2 := range rev {
			k, ok := fwd.lookup(v2)
			if lossy[what+" "+fhirCode] {
				continue
			}
			if !ok || k.Code != fhirCode {
				t.Errorf("%s: %s → %s → %v %v", what, fhirCode, v2, k.Code, ok)
			}
		}
	}
	check("gender", outGender, administrativeSex)
	check("observation", outObservationStatus, observationStatus)
	check("report", outReportStatus, resultStatus)
	check("order", outOrderStatus, orderStatus)
	check("category", outAllergenType, allergenCategory)
	check("criticality", outAllergySeverity, allergyCriticality)
	check("severity", outReactionSeverity, reactionSeverity)
	for fhirCode, v2 := range outNameUse {
		if k, ok := nameUse.lookup(v2); !ok || k.Code != fhirCode {
			t.Errorf("name use %s → %s → %v", fhirCode, v2, k.Code)
		}
	}
	for uri, name := range outCodingSystems {
		if got := codingSystem(name); got != uri {
			t.Errorf("coding system %s → %s → %s", uri, name, got)
		}
	}
}

// inboundBundle maps v2 text with the inbound mapper.
func inboundBundle(t testing.TB, data []byte) *fhir.Bundle {
	t.Helper()
	msg, err := hl7.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := mustMapper(t, inboundOpts).Map(msg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rtSummary is what the round trip compares: the fields of the patient,
// the report and each observation that must survive FHIR → v2 → FHIR.
type rtSummary struct {
	Patient      string
	Report       string
	Observations map[string]string // by code
}

func summarize(t *testing.T, b *fhir.Bundle) rtSummary {
	t.Helper()
	s := rtSummary{Observations: map[string]string{}}
	var dr *fhir.DiagnosticReport
	byURL := map[string]fhir.Resource{}
	for _, e := range b.Entry {
		byURL[e.FullURL] = e.Resource
		switch r := e.Resource.(type) {
		case *fhir.Patient:
			var id *fhir.Identifier
			for i := range r.Identifier {
				if identifierTypeCode(r.Identifier[i].Type) == "MR" {
					id = &r.Identifier[i]
					break
				}
			}
			if id == nil {
				t.Fatal("no MR identifier")
			}
			s.Patient = fmt.Sprintf("id=%s|%s name=%s/%v birth=%s gender=%s", id.System, id.Value,
				r.Name[0].Family, r.Name[0].Given, r.BirthDate, r.Gender)
		case *fhir.DiagnosticReport:
			dr = r
			s.Report = fmt.Sprintf("code=%s status=%s", codings(r.Code), r.Status)
		}
	}
	if dr == nil {
		t.Fatal("no DiagnosticReport")
	}
	obsOf := func(ref string) *fhir.Observation {
		if strings.HasPrefix(ref, "#") {
			var c []json.RawMessage
			_ = json.Unmarshal(dr.Unknown.Get("contained"), &c)
			for _, raw := range c {
				r, _ := fhir.UnmarshalResource(raw)
				if o, ok := r.(*fhir.Observation); ok && o.ID == ref[1:] {
					return o
				}
			}
			return nil
		}
		if o, ok := byURL[ref].(*fhir.Observation); ok {
			return o
		}
		for _, e := range b.Entry {
			if o, ok := e.Resource.(*fhir.Observation); ok && "Observation/"+o.ID == ref {
				return o
			}
		}
		return nil
	}
	for _, ref := range dr.Result {
		o := obsOf(ref.Reference)
		if o == nil {
			t.Fatalf("result %s not found", ref.Reference)
		}
		v := ""
		switch {
		case o.ValueQuantity != nil:
			q := o.ValueQuantity
			v = fmt.Sprintf("qty %s%s %s|%s (%s)", q.Comparator, q.Value, q.System, q.Code, q.Unit)
		case o.ValueString != nil:
			v = "string " + *o.ValueString
		case o.ValueCodeableConcept != nil:
			v = "coded " + codings(o.ValueCodeableConcept)
		case o.ValueDateTime != nil:
			v = "dateTime " + *o.ValueDateTime
		}
		var interp []string
		for i := range o.Interpretation {
			interp = append(interp, codings(&o.Interpretation[i]))
		}
		eff := ""
		if o.EffectiveDateTime != nil {
			eff = *o.EffectiveDateTime
		}
		s.Observations[codings(o.Code)] = fmt.Sprintf("value=%s interp=%v status=%s effective=%s", v, interp, o.Status, eff)
	}
	return s
}

// codings lists a concept's system|code pairs.
func codings(cc *fhir.CodeableConcept) string {
	var out []string
	for _, c := range cc.Coding {
		out = append(out, c.System+"|"+c.Code)
	}
	return strings.Join(out, ",")
}

func compareSummaries(t *testing.T, want, got rtSummary) {
	t.Helper()
	if want.Patient != got.Patient {
		t.Errorf("patient:\n got %s\nwant %s", got.Patient, want.Patient)
	}
	if want.Report != got.Report {
		t.Errorf("report:\n got %s\nwant %s", got.Report, want.Report)
	}
	if len(want.Observations) != len(got.Observations) {
		t.Errorf("%d observations, want %d", len(got.Observations), len(want.Observations))
	}
	for code, w := range want.Observations {
		if g := got.Observations[code]; g != w {
			t.Errorf("observation %s:\n got %s\nwant %s", code, g, w)
		}
	}
}

// TestOutbound_RoundTrip_HandWritten: FHIR → ORU → inbound FHIR gives back
// the fields a result write-back must carry.
func TestOutbound_RoundTrip_HandWritten(t *testing.T) {
	var src fhir.Bundle
	if err := json.Unmarshal([]byte(resultsBundle), &src); err != nil {
		t.Fatal(err)
	}
	want := summarize(t, &src)
	b, _ := build(t, outOpts, KindResults, resultsBundle)
	got := summarize(t, inboundBundle(t, b.Message))
	compareSummaries(t, want, got)
	if testing.Verbose() {
		t.Logf("patient %s\nreport %s", got.Patient, got.Report)
		for c, o := range got.Observations {
			t.Logf("%s: %s", c, o)
		}
	}
}

// TestOutbound_RoundTrip_Inbound: v2 sample → inbound FHIR → ORU →
// inbound FHIR: the two inbound bundles agree.
func TestOutbound_RoundTrip_Inbound(t *testing.T) {
	data, err := os.ReadFile("../testdata/oru_r01_msfhirconverter_3.hl7")
	if err != nil {
		t.Fatal(err)
	}
	first := inboundBundle(t, data)
	payload, err := fhir.Marshal(first)
	if err != nil {
		t.Fatal(err)
	}
	o := outOpts
	o.AssigningAuthorities = nil
	b, msg := build(t, o, KindResults, string(payload))
	if n := len(msg.All("OBX")); n != 28 {
		t.Fatalf("%d OBX, want 28\n%s", n, b.Message)
	}
	if b.PatientID != "PATID1234" || b.PatientAssigner != "NIST MPI" {
		t.Errorf("patient %q / %q", b.PatientID, b.PatientAssigner)
	}
	second := inboundBundle(t, b.Message)
	want, got := summarize(t, first), summarize(t, second)
	if len(want.Observations) != 28 {
		t.Fatalf("sample maps to %d distinct observations", len(want.Observations))
	}
	compareSummaries(t, want, got)
}

func BenchmarkOutboundResults(b *testing.B) {
	payload := benchResultsPayload()
	ob := mustOutbound(b, outOpts)
	if bt, err := ob.Build(KindResults, payload, outNow); err != nil || strings.Count(string(bt.Message), "\rOBX|") != 20 {
		b.Fatalf("%v", err)
	}
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ob.Build(KindResults, payload, outNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOutboundResults_MessageOnly is BenchmarkOutboundResults
// without decoding the request: the v2 side of the cost.
func BenchmarkOutboundResults_MessageOnly(b *testing.B) {
	payload := benchResultsPayload()
	ob := mustOutbound(b, outOpts)
	q := &outReq{o: ob, now: outNow}
	if err := q.load(payload, "DiagnosticReport"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		q.msg, q.contained = &hl7.Message{Delimiters: hl7.DefaultDelimiters}, nil
		if err := q.results(); err != nil {
			b.Fatal(err)
		}
		_ = q.msg.Encode()
	}
}

// benchResultsPayload is a 20-result report with its patient.
func benchResultsPayload() []byte {
	var entries []string
	var results []string
	entries = append(entries, `{"fullUrl":"urn:uuid:pat","resource":`+patientJSON+`}`)
	for i := range 20 {
		results = append(results, fmt.Sprintf(`{"reference":"urn:uuid:o%d"}`, i))
		entries = append(entries, fmt.Sprintf(`{"fullUrl":"urn:uuid:o%d","resource":{"resourceType":"Observation","status":"final",
 "code":{"coding":[{"system":"http://loinc.org","code":"%d-%d","display":"Analyte %d"}]},
 "valueQuantity":{"value":%d.5,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"},
 "interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"N"}]}],
 "referenceRange":[{"text":"1-100"}],"effectiveDateTime":"2024-05-01T08:00:00-04:00"}}`, i, 1000+i, i%10, i, 10+i))
	}
	entries = append(entries, `{"fullUrl":"urn:uuid:dr","resource":{"resourceType":"DiagnosticReport","status":"final",
 "identifier":[{"system":"http://lab.example/filler","value":"FIL-1"}],
 "code":{"coding":[{"system":"http://loinc.org","code":"24323-8"}]},"subject":{"reference":"urn:uuid:pat"},
 "effectiveDateTime":"2024-05-01T08:00:00-04:00","result":[`+strings.Join(results, ",")+`]}}`)
	return []byte(`{"resourceType":"Bundle","type":"collection","entry":[` + strings.Join(entries, ",") + `]}`)
}

// oneResult is a results request whose report has the given Observations
// (JSON objects without resourceType), each referenced by fullUrl.
func oneResult(obs ...string) string { return oneResultWith(nil, obs...) }

// oneResultWith is oneResult with extra Bundle entries.
func oneResultWith(extra []string, obs ...string) string {
	entries := append([]string{`{"fullUrl":"urn:uuid:pat","resource":` + patientJSON + `}`}, extra...)
	var refs []string
	for i, o := range obs {
		url := fmt.Sprintf("urn:uuid:o%d", i)
		refs = append(refs, `{"reference":"`+url+`"}`)
		entries = append(entries, `{"fullUrl":"`+url+`","resource":{"resourceType":"Observation",`+o+`}}`)
	}
	entries = append(entries, `{"fullUrl":"urn:uuid:dr","resource":{"resourceType":"DiagnosticReport","id":"dr-5","status":"final",
 "code":{"text":"Panel"},"subject":{"reference":"urn:uuid:pat"},"result":[`+strings.Join(refs, ",")+`]}}`)
	return `{"resourceType":"Bundle","type":"collection","entry":[` + strings.Join(entries, ",") + `]}`
}

func TestOutbound_ObservationValues(t *testing.T) {
	const code = `"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1-8"}]},`
	o23 := outOpts
	o23.Version = "2.3"
	o23.CodingSystems = map[string]string{"http://lab.example/codes": "99LAB"}
	for _, tc := range []struct {
		name  string
		opts  OutboundOptions
		value string
		want  map[string]string
		// back is the value the inbound map reads from the OBX, as JSON
		// (empty: not compared).
		back string
	}{
		{"integer", outOpts, `"valueInteger":7`, map[string]string{"OBX-2": "NM", "OBX-5": "7"}, `{"valueQuantity":{"value":7}}`},
		{"exponent", outOpts, `"valueQuantity":{"value":1.5e3}`, map[string]string{"OBX-2": "NM", "OBX-5": "1500"}, ``},
		{"unit text only", outOpts, `"valueQuantity":{"value":5,"unit":"cells"}`, map[string]string{"OBX-5": "5", "OBX-6.1": "cells", "OBX-6.3": ""},
			`{"valueQuantity":{"value":5,"unit":"cells"}}`},
		{"boolean", outOpts, `"valueBoolean":true`, map[string]string{"OBX-2": "CWE", "OBX-5.1": "Y", "OBX-5.3": "HL70136"},
			`{"valueCodeableConcept":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0136","code":"Y","display":"Yes"}]}}`},
		{"range", outOpts, `"valueRange":{"low":{"value":2,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"},"high":{"value":4.0}}`,
			map[string]string{"OBX-2": "SN", "OBX-5.1": "", "OBX-5.2": "2", "OBX-5.3": "-", "OBX-5.4": "4.0", "OBX-6.1": "mg"},
			`{"valueRange":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/originalText","valueString":"2 - 4.0"}],"low":{"value":2,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"},"high":{"value":4.0,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}}`},
		{"open range", outOpts, `"valueRange":{"low":{"value":2}}`, map[string]string{"OBX-2": "SN", "OBX-5.1": ">=", "OBX-5.2": "2"},
			`{"valueQuantity":{"value":2,"comparator":">="}}`},
		{"ratio", outOpts, `"valueRatio":{"numerator":{"value":1},"denominator":{"value":64}}`,
			map[string]string{"OBX-2": "SN", "OBX-5.2": "1", "OBX-5.3": ":", "OBX-5.4": "64"}, ``},
		{"time", outOpts, `"valueTime":"14:30:05.25"`, map[string]string{"OBX-2": "TM", "OBX-5": "143005.25"}, `{"valueTime":"14:30:05.25"}`},
		{"period", outOpts, `"valuePeriod":{"start":"2024-01-02","end":"2024-01-05T10:00:00+01:00"}`,
			map[string]string{"OBX-2": "DR", "OBX-5.1": "20240102", "OBX-5.2": "20240105100000+0100"},
			`{"valuePeriod":{"start":"2024-01-02","end":"2024-01-05T10:00:00+01:00"}}`},
		{"text-only concept", outOpts, `"valueCodeableConcept":{"text":"Pos ^ itive"}`,
			map[string]string{"OBX-2": "CWE", "OBX-5.1": "", "OBX-5.2": "Pos ^ itive"}, `{"valueCodeableConcept":{"text":"Pos ^ itive"}}`},
		{"OID system", outOpts, `"valueCodeableConcept":{"coding":[{"system":"urn:oid:2.16.840.1.113883.6.238","code":"2106-3","version":"1.2"}]}`,
			map[string]string{"OBX-5.1": "2106-3", "OBX-5.3": "CDCREC", "OBX-5.7": "1.2", "OBX-5.14": ""}, ``},
		{"unnamed OID system", outOpts, `"valueCodeableConcept":{"coding":[{"system":"urn:oid:1.2.3.4.5","code":"X1"},{"system":"http://terminology.hl7.org/CodeSystem/v2-0078","code":"H"},{"system":"http://other.example/cs","code":"Z"},{"code":"dropped"}]}`,
			map[string]string{"OBX-5.1": "X1", "OBX-5.3": "1.2.3.4.5", "OBX-5.14": "1.2.3.4.5", "OBX-5.4": "H", "OBX-5.6": "HL70078",
				"OBX-5.10": "Z", "OBX-5.12": "http://other.example/cs", "OBX-5.20": ""},
			`{"valueCodeableConcept":{"coding":[{"system":"urn:oid:1.2.3.4.5","code":"X1"},{"system":"http://terminology.hl7.org/CodeSystem/v2-0078","code":"H"},{"system":"http://other.example/cs","code":"Z"}]}}`},
		{"no value", outOpts, `"note":[{"text":"not done"}]`, map[string]string{"OBX-2": "", "OBX-5": "", "OBX-11": "F", "NTE-3": "not done"}, `{}`},
		{"v2.3 coded is CE", o23, `"valueCodeableConcept":{"coding":[{"system":"http://lab.example/codes","code":"P"}],"text":"dropped in CE"}`,
			map[string]string{"MSH-12": "2.3", "OBX-2": "CE", "OBX-5.1": "P", "OBX-5.3": "99LAB", "OBX-5.9": ""}, ``},
		{"v2.3 dateTime is TS", o23, `"valueDateTime":"2024-01-02T03:04:05-05:00"`, map[string]string{"OBX-2": "TS", "OBX-5": "20240102030405-0500"}, ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, msg := build(t, tc.opts, KindResults, oneResult(code+tc.value))
			checkFields(t, msg, tc.want)
			if tc.back == "" {
				return
			}
			var obs *fhir.Observation
			for _, e := range inboundBundle(t, b.Message).Entry {
				if o, ok := e.Resource.(*fhir.Observation); ok {
					obs = o
				}
			}
			var buf strings.Builder
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(obs.ObservationValue); err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(buf.String()); got != tc.back {
				t.Errorf("read back as %s\nwant %s\n%s", got, tc.back, b.Message)
			}
		})
	}
}

// TestOutbound_ComponentsAndPanels: components become OBX grouped by
// OBX-4; a panel's members follow it, each once.
func TestOutbound_ComponentsAndPanels(t *testing.T) {
	bp := `"id":"bp","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},
 "effectiveDateTime":"2024-05-01T08:00:00-04:00",
 "component":[
  {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
  {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":80,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]`
	panel := `"id":"panel","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"24331-1"}]},
 "hasMember":[{"reference":"urn:uuid:m1"},{"reference":"urn:uuid:m1"}]`
	member := `{"fullUrl":"urn:uuid:m1","resource":{"resourceType":"Observation","status":"final",
 "code":{"coding":[{"system":"http://loinc.org","code":"2093-3"}]},"valueQuantity":{"value":190},
 "hasMember":[{"reference":"urn:uuid:o1"}]}}`
	req := oneResultWith([]string{member}, bp, panel)
	b, msg := build(t, outOpts, KindResults, req)
	if got := segmentNames(msg); got != "MSH PID OBR OBX OBX OBX" {
		t.Fatalf("segments %q\n%s", got, b.Message)
	}
	checkFields(t, msg, map[string]string{
		"OBR-3.1": "dr-5", "OBR-3.2": "APP", "OBR-4.2": "Panel",
		"OBX[1]-1": "1", "OBX[1]-3.1": "8480-6", "OBX[1]-4": "1", "OBX[1]-5": "120", "OBX[1]-6.1": "mm[Hg]", "OBX[1]-14": "20240501080000-0400",
		"OBX[2]-1": "2", "OBX[2]-3.1": "8462-4", "OBX[2]-4": "1", "OBX[2]-5": "80",
		"OBX[3]-1": "3", "OBX[3]-3.1": "2093-3", "OBX[3]-4": "", "OBX[3]-5": "190",
	})
}

func TestOutbound_ConcurrentBuilds(t *testing.T) {
	ob := mustOutbound(t, outOpts)
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				b, err := ob.Build(KindResults, []byte(resultsBundle), outNow)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[b.ControlID] {
					t.Errorf("control id %s repeated", b.ControlID)
				}
				seen[b.ControlID] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 800 {
		t.Errorf("%d control ids, want 800", len(seen))
	}
}
