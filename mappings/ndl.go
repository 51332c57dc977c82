package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// ndl maps one NDL repetition (OBR-32 principal result interpreter, OBR-34
// technician, OBR-35 transcriptionist) to a reference. The IG's
// NDL[PractitionerRole] map names the person in NDL.1, a CNN
// (id & family & given & middle & suffix & prefix & degree & source table &
// authority namespace & universal id & its type). Decisions, as for XCN:
// a direct Practitioner reference rather than a PractitionerRole, created
// only when CNN.1 identifies the person (keyed like an XCN's, so the same
// person named in an XCN and a CNN is one Practitioner); a name alone is
// a display-only reference. The location parts (NDL.4-11) are not mapped.
func (r *run) ndl(v hl7.Value) ref {
	cnn := v.Component(1)
	if cnn.IsEmpty() || cnn.IsNull() {
		return ref{}
	}
	if x, ok := r.refs[refKey{"CNN", cnn.Raw()}]; ok {
		return x
	}
	sub := func(i int) string { return text(cnn.SubComponent(i)) }
	pp := new(practitionerParts)
	name := &pp.name[0]
	name.Family = sub(2)
	name.Given = appendNonEmpty(pp.given[:0], sub(3), sub(4))
	name.Prefix = appendNonEmpty(pp.prefix[:0], sub(6))
	name.Suffix = appendNonEmpty(pp.suffix[:0], sub(5))
	hasName := name.Family != "" || name.Given != nil
	auth := hd{sub(9), sub(10), sub(11)}
	ident, hasID := r.identifier(sub(1), auth, "")
	var x ref
	switch {
	case hasID:
		p := &pp.p
		pp.ident[0] = ident
		p.Identifier = pp.ident[:]
		if hasName {
			p.Name = pp.name[:]
		}
		if deg := codeText(sub(7)); deg != "" {
			pp.qual[0].Code = conceptCC(concept{sysV2Prefix + "0360", deg, ""})
			p.Qualification = pp.qual[:]
		}
		id := r.ident("Practitioner", ident.Value, auth.key())
		p.ID = id.id
		x = r.add(id, p)
	case hasName:
		x = ref{display: displayName(name)}
	default:
		return ref{}
	}
	r.cache(refKey{"CNN", cnn.Raw()}, x)
	return x
}

// ndlRefs maps every repetition of an NDL field; function, when not
// empty, is the v3 ParticipationType code the IG's OBR map puts in the
// event-performerFunction extension of each reference (SPRF, TRANS).
func (r *run) ndlRefs(f hl7.Value, function, display string, out []fhir.Reference) []fhir.Reference {
	var one [1]hl7.Value
	for _, rep := range r.reps(f, &one) {
		x := r.ndl(rep)
		if x.isZero() {
			continue
		}
		ref := fhir.Reference{Reference: x.url, Display: x.display}
		if function != "" {
			ref.Extension = []fhir.Extension{{URL: extEventPerformerFn,
				ValueCodeableConcept: conceptCC(concept{sysParticipationType, function, display})}}
		}
		out = append(out, ref)
	}
	return out
}
