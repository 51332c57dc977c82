package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// eventProvenance adds the Provenance of the IG's EVN[Provenance] map for a
// message with an EVN segment: the event the message reports, as the
// sending system recorded it.
//   - recorded EVN-2 (an instant; without one, R4 has no valid
//     Provenance: none is made, with a warning);
//   - occurredDateTime EVN-6; reason EVN-4 (table 0062), or "U" as the
//     data-absent-reason extension; location EVN-7 (HD[Location]);
//   - agent: EVN-5 operators, each a Practitioner, type enterer.
//     Decision: R4 requires an agent, and without EVN-5 it is the sending
//     facility (MSH-4, else the application MSH-3) as author, a display
//     reference as in the message's source Provenance;
//   - activity: the display "event - ADT^A01" (the IG writes "event - :"
//     before the type; decision: without the stray colon);
//   - target: what the message is about, as the other Provenances.
func (r *run) eventProvenance(targets []fhir.Reference) {
	s := r.msg.Segment("EVN")
	if s == nil {
		return
	}
	a := func(field int) at { return at{"EVN", 0, field} }
	recorded := r.instant(s.Field(2), a(2))
	if recorded == "" {
		r.warn(a(2), "no recorded date/time with a time: no event Provenance")
		return
	}
	typ, trigger, _ := r.msg.Type()
	p := &fhir.Provenance{
		Target:           targets,
		Recorded:         recorded,
		OccurredDateTime: strPtr(r.dateTime(s.Field(6), a(6))),
		Activity:         &fhir.CodeableConcept{Coding: []fhir.Coding{{Display: "event - " + joinNonEmpty("^", clean(typ), clean(trigger))}}},
		Location:         r.facilityLocation(s.Field(7).Rep(1)).reference(),
	}
	switch reason := s.Field(4).Rep(1); {
	case code(reason.Component(1)) == "U":
		p.Reason = []fhir.CodeableConcept{{Extension: dataAbsent().Extension}}
	default:
		if cc := r.codeable(reason, "0062"); cc != nil {
			p.Reason = []fhir.CodeableConcept{*cc}
		}
	}
	var one [1]hl7.Value
	for _, rep := range r.reps(s.Field(5), &one) {
		if who := r.xcn(rep, a(5)); !who.isZero() {
			p.Agent = append(p.Agent, fhir.ProvenanceAgent{
				Type: conceptCC(concept{sysProvenanceAgentType, "enterer", "Enterer"}),
				Who:  who.reference(),
			})
		}
	}
	if p.Agent == nil {
		sender := text(r.msh.Field(4).Component(1))
		if sender == "" {
			sender = text(r.msh.Field(3).Component(1))
		}
		if sender == "" {
			r.warn(a(5), "no operator and no sending facility or application: no event Provenance")
			return
		}
		p.Agent = []fhir.ProvenanceAgent{{
			Type: conceptCC(concept{sysProvenanceAgentType, "author", "Author"}),
			Who:  &fhir.Reference{Display: sender},
		}}
	}
	m := r.msgKey
	id := r.ident("Provenance", "event", m[0], m[1], m[2], m[3])
	p.ID = id.id
	r.add(id, p)
}

// facilityLocation maps an HD (EVN-7 event facility) after the IG's
// HD[Location] map: a Location named HD.1, with HD.2 as its identifier
// when HD.3 says it is an OID or a UUID (hd.uidURI),
// physical type site.
func (r *run) facilityLocation(v hl7.Value) ref {
	if v.IsEmpty() || v.IsNull() {
		return ref{}
	}
	h := hdAt(v, 1)
	if h.empty() {
		return ref{}
	}
	loc := &fhir.Location{
		Name:         h.ns,
		Mode:         "instance",
		PhysicalType: conceptCC(concept{sysLocationPhysical, "si", "Site"}),
	}
	if u := h.uidURI(); u != "" {
		loc.Identifier = []fhir.Identifier{{System: "urn:ietf:rfc:3986", Value: u}}
	}
	if loc.Name == "" {
		loc.Name = h.uid
	}
	id := r.ident("Location", "HD", h.key())
	loc.ID = id.id
	return r.add(id, loc)
}
