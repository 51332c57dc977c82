package mappings

import (
	"fmt"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// adtState is what the ADT message maps carry from segment to segment:
// the current patient and visit, the observation NTEs attach to.
type adtState struct {
	pat      *patient
	enc      ref
	encRes   *fhir.Encounter
	pv1      *hl7.Segment
	last     *fhir.Observation
	contacts bool // an NK1 of the current patient was mapped
	// group is the segment whose group a ROL or PRT belongs to: the last
	// one read that is not a ROL, PRT, ARV or NTE.
	group string
}

// mapADT maps the ADT events in adtEvents after the IG's ADT_A01 message
// map (the others share its segment maps): PID → Patient, PD1 → Patient
// (pd1.go), NK1 → Patient.contact and RelatedPerson (nk1.go), PV1 →
// Encounter (except for A28 and A31, person information whose PV1 is a
// placeholder, unless it names a visit), PV2 → Encounter (pv2.go), OBX →
// Observation of the patient and visit (NTE after an OBX its note), AL1 →
// AllergyIntolerance, DG1 → Condition and Encounter.diagnosis, PR1 →
// Procedure, IN1 → Coverage, PRT and ROL → general practitioners, the
// patient's CareTeam and visit participants (prt.go, rol.go, careteam.go).
// EVN dates the visit (evn.go) and has its Provenance. Segments this cut
// does not map (GT1, IN2, IN3, DB1, ACC, UB1, ...) are skipped; IN3
// (certification), which the IG folds into the CareTeam, among them: it
// names a certifying reviewer, not a member of the patient's care. A
// second PID ends the mapping with a warning: these events carry one
// patient.
func mapADT(r *run) error {
	var st adtState
	ev := r.readEVN()
segments:
	for _, s := range r.msg.Segments[1:] {
		if s.Name() != "NTE" {
			st.last = nil
			r.flush() // the observation before is complete (MapJSON)
		}
		switch s.Name() {
		case "ROL", "PRT", "ARV", "NTE":
		default:
			st.group = s.Name()
		}
		switch s.Name() {
		case "PID":
			n := r.next("PID")
			if st.pat != nil {
				// One patient per ADT event (A40 has its own map): what
				// follows another PID is that patient's, and must not land
				// on this one (a living will, an allergy).
				r.warn(at{"PID", n, 0}, "a second patient in one event: it and the segments after it are not mapped")
				break segments
			}
			p := r.pid(s, n)
			st.pat = &p
			r.focus = append(r.focus, p.ref)
		case "PV1":
			n := r.next("PV1")
			if st.pat == nil || !st.enc.isZero() {
				continue
			}
			if (r.trigger == "A28" || r.trigger == "A31") && !identifiable(s) {
				continue
			}
			st.enc, st.encRes = r.encounter(s, n, *st.pat)
			st.pv1 = s
			ev.dateVisit(r.trigger, s, st.encRes)
			r.focus = append(r.focus, st.enc)
		default:
			r.adtSegment(s, &st)
		}
	}
	if st.pat == nil {
		return fmt.Errorf("%w: no PID segment", ErrMalformed)
	}
	r.provenance()
	return nil
}

// adtSegment maps the segments mapADT and mapA40 share, after the PID.
func (r *run) adtSegment(s *hl7.Segment, st *adtState) {
	name := s.Name()
	switch name {
	case "NTE":
		addNote(st.last, s)
		return
	case "PD1", "NK1", "PV2", "OBX", "AL1", "DG1", "PR1", "IN1", "PRT", "ROL":
	default:
		return
	}
	n := r.next(name)
	if st.pat == nil {
		return
	}
	switch name {
	case "PD1":
		r.pd1(s, n, *st.pat)
	case "NK1":
		r.nk1(s, n, *st.pat, !st.contacts)
		st.contacts = true
	case "PV2":
		if st.pv1 != nil && n == 1 {
			r.pv2(s, n, st.encRes)
		}
	case "OBX":
		st.last = r.obx(s, n, obxContext{pat: *st.pat, enc: st.enc})
	case "AL1":
		r.al1(s, n, *st.pat)
	case "DG1":
		r.dg1(s, n, *st.pat, st.enc, st.encRes)
	case "PR1":
		r.pr1(s, n, *st.pat, st.enc)
	case "IN1":
		r.in1(s, n, *st.pat)
	case "PRT":
		r.prtADT(s, n, st)
	case "ROL":
		r.rolADT(s, n, st)
	}
}
