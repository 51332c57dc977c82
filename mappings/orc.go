package mappings

import (
	"strconv"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// serviceRequest maps an OBR (the n-th) and the ORC before it (or nil) to
// the ServiceRequest its DiagnosticReport and Observations are based on,
// after the IG's ORC[ServiceRequest] and OBR[ServiceRequest] maps (the ORU
// message map creates it "if a ServiceRequest needs to be created for the
// receiver"; decision: always, as the order the results answer):
//   - identifier: the report's PLAC and FILL identifiers (ORC-2/3, or
//     OBR-2/3 when the ORC ones are empty: the same rule as the report's,
//     so the values are shared); requisition ORC-4 (type PGN);
//   - status: ORC-5 (table 0038), else ORC-1 (table 0119), else the
//     result status OBR-25 (orderStatusFromResult, a decision), else
//     "unknown";
//   - intent "order", "reflex-order" for OBR-11 G (the IG's "add-on" for
//     OBR-11 A is no R4 intent: decision, "order");
//   - code OBR-4 (the report's), occurrenceDateTime OBR-6, reasonCode
//     OBR-31, subject the patient, encounter the visit;
//   - authoredOn ORC-9 when ORC-1 is NW, as the IG says (in an ORU, ORC-9
//     is the time of the result transaction, not of the order);
//   - requester ORC-12, else OBR-16 (decision: a direct Practitioner
//     reference where the IG builds a PractitionerRole, as for OBX-16);
//   - note: NTE after the OBR (see nte.go); specimen: the group's SPM.
//
// The id is keyed like the report's, placer number first: the placer owns
// the order (see ids.go).
func (r *run) serviceRequest(s, orc *hl7.Segment, n int, o *order, pat patient, enc ref, ids []fhir.Identifier,
	placer, filler fhir.Identifier, placerAuth, fillerAuth hd, hasPlacer, hasFiller bool) {
	a := func(seg string, field int) at { return at{seg, n, field} }
	sr := &fhir.ServiceRequest{
		Identifier: ids,
		Intent:     "order",
		Code:       o.dr.Code,
		Subject:    r.shared(pat.ref),
		Encounter:  r.shared(enc),
	}
	if code(s.Field(11)) == "G" {
		sr.Intent = "reflex-order"
	}
	control := ""
	if orc != nil {
		control = code(orc.Field(1))
		if id, _, ok := r.ei(orc.Field(4).Rep(1), "PGN"); ok {
			sr.Requisition = &id
		}
	}
	sr.Status = "unknown"
	switch {
	case orc != nil && !orc.Field(5).IsEmpty():
		if k, ok := orderStatus.lookup(code(orc.Field(5))); ok {
			sr.Status = k.Code
		} else {
			r.warn(a("ORC", 5), "order status not in table 0038: status unknown")
		}
	default:
		if k, ok := orderControl.lookup(control); ok {
			sr.Status = k.Code
		} else if k, ok := orderStatusFromResult.lookup(code(s.Field(25))); ok {
			sr.Status = k.Code
		}
	}
	if control == "NW" {
		sr.AuthoredOn = r.dateTime(orc.Field(9), a("ORC", 9))
	}
	sr.OccurrenceDateTime = strPtr(r.dateTime(s.Field(6), a("OBR", 6)))
	var req ref
	if orc != nil {
		req = r.xcn(orc.Field(12).Rep(1), a("ORC", 12))
	}
	if req.isZero() {
		req = r.xcn(s.Field(16).Rep(1), a("OBR", 16))
	}
	sr.Requester = req.reference()
	sr.ReasonCode = r.codeableList(s.Field(31), nil, "")
	sr.Specimen = o.dr.Specimen

	sys, cd := r.codeKey(s.Field(4))
	var id ident
	switch {
	case hasPlacer:
		id = r.uniqueIdent("ServiceRequest", "placer", placer.Value, placerAuth.key(), sys, cd)
	case hasFiller:
		id = r.uniqueIdent("ServiceRequest", "filler", filler.Value, fillerAuth.key(), sys, cd)
	default:
		m := r.msgKey
		id = r.uniqueIdent("ServiceRequest", "msg", m[0], m[1], m[2], m[3], "OBR", strconv.Itoa(n), sys, cd)
	}
	sr.ID = id.id
	o.sr = sr
	o.basedOn = []fhir.Reference{{Reference: r.add(id, sr).url}}
}
