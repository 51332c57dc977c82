package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// OBR-15 table defaults: the v2.5 tables of SPS.1 (specimen source) and
// SPS.4 (body site). The IG's concept maps SpecimenType and BodySite keep
// the v2 codes.
const (
	tableSpecimenSource = "0070"
	tableBodySite       = "0163"
)

// obrSpecimen maps the specimen fields of an OBR (the n-th) whose group
// has no SPM to a Specimen after the IG's OBR[Specimen] map, and makes it
// the specimen of the report and of the group's results:
//   - collection: collectedDateTime OBR-7, or a period OBR-7 to OBR-8;
//     quantity OBR-9 (CQ); collector OBR-10 (XCN, the first);
//   - receivedTime OBR-14;
//   - OBR-15 (SPS, v2.3-2.6; decision: read whatever MSH-12 says, as
//     senders keep it after 2.6): type SPS.1 (table 0070), additive SPS.2
//     (table 0371, one container), note SPS.3, collection.bodySite SPS.4
//     (table 0163); SPS.5-7 are not mapped;
//   - note: OBR-39 collector's comment (its text, else its code);
//   - subject the patient, request the group's ServiceRequest (whose
//     specimen it is, as an SPM's Specimen is).
//
// Decisions: an SPM in the group wins (the IG's SPECIMEN group is the
// richer source; the two would describe the same tube twice). The
// Specimen is made only when a field that says a specimen was taken is
// valued (OBR-9, OBR-10, OBR-14, OBR-15, OBR-39): OBR-7 alone is the
// observation time of every report, a vital-signs or imaging report
// included, and would give every such report a Specimen that does not
// exist. OBR-2 is not taken as accessionIdentifier: the IG does so only
// "if the placer number is also the accession identifier", which the
// message does not say. The id is keyed by the report's (see ids.go), so
// a replay or a corrected report upserts the same Specimen.
func (r *run) obrSpecimen(o *order, n int, pat patient) {
	s := o.obr
	if len(o.specimens) > 0 || !hasSpecimenFields(s) {
		return
	}
	a := func(field int) at { return at{"OBR", n, field} }
	x := r.ident("Specimen", "OBR", o.dr.ID)
	sp := &fhir.Specimen{ID: x.id, Subject: r.shared(pat.ref), Request: o.basedOn}
	c := &fhir.SpecimenCollection{}
	if end := r.dateTime(s.Field(8), a(8)); end != "" {
		c.CollectedPeriod = &fhir.Period{Start: r.dateTime(s.Field(7), a(7)), End: end}
	} else {
		c.CollectedDateTime = strPtr(r.dateTime(s.Field(7), a(7)))
	}
	c.Quantity = r.cq(s.Field(9).Rep(1), a(9))
	c.Collector = r.xcn(s.Field(10).Rep(1), a(10)).reference()
	sp.ReceivedTime = r.dateTime(s.Field(14), a(14))

	src := s.Field(15).Rep(1)
	sp.Type = r.subCodeable(src.Component(1), tableSpecimenSource)
	c.BodySite = r.subCodeable(src.Component(4), tableBodySite)
	if add := r.subCodeable(src.Component(2), tableAdditive); add != nil {
		sp.Container = []fhir.SpecimenContainer{{AdditiveCodeableConcept: add}}
	}
	if t := text(src.Component(3)); t != "" {
		sp.Note = append(sp.Note, fhir.Annotation{Text: t})
	}
	for _, cc := range r.codeableList(s.Field(39), nil, "") {
		t := cc.Text
		if t == "" && len(cc.Coding) > 0 {
			t = cc.Coding[0].Display
			if t == "" {
				t = cc.Coding[0].Code
			}
		}
		if t != "" {
			sp.Note = append(sp.Note, fhir.Annotation{Text: t})
		}
	}
	if c.Collector != nil || c.CollectedDateTime != nil || c.CollectedPeriod != nil || c.Quantity != nil || c.BodySite != nil {
		sp.Collection = c
	}
	r.add(x, sp)
	o.dr.Specimen = []fhir.Reference{{Reference: x.url}}
	o.specimen = &o.dr.Specimen[0]
	if o.sr != nil && o.sr.Specimen == nil {
		o.sr.Specimen = o.dr.Specimen // as the SPM's are (orc.go)
	}
}

// hasSpecimenFields reports whether an OBR values a field that only a
// specimen gives (see obrSpecimen).
func hasSpecimenFields(s *hl7.Segment) bool {
	for _, f := range [...]int{9, 10, 14, 15, 39} {
		if v := s.Field(f); !v.IsEmpty() && !v.IsNull() {
			return true
		}
	}
	return false
}

// cq maps a CQ (OBR-9, SPM-12: a quantity and its unit CWE in
// sub-components) after the IG's CQ[Quantity] map: value CQ.1, unit the
// unit's text (else its code), and system and code when the unit is UCUM.
// A quantity that is not a number is skipped with a warning.
func (r *run) cq(v hl7.Value, a at) *fhir.Quantity {
	if v.IsEmpty() || v.IsNull() {
		return nil
	}
	val, ok := decimal(text(v.Component(1)))
	if !ok {
		r.warn(a, "quantity is not a number: skipped")
		return nil
	}
	q := &fhir.Quantity{Value: val}
	unit := v.Component(2)
	if q.Unit = text(unit.SubComponent(2)); q.Unit == "" {
		q.Unit = text(unit.SubComponent(1))
	}
	if sys := codingSystem(text(unit.SubComponent(3))); sys == sysUCUM {
		q.System, q.Code = sys, codeText(text(unit.SubComponent(1)))
	}
	return q
}

// subCodeable maps a CWE held in the sub-components of one component
// (SPS.1, SPS.2, SPS.4) as codeable maps one in components.
func (r *run) subCodeable(v hl7.Value, defTable string) *fhir.CodeableConcept {
	if v.IsEmpty() || v.IsNull() {
		return nil
	}
	c := comps{d: &r.msg.Delimiters, systems: r.m.codeSystems}
	for c.n < 9 {
		c.raw[c.n] = v.SubComponent(c.n + 1).Raw()
		c.n++
	}
	cc := new(fhir.CodeableConcept)
	if !fillCodeableFrom(&c, defTable, cc, nil) {
		return nil
	}
	return cc
}
