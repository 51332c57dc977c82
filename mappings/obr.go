package mappings

import (
	"strconv"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// order is a DiagnosticReport being built from an OBR (and its ORC), which
// the OBX that follow add results to, with the ServiceRequest it answers.
type order struct {
	dr       *fhir.DiagnosticReport
	sr       *fhir.ServiceRequest
	obr      *hl7.Segment
	n        int    // OBR position, for warnings
	category string // observation-category code for its observations
	// categories is its observations' category, built once and shared;
	// vitalCategories the same for its vital signs.
	categories      []fhir.CodeableConcept
	vitalCategories []fhir.CodeableConcept
	obxCount        int
	// basedOn is the reference to the ServiceRequest, shared by the
	// report and its observations.
	basedOn []fhir.Reference
	// specimens are the ids of the group's SPM, worked out when the OBR is
	// read (the OBX come before the SPM, and are written as soon as they
	// are complete); spmSeen counts the SPM mapped so far.
	specimens []ident
	spmSeen   int
	// specimen is the group's one Specimen, for Observation.specimen; nil
	// when the group has none or several (decision: which of several an
	// OBX is about is OBX-33's business, not guessed).
	specimen *fhir.Reference
	// bp are the blood pressure panels its results fold into (bp.go).
	bp bpPlan
}

// group is what a look ahead finds in an OBR group: the number of result
// OBX (up to the first SPM) and of SPM.
type group struct {
	results, spms int
}

// scanGroup reads the segments after an OBR up to the next group.
func scanGroup(segs []*hl7.Segment) group {
	var g group
	for _, s := range segs {
		switch s.Name() {
		case "OBX":
			if g.spms == 0 {
				g.results++
			}
		case "SPM":
			g.spms++
		case "OBR", "ORC", "PID":
			return g
		}
	}
	return g
}

// obr maps an OBR (the n-th) and the ORC before it (or nil) to a
// DiagnosticReport after the IG's OBR[DiagnosticReport] and
// ORC[DiagnosticReport] maps, and to its ServiceRequest (orc.go):
//   - identifier: OBR-2 placer (type PLAC) and OBR-3 filler (type FILL)
//     order numbers, ORC-2 and ORC-3 when the OBR ones are empty; ORC-4
//     placer group number (type PGN);
//   - basedOn: the ServiceRequest;
//   - status: OBR-25 through table 0123 (see resultStatus for the gaps);
//   - category: OBR-24 through table 0074; decisions: LAB when empty, the
//     R01 result being a lab result unless the section says otherwise,
//     and LAB first, then the section, for every laboratory section
//     (labSection), which US Core's DiagnosticReport for Laboratory
//     Results profile requires;
//   - code: OBR-4; decision: when empty (invalid v2, but R4 requires a
//     code) the text "unknown", with a warning;
//   - effective: OBR-7, or a period OBR-7 to OBR-8 when OBR-8 is valued;
//   - issued: OBR-22; subject the patient, encounter the visit if any;
//   - performer: OBR-34 technicians and OBR-35 transcriptionists, each with
//     the IG's event-performerFunction extension (SPRF, TRANS);
//     resultsInterpreter: OBR-32 (see ndl for the references);
//   - specimen: the Specimens of the group's SPM (spm.go).
//
// following are the segments after the OBR, read ahead for the group's
// results and specimens.
func (r *run) obr(s, orc *hl7.Segment, n int, pat patient, enc ref, following []*hl7.Segment) *order {
	a := func(field int) at { return at{"OBR", n, field} }
	g := scanGroup(following)
	dr := &fhir.DiagnosticReport{Subject: r.shared(pat.ref), Encounter: r.shared(enc)}
	if g.results > 0 {
		dr.Result = r.resultRoom(g.results)
	}
	o := &order{dr: dr, obr: s, n: n, category: "laboratory"}

	placerV, fillerV := s.Field(2), s.Field(3)
	if orc != nil {
		if placerV.IsEmpty() {
			placerV = orc.Field(2)
		}
		if fillerV.IsEmpty() {
			fillerV = orc.Field(3)
		}
	}
	placer, placerAuth, hasPlacer := r.ei(placerV.Rep(1), "PLAC")
	filler, fillerAuth, hasFiller := r.ei(fillerV.Rep(1), "FILL")
	if hasPlacer || hasFiller {
		dr.Identifier = make([]fhir.Identifier, 0, 2)
	}
	if hasPlacer {
		dr.Identifier = append(dr.Identifier, placer)
	}
	if hasFiller {
		dr.Identifier = append(dr.Identifier, filler)
	}
	// The ServiceRequest shares the order numbers; ORC-4, the placer group
	// number, is its requisition, and an identifier of the report only
	// (IG ORC[DiagnosticReport], type PGN as in ORC[ServiceRequest]).
	orderIDs := dr.Identifier[:len(dr.Identifier):len(dr.Identifier)]
	if orc != nil {
		if id, _, ok := r.ei(orc.Field(4).Rep(1), "PGN"); ok {
			dr.Identifier = append(orderIDs, id)
		}
	}

	status := code(s.Field(25))
	if k, ok := resultStatus.lookup(status); ok {
		dr.Status = k.Code
		if k.Code == "unknown" {
			r.warn(a(25), "result status "+status+" (no order or patient on record): status unknown")
		}
	} else {
		dr.Status = "unknown"
		if status == "" {
			r.warn(a(25), "no result status: status unknown")
		} else {
			r.warn(a(25), "result status not in table 0123: status unknown")
		}
	}

	section := code(s.Field(24))
	if section == "" {
		section = "LAB"
	}
	k, known := serviceSection.lookup(section)
	switch {
	case known && section == "LAB":
		dr.Category = []fhir.CodeableConcept{*conceptCC(k)}
	case known && labSection(section):
		lab, _ := serviceSection.lookup("LAB")
		dr.Category = []fhir.CodeableConcept{*conceptCC(lab), *conceptCC(k)}
	case known:
		dr.Category = []fhir.CodeableConcept{*conceptCC(k)}
	default:
		// Decision: an unknown section is kept as text, after LAB (a
		// local lab section is the usual reason).
		lab, _ := serviceSection.lookup("LAB")
		dr.Category = []fhir.CodeableConcept{*conceptCC(lab), {Text: section}}
	}
	if imagingSections[section] {
		o.category = "imaging"
	}

	dr.Code = r.codeable(s.Field(4).Rep(1), "")
	if dr.Code == nil {
		dr.Code = &fhir.CodeableConcept{Text: "unknown"}
		r.warn(a(4), "no universal service identifier: code is the text \"unknown\"")
	}

	if end := r.dateTime(s.Field(8), a(8)); end != "" {
		dr.EffectivePeriod = &fhir.Period{Start: r.dateTime(s.Field(7), a(7)), End: end}
	} else {
		dr.EffectiveDateTime = strPtr(r.dateTime(s.Field(7), a(7)))
	}
	dr.Issued = r.instant(s.Field(22), a(22))
	dr.Performer = r.ndlRefs(s.Field(34), "SPRF", "secondary performer", nil)
	dr.Performer = r.ndlRefs(s.Field(35), "TRANS", "Transcriber", dr.Performer)
	dr.ResultsInterpreter = r.ndlRefs(s.Field(32), "", "", nil)

	sys, cd := r.codeKey(s.Field(4))
	var id ident
	switch {
	case hasFiller:
		id = r.uniqueIdent("DiagnosticReport", "filler", filler.Value, fillerAuth.key(), sys, cd)
	case hasPlacer:
		id = r.uniqueIdent("DiagnosticReport", "placer", placer.Value, placerAuth.key(), sys, cd)
	default:
		m := r.msgKey
		id = r.uniqueIdent("DiagnosticReport", "msg", m[0], m[1], m[2], m[3], "OBR", strconv.Itoa(n), sys, cd)
		r.warn(a(3), "no filler or placer order number: the DiagnosticReport id is only stable for this message")
	}
	dr.ID = id.id
	if g.spms > 0 {
		r.specimenIdents(o, following, pat)
	}
	r.serviceRequest(s, orc, n, o, pat, enc, orderIDs, placer, filler, placerAuth, fillerAuth, hasPlacer, hasFiller)
	dr.BasedOn = o.basedOn
	r.focus = append(r.focus, r.add(id, dr))
	return o
}

// resultRoom returns an empty slice with room for n results. MapJSON cuts
// it from storage the run keeps across messages (the report is written
// before the run is reused); Map allocates it.
func (r *run) resultRoom(n int) []fhir.Reference {
	if !r.stream {
		return make([]fhir.Reference, 0, n)
	}
	if cap(r.results)-len(r.results) < n {
		r.results = make([]fhir.Reference, 0, max(64, 2*cap(r.results), n))
	}
	s := r.results[len(r.results) : len(r.results) : len(r.results)+n]
	r.results = r.results[:len(r.results)+n]
	return s
}

// codeKey is a CWE's identity for ids: its first triplet's coding system
// name and code, or its raw text when it has no code.
func (r *run) codeKey(f hl7.Value) (system, code string) {
	c := r.split(f)
	return codeKeyFrom(&c)
}

func codeKeyFrom(c *comps) (system, code string) {
	if cd := codeText(c.text(1)); cd != "" {
		return c.text(3), cd
	}
	return "", strings.Join(c.raw[:c.n], "^")
}
