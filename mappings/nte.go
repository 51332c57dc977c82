package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// note maps an NTE (the n-th) to an Annotation after the IG's
// NTE[ServiceRequest] map, which its ORU message map also uses for the
// NTE of an OBX: text NTE-3 (FT, repeating: lines; \.br\ is a newline),
// authorReference NTE-5 (XCN, see xcn), time NTE-6. An NTE without text
// gives nothing (R4 requires Annotation.text).
func (r *run) note(s *hl7.Segment, n int) (fhir.Annotation, bool) {
	t := lines(s.Field(3))
	if t == "" {
		return fhir.Annotation{}, false
	}
	a := fhir.Annotation{Text: t, Time: r.dateTime(s.Field(6), at{"NTE", n, 6})}
	a.AuthorReference = r.xcn(s.Field(5).Rep(1), at{"NTE", n, 5}).reference()
	return a, true
}

// noteTarget is where the NTE segments of an ORU go, by the segment they
// follow (mapORU keeps it):
//   - after an OBX: its Observation.note (IG ORU_R01 OBSERVATION.NTE);
//   - after an OBR: its ServiceRequest.note (IG NTE[ServiceRequest]; R4
//     DiagnosticReport has no note);
//   - after an SPM: its Specimen.note (decision: the IG's SPECIMEN group
//     has no NTE, but senders put specimen comments there);
//   - after a PID (PATIENT.NTE, which the IG does not map) and anywhere
//     else: nowhere (decision: R4 Patient has no note, and a comment about
//     the patient is not an observation), with a warning.
type noteTarget struct {
	notes *[]fhir.Annotation
}

// add appends the NTE to the target, or warns that it is not mapped.
func (t noteTarget) add(r *run, s *hl7.Segment, n int, after string) {
	if t.notes == nil {
		if !s.Field(3).IsEmpty() {
			r.warn(at{"NTE", n, 0}, "NTE after "+after+" is not mapped")
		}
		return
	}
	if a, ok := r.note(s, n); ok {
		*t.notes = append(*t.notes, a)
	}
}
