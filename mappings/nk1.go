package mappings

import (
	"strconv"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// nk1 maps an NK1 segment (the n-th) after the IG's ADT_A01 message map,
// which sends every NK1 to Patient.contact (NK1[Patient]) and, unless
// NK1-3.1 names an organisation or agency (contactOnly: EMR, E, F, I, S),
// also to a RelatedPerson (NK1[RelatedPerson]). Decision: both, as the
// message map lists them: Patient.contact keeps the contact visible to
// readers of the Patient alone, the RelatedPerson gives the person an
// identity that Coverage and others can refer to.
//
// Patient.contact: name NK1-2 (first), relationship NK1-3 (table 0063) and
// NK1-7 (contact role, table 0131), address NK1-4 (first), telecom NK1-5,
// NK1-6 (use work), NK1-40, NK1-41, period NK1-8/NK1-9, gender NK1-15,
// organization NK1-13 (XON). A contact with none of name, telecom,
// address or organization (R4 pat-1) is not added.
//
// RelatedPerson: identifier NK1-12, NK1-33, NK1-37 (SSN, type SS),
// name NK1-2 and NK1-30, relationship NK1-3 and NK1-7, address NK1-4 and
// NK1-32, telecom NK1-5, NK1-6 (work), NK1-31, NK1-40, NK1-41, period
// NK1-8/9, gender NK1-15, birthDate NK1-16, communication NK1-20; patient
// the PID's Patient. Its id (decision): the patient's id with NK1-12 (else
// NK1-33) as sent, else with the name and relationship as sent: NK1-1 (set
// id) is a position, and the same person must keep one id when a later A08
// lists the contacts in another order.
//
// first says this is the patient's first NK1: the message's contacts then
// replace any the EHR had (enrichment).
func (r *run) nk1(s *hl7.Segment, n int, pat patient, first bool) {
	p := pat.res
	if p == nil {
		return
	}
	r.sawSegment(s, p.ID)
	a := func(field int) at { return at{"NK1", n, field} }
	rel := r.codeableVia(s.Field(3).Rep(1), relationship)
	role := r.codeableVia(s.Field(7).Rep(1), contactRole)
	var rels []fhir.CodeableConcept
	if rel != nil {
		rels = append(rels, *rel)
	}
	if role != nil {
		rels = append(rels, *role)
	}
	var period *fhir.Period
	if start, end := r.date(s.Field(8), a(8)), r.date(s.Field(9), a(9)); start != "" || end != "" {
		period = &fhir.Period{Start: start, End: end}
	}
	gender := ""
	if g := code(s.Field(15).Component(1)); g != "" {
		if k, ok := administrativeSex.lookup(g); ok {
			gender = k.Code
		} else {
			r.warn(a(15), "sex not in table 0001: gender left out")
		}
	}
	var telecom []fhir.ContactPoint
	telecom = r.telecoms(s.Field(5), "", a(5), telecom)
	telecom = r.telecoms(s.Field(6), "work", a(6), telecom)

	// Patient.contact
	c := fhir.PatientContact{Relationship: rels, Period: period, Gender: gender}
	if nm, _, ok, _ := r.xpn(s.Field(2).Rep(1), a(2)); ok {
		c.Name = &nm
	}
	c.Telecom = r.telecoms(s.Field(40), "", a(40), append([]fhir.ContactPoint(nil), telecom...))
	c.Telecom = r.telecoms(s.Field(41), "", a(41), c.Telecom)
	c.Address = r.xad(s.Field(4).Rep(1), a(4))
	c.Organization = r.xon(s.Field(13).Rep(1), s.Field(-1), a(13)).reference()
	if c.Name != nil || c.Telecom != nil || c.Address != nil || c.Organization != nil {
		if first {
			p.Contact = nil
		}
		p.Contact = append(p.Contact, c)
	}

	if contactOnly[code(s.Field(3).Component(1))] {
		return
	}
	rp := &fhir.RelatedPerson{Patient: pat.ref.reference(), Relationship: rels, Period: period, Gender: gender}
	var key []string
	for _, f := range [...]int{12, 33} {
		var one [1]hl7.Value
		for _, rep := range r.reps(s.Field(f), &one) {
			if id, auth, ok := r.cx(rep, a(f)); ok {
				rp.Identifier = append(rp.Identifier, id)
				if key == nil {
					key = []string{pat.id, "NK1-" + strconv.Itoa(f), id.Value, auth.key()}
				}
			}
		}
	}
	if ssn := text(s.Field(37)); ssn != "" {
		rp.Identifier = append(rp.Identifier, fhir.Identifier{
			Type: identifierTypeCC("SS"), System: "http://hl7.org/fhir/sid/us-ssn", Value: ssn,
		})
	}
	rp.Name = r.names(s.Field(2), a(2), nil)
	rp.Name = r.names(s.Field(30), a(30), rp.Name)
	if rp.Name == nil && rp.Identifier == nil {
		return // no person: an organisation's contact details only
	}
	rp.Telecom = r.telecoms(s.Field(31), "", a(31), telecom)
	rp.Telecom = r.telecoms(s.Field(40), "", a(40), rp.Telecom)
	rp.Telecom = r.telecoms(s.Field(41), "", a(41), rp.Telecom)
	var one [1]hl7.Value
	for _, f := range [...]int{4, 32} {
		for _, rep := range r.reps(s.Field(f), &one) {
			if ad := r.xad(rep, a(f)); ad != nil {
				rp.Address = append(rp.Address, *ad)
			}
		}
	}
	rp.BirthDate = r.date(s.Field(16), a(16))
	if lang := r.codeable(s.Field(20).Rep(1), "0296"); lang != nil {
		rp.Communication = []fhir.RelatedPersonCommunication{{Language: lang}}
	}
	if key == nil {
		key = []string{pat.id, "NK1", s.Field(2).Rep(1).Raw(), code(s.Field(3).Component(1))}
	}
	id := r.ident("RelatedPerson", key...)
	rp.ID = id.id
	r.add(id, rp)
}
