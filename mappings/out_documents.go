package mappings

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-hl7/switchboard/fhir"
)

// documents builds MDM^T02 (structure MDM_T02: original document
// notification and content) from a DocumentReference.
//
// Segments: MSH EVN PID PV1 TXA {OBX}.
//
//   - EVN-1 T02, EVN-2 now, EVN-6 DocumentReference.date;
//   - PV1 from context.encounter when it resolves, else the minimal PV1
//     (PV1 is required in MDM_T02);
//   - TXA-2 document type (IS: the code of a v2-0270 coding, else of the
//     first coding, else the text), TXA-3 content presentation (TX for
//     text, else AP, IM or AU by MIME type), TXA-4 activity time
//     (context.period.start, else date), TXA-6 origination time
//     (attachment.creation, else date), TXA-9 originator (author, as
//     XCN), TXA-12 unique document number (masterIdentifier, else the
//     first identifier, else the resource id assigned by MSH-3; without
//     any the request is rejected: the EHR files documents by it), TXA-16
//     file name (attachment.title), TXA-17 completion status from
//     docStatus, TXA-18 confidentiality from a v3-Confidentiality
//     security label, TXA-19 availability from status;
//   - the content: the first attachment with inline data (a URL alone is
//     rejected: the EHR cannot fetch from the app). text/plain (or no
//     content type, when the data is UTF-8 text) is sent as one OBX TX per
//     line (the MDM practice EHRs import); anything else as one OBX ED,
//     OBX-5 ^type^subtype^Base64^data with the MIME type and subtype
//     (decision: the v2.6+ table 0834 values, which receivers of every
//     version read); OBX-3 is the document type, OBX-11 F (P for a
//     preliminary document).
func (q *outReq) documents() error {
	doc := q.focus.(*fhir.DocumentReference)
	if !hasCode(doc.Type) {
		return invalid("DocumentReference has no type (TXA-2)")
	}
	number := doc.MasterIdentifier
	if number == nil || number.Value == "" {
		number = nil
		for i := range doc.Identifier {
			if doc.Identifier[i].Value != "" {
				number = &doc.Identifier[i]
				break
			}
		}
	}
	if number == nil {
		number = q.localNumber(doc.ID)
	}
	if number == nil {
		return invalid("DocumentReference has no masterIdentifier, identifier or id for TXA-12")
	}
	var att *fhir.Attachment
	hasURL := false
	for i := range doc.Content {
		a := doc.Content[i].Attachment
		if a == nil {
			continue
		}
		if a.Data != "" {
			att = a
			break
		}
		hasURL = hasURL || a.URL != ""
	}
	if att == nil {
		if hasURL {
			return invalid("DocumentReference.content has a url but no data: the document must be inline")
		}
		return invalid("DocumentReference.content has no attachment data")
	}
	b64 := strings.Join(strings.Fields(att.Data), "")
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return invalid("DocumentReference.content.attachment.data is not base64")
	}
	mime, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(att.ContentType)), ";")
	mime = strings.TrimSpace(mime)
	asText := (mime == "text/plain" || mime == "") && utf8.Valid(data) && !strings.ContainsRune(string(data), 0)
	if mime == "" && !asText {
		mime = "application/octet-stream"
	}
	pat, err := q.patientOf(doc.Subject, "DocumentReference.subject")
	if err != nil {
		return err
	}
	date, err := dtmField(doc.Date, "DocumentReference.date")
	if err != nil {
		return err
	}

	q.msh("MDM", "T02", "MDM_T02")
	q.evn("T02", date)
	if err := q.pid(pat); err != nil {
		return err
	}
	var enc *fhir.Reference
	if c := doc.Context; c != nil && len(c.Encounter) > 0 {
		enc = &c.Encounter[0]
	}
	if err := q.pv1(doc, enc, true); err != nil {
		return err
	}

	txa := v2Seg{}
	txa.set(1, "1")
	txa.set(2, v2Esc(documentTypeCode(doc.Type)))
	presentation := "TX"
	if !asText {
		switch top, _, _ := strings.Cut(mime, "/"); top {
		case "image":
			presentation = "IM"
		case "audio":
			presentation = "AU"
		default:
			presentation = "AP"
		}
	}
	txa.set(3, presentation)
	activity := date
	if c := doc.Context; c != nil && c.Period != nil && c.Period.Start != "" {
		if activity, err = dtmField(c.Period.Start, "DocumentReference.context.period.start"); err != nil {
			return err
		}
	}
	txa.set(4, activity)
	origination := date
	if att.Creation != "" {
		if origination, err = dtmField(att.Creation, "DocumentReference.content.attachment.creation"); err != nil {
			return err
		}
	}
	txa.set(6, origination)
	if len(doc.Author) > 0 {
		txa.set(9, q.xcn(doc, &doc.Author[0]))
	}
	txa.set(12, q.o.ei(number))
	txa.set(16, v2Esc(att.Title))
	completion := "DO"
	if doc.DocStatus != "" {
		var ok bool
		if completion, ok = outDocCompletion[doc.DocStatus]; !ok {
			return invalid("DocumentReference.docStatus is not a composition-status code")
		}
	}
	txa.set(17, completion)
	txa.set(18, confidentiality(doc.SecurityLabel))
	availability := "AV"
	if doc.Status != "" {
		var ok bool
		if availability, ok = outDocAvailability[doc.Status]; !ok {
			return invalid("DocumentReference.status is not a document-reference-status code")
		}
	}
	txa.set(19, availability)
	q.add("TXA", &txa)

	code := q.o.cwe(doc.Type)
	status := "F"
	if doc.DocStatus == "preliminary" {
		status = "P"
	}
	obx := func(n int, vt, value string) {
		s := v2Seg{}
		s.set(1, strconv.Itoa(n))
		s.set(2, vt)
		s.set(3, code)
		s.set(5, value)
		s.set(11, status)
		q.add("OBX", &s)
	}
	if asText {
		for i, line := range textLines(string(data)) {
			obx(i+1, "TX", v2Esc(line))
		}
		return nil
	}
	top, sub, _ := strings.Cut(mime, "/")
	obx(1, "ED", v2Join('^', "", v2Esc(top), v2Esc(sub), "Base64", v2Esc(b64)))
	return nil
}

// documentTypeCode is TXA-2 (IS) from DocumentReference.type.
func documentTypeCode(cc *fhir.CodeableConcept) string {
	for _, c := range cc.Coding {
		if c.System == sysV2Prefix+"0270" && c.Code != "" {
			return c.Code
		}
	}
	for _, c := range cc.Coding {
		if c.Code != "" {
			return c.Code
		}
	}
	return cc.Text
}

// confidentiality is TXA-18 (table 0272) from a v3-Confidentiality
// security label: N and L → U (usual control), R → R, V → V.
func confidentiality(labels []fhir.CodeableConcept) string {
	for _, cc := range labels {
		for _, c := range cc.Coding {
			if c.System != "http://terminology.hl7.org/CodeSystem/v3-Confidentiality" {
				continue
			}
			switch c.Code {
			case "N", "L":
				return "U"
			case "R", "V":
				return c.Code
			}
		}
	}
	return ""
}
