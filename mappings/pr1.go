package mappings

import (
	"strconv"
	"time"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// pr1 maps a PR1 segment (the n-th) to a Procedure after the IG's
// PR1[Procedure] map:
//   - status: the IG leaves it to the message context; decision: in an ADT
//     message a PR1 reports a procedure done for the visit, so completed
//     when PR1-5 dates it, else unknown (US Core us-core-7: a completed
//     procedure needs performed[x]);
//   - code PR1-3 (CNE), its text from PR1-4 when PR1-3 has none (US Core
//     requires code: a PR1 with neither is skipped with a warning). The
//     IG's PR1-16 modifiers concatenated into the code are left out:
//     "code:modifier" is no code of the code system;
//   - performed: PR1-5 as performedDateTime; with PR1-7 (minutes) and a
//     PR1-5 to the minute, performedPeriod from PR1-5 to PR1-5 + PR1-7;
//   - category PR1-6 (table 0230), reasonCode PR1-15, identifier PR1-19
//     (EI), location PR1-23 (PL);
//   - performer: PR1-8 anesthesiologist and PR1-11 surgeon (with the
//     SNOMED CT functions the IG assigns), PR1-12 practitioner (no
//     function), every repetition;
//   - partOf: PR1-25 parent procedure id (see parentProcedure);
//   - subject the Patient, encounter the visit.
//
// Its id (decision): PR1-19 when sent; else the encounter's (else the
// patient's) id with PR1-3's first coding and PR1-5 as sent.
func (r *run) pr1(s *hl7.Segment, n int, pat patient, enc ref) {
	a := func(field int) at { return at{"PR1", n, field} }
	cc := r.codeOrDescription(s)
	if cc == nil {
		r.warn(a(3), "no procedure code or description: PR1 skipped")
		return
	}
	p := &fhir.Procedure{Code: cc, Subject: pat.ref.reference(), Status: "unknown"}
	if enc.url != "" {
		p.Encounter = enc.reference()
	}
	if start := r.dateTime(s.Field(5), a(5)); start != "" {
		p.Status = "completed"
		if end := addMinutes(start, text(s.Field(7))); end != "" {
			p.PerformedPeriod = &fhir.Period{Start: start, End: end}
		} else {
			p.PerformedDateTime = &start
		}
	}
	p.Category = r.codeable(s.Field(6).Rep(1), "0230")
	p.ReasonCode = r.codeableList(s.Field(15), nil, "")
	for _, f := range [...]int{8, 11, 12} {
		var one [1]hl7.Value
		for _, rep := range r.reps(s.Field(f), &one) {
			actor := r.xcn(rep, a(f)).reference()
			if actor == nil {
				continue
			}
			pf := fhir.ProcedurePerformer{Actor: actor}
			if k, ok := procedureFunction[f]; ok {
				pf.Function = conceptCC(k)
			}
			p.Performer = append(p.Performer, pf)
		}
	}
	p.Location = r.pl(s.Field(23).Rep(1)).reference()
	var key []string
	if id, auth, ok := r.ei(s.Field(19).Rep(1), ""); ok {
		p.Identifier = []fhir.Identifier{id}
		key = []string{"PR1-19", id.Value, auth.key()}
	} else {
		owner := pat.id
		if enc.url != "" {
			owner = enc.url
		}
		sys, cd := "", cc.Text
		if len(cc.Coding) > 0 {
			sys, cd = cc.Coding[0].System, cc.Coding[0].Code
		}
		key = []string{owner, sys, cd, text(s.Field(5).Component(1))}
	}
	if parent, auth, ok := r.ei(s.Field(25).Rep(1), ""); ok {
		p.PartOf = []fhir.Reference{r.parentProcedure(parent, auth)}
	}
	id := r.uniqueIdent("Procedure", key...)
	p.ID = id.id
	r.add(id, p)
}

// codeOrDescription is field 3 of a PR1 or DG1 (the code) with field 4
// (the description) as its text when it has none, or nil when the segment
// has neither, and is skipped.
func (r *run) codeOrDescription(s *hl7.Segment) *fhir.CodeableConcept {
	cc := r.codeable(s.Field(3).Rep(1), "")
	if desc := text(s.Field(4)); desc != "" {
		if cc == nil {
			cc = &fhir.CodeableConcept{}
		}
		if cc.Text == "" {
			cc.Text = desc
		}
	}
	return cc
}

// parentProcedure refers to the Procedure whose PR1-19 is PR1-25 (the IG's
// partOf): by its fullUrl when this message maps it (before or after the
// child), else logically, by type and identifier, as a reference to a
// resource the server may not hold would fail the transaction. A parent
// PR1 without a code is skipped (pr1): it has no fullUrl to refer to.
func (r *run) parentProcedure(id fhir.Identifier, auth hd) fhir.Reference {
	x := r.ident("Procedure", "PR1-19", id.Value, auth.key())
	for _, s := range r.msg.Segments {
		if s.Name() != "PR1" {
			continue
		}
		if own, a, ok := r.ei(s.Field(19).Rep(1), ""); ok && own.Value == id.Value && a.key() == auth.key() && r.codeOrDescription(s) != nil {
			return fhir.Reference{Reference: x.url}
		}
	}
	return fhir.Reference{Type: "Procedure", Identifier: &id}
}

// addMinutes returns a FHIR dateTime with a time to the minute plus a
// number of minutes (PR1-7), in the same offset; "" when either is not
// usable (a date without a time, minutes that are not a whole number).
func addMinutes(start, minutes string) string {
	if !allDigits(minutes) || len(minutes) > 6 || len(start) < len("2006-01-02T15:04:05Z") {
		return ""
	}
	t, err := time.Parse(time.RFC3339Nano, start)
	if err != nil {
		return ""
	}
	m, _ := strconv.Atoi(minutes)
	end := t.Add(time.Duration(m) * time.Minute).Format(time.RFC3339)
	return end
}
