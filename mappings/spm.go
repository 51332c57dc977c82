package mappings

import (
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// specimenIdents works out the ids of the SPM in an OBR group when the OBR
// is read: the report and its results refer to the Specimens before the
// SPM segments come. A Specimen is keyed by SPM-2: the filler's specimen
// id (EIP.2) with its authority, else the placer's (EIP.1); without
// either, by its report and its place in the group (see ids.go). The
// report lists each Specimen once.
func (r *run) specimenIdents(o *order, following []*hl7.Segment, pat patient) {
	k := 0
	for _, s := range following {
		switch s.Name() {
		case "SPM":
			k++
			// Not uniqueIdent: two SPM with the same specimen id (one tube
			// for two OBR groups) are one Specimen; the first SPM stands.
			x, ok := r.specimenID(s.Field(2).Rep(1))
			if !ok {
				x = r.ident("Specimen", "DiagnosticReport", o.dr.ID, "SPM", strconv.Itoa(k))
			}
			o.specimens = append(o.specimens, x)
			if !slices.ContainsFunc(o.dr.Specimen, func(f fhir.Reference) bool { return f.Reference == x.url }) {
				o.dr.Specimen = append(o.dr.Specimen, fhir.Reference{Reference: x.url})
			}
			continue
		case "OBR", "ORC", "PID":
		default:
			continue
		}
		break
	}
	if len(o.dr.Specimen) == 1 {
		o.specimen = &o.dr.Specimen[0]
	}
}

// specimenKey is what a specimen is known by in an EIP (SPM-2, SPM-3):
// the filler's id (EIP.2) with its authority, else the placer's (EIP.1);
// kind says which, as the Specimen's id key does.
func specimenKey(f hl7.Value) (kind, id string, auth hd) {
	if id, auth := eiSub(f.Component(2)); id != "" {
		return "filler", id, auth
	}
	if id, auth := eiSub(f.Component(1)); id != "" {
		return "placer", id, auth
	}
	return "", "", hd{}
}

// specimenID is the id of the Specimen an SPM-2 of f keys (specimenKey),
// or false when f names no specimen.
func (r *run) specimenID(f hl7.Value) (ident, bool) {
	kind, id, auth := specimenKey(f)
	if id == "" {
		return ident{}, false
	}
	return r.ident("Specimen", kind, id, auth.key()), true
}

// eiSub reads an EI held in sub-components (the parts of an EIP): the id
// and its authority.
func eiSub(v hl7.Value) (string, hd) {
	return text(v.SubComponent(1)), hd{text(v.SubComponent(2)), text(v.SubComponent(3)), text(v.SubComponent(4))}
}

// spm maps an SPM (the n-th; the k-th of its group o, 1-based) to a
// Specimen after the IG's SPM[Specimen] map:
//   - identifier: SPM-2 placer (EIP.1, type PLAC) and filler (EIP.2, type
//     FILL) specimen ids; SPM-31 other ids (CX); SPM-32 shipment id (EI,
//     type SHIP as the IG assigns it); accessionIdentifier SPM-30 (CX, the
//     first);
//   - parent: SPM-3, the specimens this one was taken from (see
//     specimenParents);
//   - type SPM-4 (table 0487); subject the patient;
//   - collection: collected SPM-17 (a period when SPM-17.2 is valued, else
//     a dateTime), method SPM-7 (table 0488), bodySite SPM-8, quantity
//     SPM-12 (CQ: value and unit);
//   - receivedTime SPM-18; status SPM-20 (table 0136 → available,
//     unavailable); condition SPM-24 (table 0493);
//   - container: type SPM-27, additive SPM-6 (the first of each; decision:
//     one container, the R4 shape for one tube);
//   - note: SPM-14 description, then NTE after the SPM (decision: the IG
//     gives the SPECIMEN group no NTE);
//   - request: the group's ServiceRequest (decision: the order the
//     specimen was taken for).
func (r *run) spm(s *hl7.Segment, n int, o *order, pat patient) *fhir.Specimen {
	a := func(field int) at { return at{"SPM", n, field} }
	var x ident
	if o.spmSeen < len(o.specimens) {
		x = o.specimens[o.spmSeen]
	} else { // not seen by the look ahead: cannot happen, but stay valid
		x = r.uniqueIdent("Specimen", "DiagnosticReport", o.dr.ID, "SPM", "late", strconv.Itoa(n))
	}
	o.spmSeen++
	if sp, ok := r.resource(x.id).(*fhir.Specimen); ok { // the same specimen in an earlier group
		return sp
	}
	sp := &fhir.Specimen{Subject: r.shared(pat.ref)}
	f := s.Field(2).Rep(1)
	for i, typ := range [2]string{"PLAC", "FILL"} {
		id, auth := eiSub(f.Component(i + 1))
		if x, ok := r.identifier(id, auth, typ); ok {
			sp.Identifier = append(sp.Identifier, x)
		}
	}
	var one [1]hl7.Value
	for _, rep := range r.reps(s.Field(31), &one) {
		if x, _, ok := r.cx(rep, a(31)); ok {
			sp.Identifier = append(sp.Identifier, x)
		}
	}
	if x, _, ok := r.ei(s.Field(32).Rep(1), "SHIP"); ok {
		sp.Identifier = append(sp.Identifier, x)
	}
	if x, _, ok := r.cx(s.Field(30).Rep(1), a(30)); ok {
		sp.AccessionIdentifier = &x
	}
	sp.Parent = r.specimenParents(s, x)
	sp.Type = r.codeable(s.Field(4).Rep(1), tableSpecimenType)
	if k, ok := specimenAvailability.lookup(code(s.Field(20))); ok {
		sp.Status = k.Code
	}
	sp.ReceivedTime = r.dateTime(s.Field(18), a(18))

	c := &fhir.SpecimenCollection{
		Method:   r.codeable(s.Field(7).Rep(1), tableCollectionMethod),
		BodySite: r.codeable(s.Field(8).Rep(1), ""),
	}
	dr := s.Field(17).Rep(1)
	if !dr.Component(2).IsEmpty() {
		c.CollectedPeriod = r.period(dr.Component(1).SubComponent(1), dr.Component(2).SubComponent(1), a(17))
	} else {
		c.CollectedDateTime = strPtr(r.dtmText(text(dr.Component(1).SubComponent(1)), a(17), kindDateTime))
	}
	c.Quantity = r.cq(s.Field(12).Rep(1), a(12))
	if c.Method != nil || c.BodySite != nil || c.CollectedPeriod != nil || c.CollectedDateTime != nil || c.Quantity != nil {
		sp.Collection = c
	}
	cont := fhir.SpecimenContainer{
		Type:                    r.codeable(s.Field(27).Rep(1), tableContainerType),
		AdditiveCodeableConcept: r.codeable(s.Field(6).Rep(1), tableAdditive),
	}
	if cont.Type != nil || cont.AdditiveCodeableConcept != nil {
		sp.Container = []fhir.SpecimenContainer{cont}
	}
	sp.Condition = r.codeableList(s.Field(24), nil, tableSpecimenCondition)
	if d := lines(s.Field(14)); d != "" {
		sp.Note = []fhir.Annotation{{Text: d}}
	}
	if o.basedOn != nil {
		sp.Request = o.basedOn
	}

	sp.ID = x.id
	r.add(x, sp)
	return sp
}

// specimenParents maps SPM-3 (the parent specimens' ids, EIP, repeating)
// to Specimen.parent: by fullUrl when this message has the parent's own
// SPM (before or after this one, in any OBR group), else logically, by
// type and identifier (the filler's id first, as the key). Decision: no
// Specimen is made for a parent that is only named, as parentProcedure
// does and for the same reason: a PUT of a Specimen made of an id alone
// would replace all the server holds about it. A specimen named as its
// own parent is skipped.
//
// A parent with an SPM gets both the fullUrl and the identifier here:
// whether its SPM is mapped (not skipped outside an OBR group) is known
// once the message is read, and settleParents keeps one of them.
func (r *run) specimenParents(s *hl7.Segment, self ident) []fhir.Reference {
	var parents []fhir.Reference
	var one [1]hl7.Value
	for _, rep := range r.reps(s.Field(3), &one) {
		kind, id, auth := specimenKey(rep)
		typ := "PLAC"
		if kind == "filler" {
			typ = "FILL"
		}
		ident, ok := r.identifier(id, auth, typ)
		if !ok {
			continue
		}
		p := fhir.Reference{Type: "Specimen", Identifier: &ident}
		if x, ok := r.specimenSPM(rep); ok {
			if x.id == self.id {
				continue
			}
			p.Reference = x.url
		}
		parents = append(parents, p)
	}
	return parents
}

// specimenSPM returns the id of the Specimen an SPM of the message makes
// for the specimen eip (SPM-3) names: the first SPM whose SPM-2 has the
// same filler id, or, where either lacks one, the same placer id. An EIP
// may carry one id or both, so matching on the key alone (the filler's
// first) would miss a parent SPM-3 names by its placer id.
func (r *run) specimenSPM(eip hl7.Value) (ident, bool) {
	for _, s := range r.msg.Segments {
		if s.Name() != "SPM" {
			continue
		}
		if f := s.Field(2).Rep(1); sameSpecimen(eip, f) {
			return r.specimenID(f)
		}
	}
	return ident{}, false
}

// sameSpecimen reports whether two EIPs name one specimen: by the filler's
// id when both have one, else by the placer's.
func sameSpecimen(a, b hl7.Value) bool {
	for _, c := range [...]int{2, 1} {
		ida, autha := eiSub(a.Component(c))
		idb, authb := eiSub(b.Component(c))
		if ida != "" && idb != "" {
			return ida == idb && autha.key() == authb.key()
		}
	}
	return false
}

// settleParents keeps, of each parent specimenParents gave both a fullUrl
// and an identifier, the fullUrl when the parent's Specimen is in the
// bundle, else the identifier: its SPM was skipped, and a fullUrl would
// resolve to nothing.
func (r *run) settleParents(specimens []*fhir.Specimen) {
	for _, sp := range specimens {
		for i := range sp.Parent {
			p := &sp.Parent[i]
			id, ok := strings.CutPrefix(p.Reference, "urn:uuid:")
			switch {
			case !ok || p.Identifier == nil:
			case r.has(id):
				p.Type, p.Identifier = "", nil
			default:
				p.Reference = ""
			}
		}
	}
}
