package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
)

// orders builds ORM^O01 (structure ORM_O01, the default) or OML^O21
// (OML_O21, OutboundOptions.OrderStructure) from a ServiceRequest. Both
// carry the order the same way.
//
// Segments: MSH PID [PV1] ORC OBR [NTE].
//
//   - ORC-1 from the status (outOrderControl: NW, HD, CA, SC; draft and
//     unknown are rejected), ORC-2 placer and ORC-3 filler order numbers
//     (PLAC and FILL identifiers; an untyped identifier, else the
//     resource id assigned by MSH-3, is the placer number: the app
//     placing the order owns it), ORC-4 requisition, ORC-5 status, ORC-9
//     authoredOn, ORC-12 requester;
//   - OBR-2/3 the order numbers, OBR-4 code (required), OBR-6 requested
//     date/time from occurrence (dateTime, or the period's start; OBR-7,
//     the collection time, is the filler's to send), OBR-11 G for a reflex
//     order (as the inbound map reads it), OBR-16 the requester, OBR-31
//     reasonCode;
//   - NTE: ServiceRequest.note, then patientInstruction.
//
// The intent must be an order (outOrderIntents).
func (q *outReq) orders() error {
	sr := q.focus.(*fhir.ServiceRequest)
	if !hasCode(sr.Code) {
		return invalid("ServiceRequest has no code (OBR-4)")
	}
	if !outOrderIntents[sr.Intent] {
		return invalid("ServiceRequest.intent is not an order intent (order, original-order, reflex-order, filler-order, instance-order)")
	}
	control, ok := outOrderControl[sr.Status]
	if !ok {
		return invalid("ServiceRequest.status must be active, on-hold, revoked, entered-in-error or completed for an order message")
	}
	status, err := orderStatusCode(sr.Status)
	if err != nil {
		return err
	}
	pat, err := q.patientOf(sr.Subject, "ServiceRequest.subject")
	if err != nil {
		return err
	}
	if q.o.oml {
		q.msh("OML", "O21", "OML_O21")
	} else {
		q.msh("ORM", "O01", "ORM_O01")
	}
	if err := q.pid(pat); err != nil {
		return err
	}
	if err := q.pv1(sr, sr.Encounter, false); err != nil {
		return err
	}
	placer, filler := orderNumbers(sr.Identifier, true)
	if placer == nil {
		placer = q.localNumber(sr.ID)
	}
	requester := q.xcn(sr, sr.Requester)

	orc := v2Seg{}
	orc.set(1, control)
	orc.set(2, q.o.ei(placer))
	orc.set(3, q.o.ei(filler))
	orc.set(4, q.o.ei(sr.Requisition))
	orc.set(5, status)
	if err := setDTM(&orc, 9, sr.AuthoredOn, "ServiceRequest.authoredOn"); err != nil {
		return err
	}
	orc.set(12, requester)
	q.add("ORC", &orc)

	obr := v2Seg{}
	obr.set(1, "1")
	obr.set(2, q.o.ei(placer))
	obr.set(3, q.o.ei(filler))
	obr.set(4, q.o.cwe(sr.Code))
	start := ""
	if sr.OccurrenceDateTime != nil {
		start = *sr.OccurrenceDateTime
	} else if p := sr.OccurrencePeriod; p != nil {
		start = p.Start
	}
	if err := setDTM(&obr, 6, start, "ServiceRequest.occurrence[x]"); err != nil {
		return err
	}
	if sr.Intent == "reflex-order" {
		obr.set(11, "G")
	}
	obr.set(16, requester)
	reasons := make([]string, 0, len(sr.ReasonCode))
	for i := range sr.ReasonCode {
		if r := q.o.cwe(&sr.ReasonCode[i]); r != "" {
			reasons = append(reasons, r)
		}
	}
	obr.set(31, joinReps(reasons))
	q.add("OBR", &obr)
	notes := sr.Note
	if sr.PatientInstruction != "" {
		notes = append(notes[:len(notes):len(notes)], fhir.Annotation{Text: sr.PatientInstruction})
	}
	q.nte(notes)
	return nil
}
