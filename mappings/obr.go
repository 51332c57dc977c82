package mappings

import (
	"strconv"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// order is a DiagnosticReport being built from an OBR (and its ORC), which
// the OBX that follow add results to.
type order struct {
	dr       *fhir.DiagnosticReport
	obr      *hl7.Segment
	n        int    // OBR position, for warnings
	category string // observation-category code for its observations
	// categories is its observations' category, built once and shared.
	categories []fhir.CodeableConcept
	obxCount   int
}

// obr maps an OBR (the n-th) and the ORC before it (or nil) to a
// DiagnosticReport after the IG's OBR[DiagnosticReport] and
// ORC[DiagnosticReport] maps:
//   - identifier: OBR-2 placer (type PLAC) and OBR-3 filler (type FILL)
//     order numbers, ORC-2 and ORC-3 when the OBR ones are empty;
//   - status: OBR-25 through table 0123 (see resultStatus for the gaps);
//   - category: OBR-24 through table 0074; decision: LAB when empty, the
//     R01 result being a lab result unless the section says otherwise;
//   - code: OBR-4; decision: when empty (invalid v2, but R4 requires a
//     code) the text "unknown", with a warning;
//   - effective: OBR-7, or a period OBR-7 to OBR-8 when OBR-8 is valued;
//   - issued: OBR-22; subject the patient, encounter the visit if any.
func (r *run) obr(s, orc *hl7.Segment, n int, pat patient, enc ref, results int) *order {
	a := func(field int) at { return at{"OBR", n, field} }
	dr := &fhir.DiagnosticReport{Subject: pat.ref.reference(), Encounter: enc.reference()}
	if results > 0 {
		dr.Result = r.resultRoom(results)
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
	if k, ok := serviceSection.lookup(section); ok {
		dr.Category = []fhir.CodeableConcept{*conceptCC(k)}
	} else {
		dr.Category = []fhir.CodeableConcept{{Text: section}}
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
