package mappings

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

func documentJSON(contentType, data string) string {
	return `{"resourceType":"Bundle","type":"collection","entry":[
 {"fullUrl":"urn:uuid:pat","resource":` + patientJSON + `},
 {"fullUrl":"urn:uuid:enc","resource":{"resourceType":"Encounter","id":"e1","status":"finished",
   "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},
   "identifier":[{"system":"http://hospital.example/mrn","value":"V-1"}],"period":{"start":"2024-04-28T07:00:00-04:00"}}},
 {"fullUrl":"urn:uuid:doc","resource":{"resourceType":"DocumentReference","id":"d1","status":"current","docStatus":"final",
   "masterIdentifier":{"system":"urn:oid:1.2.3.99","value":"DOC-123"},
   "type":{"coding":[{"system":"http://loinc.org","code":"11506-3","display":"Progress note"}]},
   "subject":{"reference":"urn:uuid:pat"},"date":"2024-05-01T09:30:00-04:00",
   "securityLabel":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]}],
   "content":[{"attachment":{"contentType":"` + contentType + `","data":"` + data + `","title":"note|1.txt"}}],
   "context":{"encounter":[{"reference":"Encounter/e1"}]}}}]}`
}

func TestOutbound_Documents(t *testing.T) {
	text := "Subjective: feels well.\r\nPlan: ~ continue | meds ^ & \\\n"
	b, msg := build(t, outOpts, KindDocuments, documentJSON("text/plain; charset=utf-8", base64.StdEncoding.EncodeToString([]byte(text))))
	if got := segmentNames(msg); got != "MSH EVN PID PV1 TXA OBX OBX" {
		t.Fatalf("segments %q\n%s", got, b.Message)
	}
	checkFields(t, msg, map[string]string{
		"MSH-9": "MDM^T02^MDM_T02", "EVN-1": "T02", "EVN-2": "20240501103000-0400", "EVN-6": "20240501093000-0400",
		"PV1-2": "I", "PV1-19.1": "V-1", "PV1-19.4.1": "HOSP", "PV1-44": "20240428070000-0400",
		"TXA-1": "1", "TXA-2": "11506-3", "TXA-3": "TX", "TXA-4": "20240501093000-0400",
		"TXA-6": "20240501093000-0400", "TXA-12.1": "DOC-123", "TXA-12.3": "1.2.3.99", "TXA-12.4": "ISO",
		"TXA-16": "note|1.txt", "TXA-17": "AU", "TXA-18": "R", "TXA-19": "AV",
		"OBX[1]-2": "TX", "OBX[1]-3.1": "11506-3", "OBX[1]-5": "Subjective: feels well.", "OBX[1]-11": "F",
		"OBX[2]-5": "Plan: ~ continue | meds ^ & \\",
	})

	pdf := base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 \x00\xff binary"))
	wrapped := pdf[:8] + `\r\n` + pdf[8:] // MIME line breaks inside the JSON string
	b, msg = build(t, outOpts, KindDocuments, documentJSON("application/pdf", wrapped))
	if got := segmentNames(msg); got != "MSH EVN PID PV1 TXA OBX" {
		t.Fatalf("segments %q\n%s", got, b.Message)
	}
	checkFields(t, msg, map[string]string{
		"TXA-3": "AP", "OBX-2": "ED", "OBX-5.1": "", "OBX-5.2": "application", "OBX-5.3": "pdf",
		"OBX-5.4": "Base64", "OBX-5.5": pdf,
	})
	// The inbound map reads the ED back to the same bytes.
	bundle, err := mustMapper(t, Options{}).Map(withORU(t, msg))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range bundle.Entry {
		if o, ok := e.Resource.(*fhir.Observation); ok {
			if len(o.Extension) == 0 || o.Extension[0].ValueAttachment == nil || o.Extension[0].ValueAttachment.Data != pdf ||
				o.Extension[0].ValueAttachment.ContentType != "application/pdf" {
				t.Errorf("ED read back as %+v", o.Extension)
			}
		}
	}
}

// withORU turns an MDM's PID and OBX into an ORU the inbound mapper reads,
// to check the OBX values it reads back.
func withORU(t *testing.T, mdm *hl7.Message) *hl7.Message {
	t.Helper()
	var b strings.Builder
	b.WriteString("MSH|^~\\&|A|B|C|D|20240501||ORU^R01^ORU_R01|1|P|2.5.1\r")
	b.WriteString(mdm.Segment("PID").String() + "\r")
	b.WriteString("OBR|1||F1|11506-3^^LN|||||||||||||||||||||F\r")
	for _, s := range mdm.All("OBX") {
		b.WriteString(s.String() + "\r")
	}
	msg, err := hl7.Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestOutbound_InvalidDocuments(t *testing.T) {
	for _, tc := range []invalidCase{
		{"document by url", KindDocuments, strings.Replace(documentJSON("text/plain", "eA=="), `"data":"eA=="`, `"url":"http://x/y"`, 1), "url but no data"},
		{"document not base64", KindDocuments, documentJSON("text/plain", "!!"), "not base64"},
	} {
		checkInvalid(t, tc)
	}
}

// TestOutbound_DocumentMinimalPV1: without an encounter the required PV1
// is the minimal one; data without a content type that is text is text.
func TestOutbound_DocumentMinimalPV1(t *testing.T) {
	req := documentJSON("", base64.StdEncoding.EncodeToString([]byte("one line")))
	req = strings.Replace(req, `,
   "context":{"encounter":[{"reference":"Encounter/e1"}]}`, "", 1)
	b, msg := build(t, outOpts, KindDocuments, req)
	if got := segmentNames(msg); got != "MSH EVN PID PV1 TXA OBX" {
		t.Fatalf("segments %q\n%s", got, b.Message)
	}
	if got := msg.Segment("PV1").String(); got != "PV1|1|U" {
		t.Errorf("PV1 = %q", got)
	}
	checkFields(t, msg, map[string]string{"TXA-3": "TX", "OBX-2": "TX", "OBX-5": "one line"})
}
