package mappings

import (
	"fmt"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// mapA40 maps ADT^A40 (merge patient, identifier list), structure ADT_A39:
// MSH EVN {PID [PD1] MRG [PV1]}. The IG has no A40 message map and its only
// MRG map is MRG[Account]; the patient merge follows FHIR's Patient.link
// (and the R5 $merge operation's result), decisions documented here:
//   - each PID is the surviving patient: its Patient as PID[Patient] maps
//     it, plus link type "replaces" to the old patient, plus the old
//     patient's MRG-1 identifiers with use "old" (so a search by the old
//     MRN finds the survivor);
//   - the MRG after it names the old patient: a Patient with the id the
//     old identifier gave it in earlier messages (the PID-3 key of ids.go,
//     from MRG-1's first identifier), active false, link type
//     "replaced-by" to the survivor, its identifiers MRG-1 (and MRG-4,
//     the prior patient id of v2.3) with use "old", and the name MRG-7;
//   - a MRG without identifier, or naming the surviving patient itself, is
//     skipped with a warning; PD1 maps onto the survivor; a PV1 only when
//     it names a visit (as for A28).
//
// The transaction PUTs the old Patient whole (see doc.go, Updates): what
// the old record held beyond its identifiers and name is replaced, by
// design: it now only points at the survivor, which holds the merged
// record.
func mapA40(r *run) error {
	var st adtState
	pairs := 0
	for _, s := range r.msg.Segments[1:] {
		if s.Name() != "NTE" {
			st.last = nil
			r.flush()
		}
		switch s.Name() {
		case "PID":
			p := r.pid(s, r.next("PID"))
			st = adtState{pat: &p}
			r.focus = append(r.focus, p.ref)
		case "MRG":
			n := r.next("MRG")
			if st.pat == nil {
				r.warn(at{"MRG", n, 0}, "MRG before any PID: skipped")
				continue
			}
			if r.mrg(s, n, *st.pat) {
				pairs++
			}
		case "PV1":
			n := r.next("PV1")
			if st.pat == nil || !st.enc.isZero() || !identifiable(s) {
				continue
			}
			st.enc, st.encRes = r.encounter(s, n, *st.pat)
			st.pv1 = s
		default:
			r.adtSegment(s, &st)
		}
	}
	if r.count("PID") == 0 {
		return fmt.Errorf("%w: no PID segment", ErrMalformed)
	}
	if r.count("MRG") == 0 {
		return fmt.Errorf("%w: no MRG segment", ErrMalformed)
	}
	r.provenance()
	return nil
}

// mrg maps a MRG segment (the n-th) onto the old patient and links it with
// the survivor, as mapA40 describes. It reports whether it did.
func (r *run) mrg(s *hl7.Segment, n int, survivor patient) bool {
	a := func(field int) at { return at{"MRG", n, field} }
	old := &fhir.Patient{Active: new(bool)}
	var key []string
	for _, f := range [...]int{1, 4} {
		var one [1]hl7.Value
		for _, rep := range r.reps(s.Field(f), &one) {
			id, auth, ok := r.cx(rep, a(f))
			if !ok {
				continue
			}
			id.Use = "old"
			old.Identifier = append(old.Identifier, id)
			if key == nil {
				// The key pid() gives a PID-3 identifier (ids.go); MRG-4
				// held what PID-2/PID-4 held before v2.3.1.
				if f == 1 {
					key = []string{"PID-3", id.Value, auth.key()}
				} else {
					key = []string{"PID-2", id.Value, auth.key()}
				}
			}
		}
	}
	if key == nil {
		r.warn(a(1), "no prior patient identifier: merge skipped")
		return false
	}
	x := r.ident("Patient", key...)
	if x.id == survivor.id {
		r.warn(a(1), "prior identifier names the surviving patient: merge skipped")
		return false
	}
	old.ID = x.id
	old.Name = r.names(s.Field(7), a(7), nil)
	old.Link = []fhir.PatientLink{{Other: survivor.ref.reference(), Type: "replaced-by"}}
	oldRef := r.add(x, old)
	if p := survivor.res; p != nil {
		p.Link = append(p.Link, fhir.PatientLink{Other: oldRef.reference(), Type: "replaces"})
		for _, id := range old.Identifier {
			if !hasIdentifier(p.Identifier, id) {
				p.Identifier = append(p.Identifier, id)
			}
		}
	}
	return true
}

// hasIdentifier reports whether ids holds one with id's system and value.
func hasIdentifier(ids []fhir.Identifier, id fhir.Identifier) bool {
	for _, x := range ids {
		if x.System == id.System && x.Value == id.Value {
			return true
		}
	}
	return false
}
