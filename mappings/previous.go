package mappings

import (
	"slices"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// Updates: in v2 an empty field means "no change" and the explicit null
// "" means "delete". A transaction PUT replaces a whole resource, so the
// Bundle can only honour that if it carries what the message left out.
// The engine keeps the Patient and Encounter it last mapped for each
// patient (Enrichment.Previous, keyed "Type/id"), and the mapper:
//
//   - takes an element from the previous version when every v2 field
//     behind it is empty: an A08 or an ORU without a phone number keeps
//     the phone number an A01 sent;
//   - leaves an element out when its fields hold "" and nothing else:
//     the PUT deletes it downstream, as v2 means; the EHR's Patient does
//     not refill it either;
//   - maps everything the message does carry as the message says.
//
// Identifiers accumulate (the previous ones are kept beside the new ones);
// "" in PID-19 or PID-20 deletes the SSN or licence, in PID-2 to PID-4 stops
// the accumulation. Encounter.status is always derived
// from the message. Without a previous version (the first message of a
// patient, or enrichment of a channel whose engine has no state) every
// message is mapped as a snapshot: an omitted element is simply absent.
// A message without NK1, PD1 or PV2 keeps what they gave, and a sent PD1
// or PV2 keeps what its empty fields gave (previous_segments.go).

// carryRule ties the elements of a resource to the fields of the segment
// they come from.
type carryRule struct {
	elems  []string // JSON names; several for a choice (deceased[x])
	fields []int
}

var patientCarry = []carryRule{
	{[]string{"name"}, []int{5, 9}},
	{[]string{"birthDate", "_birthDate"}, []int{7}},
	{[]string{"gender"}, []int{8}},
	{[]string{"address"}, []int{11, 12}},
	{[]string{"telecom"}, []int{13, 14, 40}},
	{[]string{"communication"}, []int{15}},
	{[]string{"maritalStatus"}, []int{16}},
	{[]string{"multipleBirthBoolean", "multipleBirthInteger"}, []int{24, 25}},
	{[]string{"deceasedBoolean", "deceasedDateTime"}, []int{29, 30}},
}

// patientExtensions are the Patient extensions that come from PID fields,
// carried (or deleted) by url: every extension with the url (a citizenship
// per repetition) goes when all its fields are omitted.
var patientExtensions = []struct {
	url    string
	fields []int
}{
	{extUSCoreRace, []int{10}},
	{extUSCoreEthnicity, []int{22}},
	{extMothersMaidenName, []int{6}},
	{extReligion, []int{17}},
	{extBirthPlace, []int{23}},
	{extCitizenship, []int{26, 39}},
	{extNationality, []int{28}},
	{extAnimal, []int{35, 36}},
}

var encounterCarry = []carryRule{
	{[]string{"participant"}, []int{7, 8, 9, 17, 52}},
	{[]string{"location"}, []int{3, 6, 11, 42}},
	{[]string{"serviceType"}, []int{10}},
	{[]string{"hospitalization"}, []int{5, 13, 14, 15, 16, 36, 38}},
}

// fieldsState reports whether every field is empty (omitted), and whether
// they hold "" and nothing else (deleted).
func fieldsState(s *hl7.Segment, fields []int) (omitted, deleted bool) {
	omitted = true
	for _, f := range fields {
		v := s.Field(f)
		switch {
		case v.IsNull():
			deleted, omitted = true, false
		case !v.IsEmpty():
			return false, false
		}
	}
	return omitted, deleted
}

// previous returns the previous version of typ/id, if the engine gave one.
func (r *run) previous(typ, id string) fhir.Resource {
	if r.enr == nil || r.enr.Previous == nil {
		return nil
	}
	return r.enr.Previous[typ+"/"+id]
}

// carryPatient applies the update rules to the Patient mapped from PID s:
// deleted elements are cleared (whatever enrichment put there), omitted
// ones are taken from the previous version.
func (r *run) carryPatient(s *hl7.Segment, p *fhir.Patient) {
	prev, _ := r.previous("Patient", p.ID).(*fhir.Patient)
	for _, c := range patientCarry {
		omitted, deleted := fieldsState(s, c.fields)
		for _, e := range c.elems {
			switch {
			case deleted:
				fhir.ClearElement(p, e)
			case omitted && prev != nil:
				fhir.CopyElement(p, prev, e)
			}
		}
	}
	for _, x := range patientExtensions {
		omitted, deleted := fieldsState(s, x.fields)
		has := func(e fhir.Extension) bool { return e.URL == x.url }
		switch {
		case deleted:
			p.Extension = slices.DeleteFunc(slices.Clone(p.Extension), has)
		case omitted && prev != nil && !slices.ContainsFunc(p.Extension, has):
			for _, e := range prev.Extension {
				if has(e) {
					p.Extension = append(slices.Clip(p.Extension), e)
				}
			}
		}
	}
	if prev == nil {
		return
	}
	// An identifier field holding "" deletes what it gave: PID-19 the SSN,
	// PID-20 the driver's licence. PID-2, -3 and -4 give identifiers of any
	// system, which cannot be told apart afterwards: "" in one of them
	// stops the accumulation whole.
	for _, f := range [...]int{2, 3, 4} {
		if s.Field(f).IsNull() {
			return
		}
	}
	dropSSN, dropDL := s.Field(19).IsNull(), s.Field(20).IsNull()
	for _, id := range prev.Identifier {
		switch {
		case dropSSN && id.System == sysUSSSN, dropDL && identifierTypeIs(id, "DL"):
			continue
		case slices.ContainsFunc(p.Identifier, func(x fhir.Identifier) bool { return x.System == id.System && x.Value == id.Value }):
			continue
		}
		p.Identifier = append(slices.Clip(p.Identifier), id)
	}
}

// identifierTypeIs reports whether an identifier's type has the table
// 0203 code c.
func identifierTypeIs(id fhir.Identifier, c string) bool {
	return id.Type != nil && slices.ContainsFunc(id.Type.Coding, func(cd fhir.Coding) bool {
		return cd.Code == c && cd.System == sysV2Prefix+"0203"
	})
}

// carryEncounter applies the update rules to the Encounter mapped from PV1
// s. defaultType says its type is the US Core default made from the class,
// which a previous version's real type replaces; a period keeps the
// previous start or end the message omits (an A03 sends the discharge
// time, the A01 sent the admit time).
func (r *run) carryEncounter(s *hl7.Segment, e *fhir.Encounter, defaultType bool) {
	prev, _ := r.previous("Encounter", e.ID).(*fhir.Encounter)
	if prev == nil {
		return
	}
	for _, c := range encounterCarry {
		omitted, _ := fieldsState(s, c.fields)
		for _, el := range c.elems {
			if omitted && fhir.CopyElement(e, prev, el) {
				relink(e, el)
			}
		}
	}
	if omitted, _ := fieldsState(s, []int{4, 18}); omitted && defaultType && len(prev.Type) > 0 {
		e.Type = slices.Clip(prev.Type)
	}
	if prev.Period != nil {
		start, _ := fieldsState(s, []int{44})
		end, _ := fieldsState(s, []int{45})
		p := fhir.Period{}
		if e.Period != nil {
			p = *e.Period
		}
		if start && p.Start == "" {
			p.Start = prev.Period.Start
		}
		if end && p.End == "" {
			p.End = prev.Period.End
		}
		if p.Start != "" || p.End != "" {
			e.Period = &p
		}
	}
}

// relink rewrites the bundle-local references (urn:uuid) of a carried
// element to the resources the previous Bundle PUT downstream (Type/id):
// they are not in this Bundle, and a urn:uuid would resolve to nothing.
// The carried values are shared with the previous version, so each one
// changed is copied first. The participants a ROL gave (a PractitionerRole)
// are left out: whether they stay depends on the message's ROL, not on
// PV1's fields (carryAbsentVisitSegments).
func relink(e *fhir.Encounter, elem string) {
	switch elem {
	case "participant":
		e.Participant = slices.DeleteFunc(slices.Clone(e.Participant), fromROL)
		for i := range e.Participant {
			e.Participant[i].Individual = relinked(e.Participant[i].Individual, "Practitioner")
		}
		if len(e.Participant) == 0 {
			e.Participant = nil
		}
	case "location":
		e.Location = slices.Clone(e.Location)
		for i := range e.Location {
			e.Location[i].Location = relinked(e.Location[i].Location, "Location")
		}
	case "hospitalization":
		h := *e.Hospitalization
		h.Origin, h.Destination = relinked(h.Origin, "Location"), relinked(h.Destination, "Location")
		e.Hospitalization = &h
	}
}

// addParticipant appends p to e's participants in place of any that
// names the same individual in the same role: the copy an update carried
// over from the previous version (relinked to Type/id) when the message
// sends that participant again (ROL, PV2-13). Without this, every A08
// that repeats the visit's ROL would list its participant once more.
func addParticipant(e *fhir.Encounter, p fhir.EncounterParticipant) {
	same := func(q fhir.EncounterParticipant) bool {
		return individualKey(q.Individual) == individualKey(p.Individual) && slices.EqualFunc(q.Type, p.Type, sameConcept)
	}
	if slices.ContainsFunc(e.Participant, same) {
		// A copy: the carried list is this run's (relink), but an
		// enriched or earlier one need not be.
		e.Participant = slices.DeleteFunc(slices.Clone(e.Participant), same)
	}
	e.Participant = append(e.Participant, p)
}

// addLocation is addParticipant for Encounter.location (PV2-1, the
// pending location): the same location with the same status replaces its
// carried copy.
func addLocation(e *fhir.Encounter, l fhir.EncounterLocation) {
	same := func(q fhir.EncounterLocation) bool {
		return individualKey(q.Location) == individualKey(l.Location) && q.Status == l.Status
	}
	if slices.ContainsFunc(e.Location, same) {
		e.Location = slices.DeleteFunc(slices.Clone(e.Location), same)
	}
	e.Location = append(e.Location, l)
}

// individualKey identifies the resource a reference names, whether as
// urn:uuid:id (this Bundle) or Type/id (carried over), or its display when
// it names none.
func individualKey(ref *fhir.Reference) string {
	switch {
	case ref == nil:
		return ""
	case ref.Reference == "":
		return "display:" + ref.Display
	}
	if id, ok := strings.CutPrefix(ref.Reference, "urn:uuid:"); ok {
		return id
	}
	if _, id, ok := strings.Cut(ref.Reference, "/"); ok {
		return id
	}
	return ref.Reference
}

// sameConcept reports whether two concepts have the same codings.
func sameConcept(a, b fhir.CodeableConcept) bool {
	return a.Text == b.Text && slices.EqualFunc(a.Coding, b.Coding, func(x, y fhir.Coding) bool {
		return x.System == y.System && x.Code == y.Code
	})
}

// relinked returns ref pointing at typ/id instead of urn:uuid:id; a
// reference that says its type (Reference.type: a ROL participant is a
// PractitionerRole) points at that type instead.
func relinked(ref *fhir.Reference, typ string) *fhir.Reference {
	if ref == nil {
		return nil
	}
	id, ok := strings.CutPrefix(ref.Reference, "urn:uuid:")
	if !ok {
		return ref
	}
	if ref.Type != "" {
		typ = ref.Type
	}
	cp := *ref
	cp.Reference = typ + "/" + id
	return &cp
}

// record keeps the Patient and Encounter this message produced in
// Enrichment.Mapped, for the engine to pass as Previous to the patient's
// next message.
func (r *run) record() {
	if r.enr == nil || r.enr.Mapped == nil {
		return
	}
	for _, e := range r.entries {
		if e.res != nil && (e.typ == "Patient" || e.typ == "Encounter") {
			r.enr.Mapped[e.typ+"/"+e.id] = e.res
		}
	}
}
