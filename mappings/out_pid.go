package mappings

import (
	"slices"

	"github.com/switchboard-hl7/switchboard/fhir"
)

// pid adds PID for the patient, the reverse of pid.go for what write-back
// needs to match the patient:
//   - PID-3: every current identifier (use "old" left out) as CX, the one
//     typed MR first (decision: EHRs match on the first repetition, and
//     PID-3 is required: a Patient without an identifier is rejected);
//     an SSN (system us-ssn) goes to PID-19 and a driver's licence (type
//     DL) to PID-20, where the inbound map reads them;
//   - PID-5 every name (XPN), PID-7 birthDate (with the patient-birthTime
//     extension's time when present), PID-8 gender.
//
// Decision: addresses, phones and the other demographics are not sent. A
// write-back reports results, orders, documents and allergies; the EHR
// owns the demographics, and a stale copy from an app must not overwrite
// them.
func (q *outReq) pid(p *fhir.Patient) error {
	s := v2Seg{}
	s.set(1, "1")
	ids := make([]*fhir.Identifier, 0, len(p.Identifier))
	for i := range p.Identifier {
		id := &p.Identifier[i]
		switch {
		case id.Value == "" || id.Use == "old":
		case id.System == "http://hl7.org/fhir/sid/us-ssn":
			s.set(19, v2Esc(id.Value))
		case identifierTypeCode(id.Type) == "DL":
			end := ""
			if id.Period != nil {
				var err error
				if end, err = dtmDate(id.Period.End, "Patient.identifier.period.end"); err != nil {
					return err
				}
			}
			s.set(20, v2Join('^', v2Esc(id.Value), "", end))
		default:
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return invalid("Patient has no identifier for PID-3 (Patient.identifier with a value)")
	}
	slices.SortStableFunc(ids, func(a, b *fhir.Identifier) int {
		am, bm := identifierTypeCode(a.Type) == "MR", identifierTypeCode(b.Type) == "MR"
		switch {
		case am && !bm:
			return -1
		case bm && !am:
			return 1
		}
		return 0
	})
	reps := make([]string, len(ids))
	for i, id := range ids {
		var a hd
		reps[i], a = q.o.cx(id)
		if i == 0 {
			q.patientID, q.patientAA = id.Value, a.ns
			if a.ns == "" {
				q.patientAA = a.uid
			}
		}
	}
	s.set(3, joinReps(reps))
	names := make([]string, 0, len(p.Name))
	for i := range p.Name {
		if n := xpn(&p.Name[i]); n != "" {
			names = append(names, n)
		}
	}
	s.set(5, joinReps(names))
	birth, err := dtmDate(p.BirthDate, "Patient.birthDate")
	if err != nil {
		return err
	}
	if p.BirthDateExt != nil {
		for _, e := range p.BirthDateExt.Extension {
			if e.URL == "http://hl7.org/fhir/StructureDefinition/patient-birthTime" && e.ValueDateTime != nil {
				if birth, err = dtmField(*e.ValueDateTime, "Patient.birthDate birthTime extension"); err != nil {
					return err
				}
			}
		}
	}
	s.set(7, birth)
	if p.Gender != "" {
		g, ok := outGender[p.Gender]
		if !ok {
			return invalid("Patient.gender is not an administrative-gender code")
		}
		s.set(8, g)
	}
	q.add("PID", &s)
	return nil
}

// joinReps joins raw repetitions.
func joinReps(reps []string) string {
	out := ""
	for i, r := range reps {
		if i > 0 {
			out += "~"
		}
		out += r
	}
	return out
}

// pv1 adds PV1 from the encounter ref resolves to: PV1-2 patient class
// from Encounter.class (U when unknown), PV1-19 visit number from its
// first identifier, PV1-44 and PV1-45 from its period. Without an
// Encounter it adds the minimal PV1 (PV1-1 1, PV1-2 U) when required is
// set (MDM^T02, where PV1 is required), else nothing (ORU^R01, ORM^O01,
// OML^O21, ADT^A60, where the visit is optional: decision, a made-up
// visit would only give the EHR something to mismatch).
func (q *outReq) pv1(from fhir.Resource, ref *fhir.Reference, required bool) error {
	enc, _ := q.resolve(from, ref).(*fhir.Encounter)
	if enc == nil && !required {
		return nil
	}
	s := v2Seg{}
	s.set(1, "1")
	s.set(2, "U")
	if enc == nil {
		q.add("PV1", &s)
		return nil
	}
	if c := enc.Class; c != nil {
		if v, ok := outPatientClass[c.Code]; ok {
			s.set(2, v)
		} else if c.System == sysV2Prefix+"0004" && c.Code != "" {
			s.set(2, v2Esc(c.Code))
		}
	}
	for i := range enc.Identifier {
		if enc.Identifier[i].Value != "" {
			cx, _ := q.o.cx(&enc.Identifier[i])
			s.set(19, cx)
			break
		}
	}
	if p := enc.Period; p != nil {
		start, err := dtmField(p.Start, "Encounter.period.start")
		if err != nil {
			return err
		}
		end, err := dtmField(p.End, "Encounter.period.end")
		if err != nil {
			return err
		}
		s.set(44, start)
		s.set(45, end)
	}
	q.add("PV1", &s)
	return nil
}
