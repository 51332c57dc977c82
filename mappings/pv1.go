package mappings

import (
	"strconv"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// identifiable reports whether a PV1 names a visit: a visit number (PV1-19)
// or an admit time (PV1-44). ORU and the person-level ADT events (A28, A31)
// map their PV1 only then: their PV1 is often a placeholder ("PV1||N"),
// and an Encounter per message would be noise.
func identifiable(s *hl7.Segment) bool {
	return text(s.Field(19).Component(1)) != "" || text(s.Field(44).Component(1)) != ""
}

// encounterStatus decides Encounter.status:
//  1. events whose meaning is the status: A03 finished, A11 cancelled, A13
//     in-progress (a cancelled discharge may still carry PV1-45);
//  2. PV1-45 (discharge time) valued: finished (IG PV1 map);
//  3. the event through table eventStatus (A01, A02 in-progress; A04, A05
//     planned, as the IG's Event concept map says);
//  4. the patient class through patientClassStatus (IG: PV1-2 when PV1-45
//     is empty), which covers A08 and the other updates;
//  5. unknown.
func encounterStatus(trigger, class string, discharged bool) string {
	switch trigger {
	case "A03", "A11", "A13":
		k, _ := eventStatus.lookup(trigger)
		return k.Code
	}
	if discharged {
		return "finished"
	}
	if k, ok := eventStatus.lookup(trigger); ok {
		return k.Code
	}
	if k, ok := patientClassStatus.lookup(class); ok {
		return k.Code
	}
	return "unknown"
}

// pv1 maps a PV1 segment (the n-th) to an Encounter after the IG's
// PV1[Encounter] map:
//   - class: PV1-2 through table 0004 (empty → U; required in R4);
//   - status: see encounterStatus;
//   - identifier: PV1-19 (type VN, as the IG assigns) and PV1-50;
//   - period: PV1-44 start, PV1-45 end;
//   - participant: PV1-7 attender, PV1-8 referrer, PV1-9 consultant,
//     PV1-17 admitter (every repetition), as Practitioner references;
//   - location: PV1-3 (active, planned for a preadmit) and PV1-6 prior
//     location (completed), each the most granular Location of its PL;
//   - location also PV1-11 temporary location (active) and PV1-42 pending
//     location (reserved), as the IG numbers them;
//   - participant also PV1-52 other healthcare provider (PART);
//   - type PV1-4 through table 0007 (IG AdmissionType). US Core requires
//     Encounter.type; decision when PV1-4 is empty: PV1-18 patient type
//     (user-defined table 0018) as sent, else a type whose text is the
//     patient class's display ("emergency", "inpatient encounter"), so the
//     element is present without inventing a code;
//   - serviceType PV1-10, and hospitalization: PV1-5 preadmission number,
//     PV1-13 re-admission, PV1-14 admit source, PV1-15 ambulatory status
//     (specialArrangement), PV1-16 VIP indicator (specialCourtesy), PV1-36
//     discharge disposition, PV1-38 diet (dietPreference).
//
// Not made, of the IG's other PV1 maps: PV1[Patient] (PV1-16 as the
// Patient's patient-importance extension, "if person level VIP", which a
// visit field cannot tell: it stays the visit's specialCourtesy);
// PV1[Coverage] (PV1-20 financial class as a Coverage's type: an R4
// Coverage without IN1 has no payor, which it requires); and
// PV1[Basic-EncounterHistory] (PV1-43 prior temporary location).
func (r *run) pv1(s *hl7.Segment, n int, pat patient) ref {
	x, _ := r.encounter(s, n, pat)
	return x
}

// encounter is pv1 that also returns the Encounter, for the segments after
// the PV1 (PV2, DG1) to add to. When the bundle holds an Encounter with the
// same id already, that one stands and the one returned is a discarded copy.
func (r *run) encounter(s *hl7.Segment, n int, pat patient) (ref, *fhir.Encounter) {
	a := func(field int) at { return at{"PV1", n, field} }
	ep := new(encounterParts)
	e := &ep.e
	e.Subject = pat.ref.reference()

	cls := code(s.Field(2).Component(1))
	if cls == "" {
		cls = "U"
	}
	if k, ok := patientClass.lookup(cls); ok {
		e.Class = &fhir.Coding{System: k.System, Code: k.Code, Display: k.Display}
	} else {
		e.Class = &fhir.Coding{Code: cls, Display: text(s.Field(2).Component(2))}
		r.warn(a(2), "patient class not in table 0004: class kept without a system")
	}
	end := r.dateTime(s.Field(45), a(45))
	e.Status = encounterStatus(r.trigger, cls, text(s.Field(45).Component(1)) != "")

	var key []string
	if id, auth, ok := r.cx(s.Field(19).Rep(1), a(19)); ok {
		id.Type = r.identifierType("VN")
		e.Identifier = append(e.Identifier, id)
		key = []string{"PV1-19", id.Value, auth.key()}
	}
	if id, _, ok := r.cx(s.Field(50).Rep(1), a(50)); ok {
		e.Identifier = append(e.Identifier, id)
	}

	start := r.dateTime(s.Field(44), a(44))
	if start != "" || end != "" {
		e.Period = &fhir.Period{Start: start, End: end}
	}

	for _, f := range [...]int{7, 8, 9, 17, 52} {
		var one [1]hl7.Value
		for _, rep := range r.reps(s.Field(f), &one) {
			if ind := r.xcn(rep, a(f)).reference(); ind != nil {
				k, ok := participation[f]
				if !ok {
					k = participationADT[f]
				}
				e.Participant = append(e.Participant, fhir.EncounterParticipant{
					Type:       []fhir.CodeableConcept{*conceptCC(k)},
					Individual: ind,
				})
			}
		}
	}

	status := "active"
	if cls == "P" {
		status = "planned"
	}
	if loc := r.pl(s.Field(3).Rep(1)).reference(); loc != nil {
		e.Location = append(e.Location, fhir.EncounterLocation{Location: loc, Status: status})
	}
	if loc := r.pl(s.Field(6).Rep(1)).reference(); loc != nil {
		e.Location = append(e.Location, fhir.EncounterLocation{Location: loc, Status: "completed"})
	}
	if loc := r.pl(s.Field(11).Rep(1)).reference(); loc != nil {
		e.Location = append(e.Location, fhir.EncounterLocation{Location: loc, Status: "active"})
	}
	if loc := r.pl(s.Field(42).Rep(1)).reference(); loc != nil {
		e.Location = append(e.Location, fhir.EncounterLocation{Location: loc, Status: "reserved"})
	}

	defaultType := false
	if t := r.codeableVia(s.Field(4).Rep(1), admissionType); t != nil {
		ep.typ[0] = *t
	} else if t = r.codeable(s.Field(18).Rep(1), "0018"); t != nil {
		ep.typ[0] = *t
	} else if defaultType, ep.typ[0].Text = true, e.Class.Display; e.Class.Display == "" {
		ep.typ[0].Text = e.Class.Code
	}
	e.Type = ep.typ[:]
	e.ServiceType = r.codeable(s.Field(10).Rep(1), "0069")

	h := &fhir.EncounterHospitalization{
		ReAdmission:          r.codeable(s.Field(13).Rep(1), "0092"),
		AdmitSource:          r.codeable(s.Field(14).Rep(1), "0023"),
		DischargeDisposition: r.codeable(s.Field(36).Rep(1), "0112"),
	}
	if id, _, ok := r.cx(s.Field(5).Rep(1), a(5)); ok {
		h.PreAdmissionIdentifier = &id
	}
	h.SpecialCourtesy = r.codeableList(s.Field(16), nil, "0099")
	h.SpecialArrangement = r.codeableList(s.Field(15), nil, "0009")
	h.DietPreference = r.codeableList(s.Field(38), nil, "")
	if h.ReAdmission != nil || h.AdmitSource != nil || h.DischargeDisposition != nil ||
		h.PreAdmissionIdentifier != nil || h.SpecialCourtesy != nil ||
		h.SpecialArrangement != nil || h.DietPreference != nil {
		e.Hospitalization = h
	}

	switch admit := text(s.Field(44).Component(1)); {
	case key != nil:
	case admit != "":
		// The admit time as sent: the channel's zone must not change ids.
		key = []string{"PV1-44", pat.id, admit}
	default:
		key = append(append([]string{"msg"}, r.msgKey...), "PV1", strconv.Itoa(n))
	}
	id := r.ident("Encounter", key...)
	e.ID = id.id
	r.carryEncounter(s, e, defaultType)
	return r.add(id, e), e
}

// encounterParts is an Encounter with room for its type, allocated
// together: the default type (US Core) costs no allocation of its own.
type encounterParts struct {
	e   fhir.Encounter
	typ [1]fhir.CodeableConcept
}
