package mappings

import (
	"slices"

	"github.com/switchboard-hl7/switchboard/fhir"
)

// Updates, continued (previous.go): a message without an NK1 or a PD1 for
// its patient says nothing about the next of kin or the additional
// demographics; in v2 an absent segment means "no change", as an empty
// field does. The Patient's PUT replaces the whole resource, so without
// the rules below every ORU (and every A08 that sends only the PID) after
// an admit would delete the contacts and PD1's extensions downstream.
//
// Patient.generalPractitioner (PD1-3, PD1-4) is not carried: its
// references point at resources of the previous Bundle whose type the
// reference does not say, so they could not be rewritten to Type/id.

// patientSeg says that segment seg was mapped for the Patient with id.
type patientSeg struct{ seg, id string }

// sawSegment records that an NK1 or PD1 was mapped for the Patient id.
func (r *run) sawSegment(seg, id string) {
	r.patientSegs = append(r.patientSegs, patientSeg{seg, id})
}

// pd1Extensions are the Patient extensions PD1 gives (pd1.go).
var pd1Extensions = [...]string{extDisability, extCongregation}

// carryAbsentSegments takes Patient.contact (NK1) and the PD1 extensions
// from the previous version of each Patient of the message when the
// message mapped no such segment for it.
func (r *run) carryAbsentSegments() {
	if r.enr == nil || r.enr.Previous == nil {
		return
	}
	for _, e := range r.entries {
		p, ok := e.res.(*fhir.Patient)
		if !ok {
			continue
		}
		prev, _ := r.previous("Patient", p.ID).(*fhir.Patient)
		if prev == nil {
			continue
		}
		if !r.saw("NK1", p.ID) && len(p.Contact) == 0 && len(prev.Contact) > 0 {
			p.Contact = slices.Clone(prev.Contact)
			for i := range p.Contact {
				p.Contact[i].Organization = relinked(p.Contact[i].Organization, "Organization")
			}
		}
		if !r.saw("PD1", p.ID) {
			for _, url := range pd1Extensions {
				has := func(x fhir.Extension) bool { return x.URL == url }
				if i := slices.IndexFunc(prev.Extension, has); i >= 0 && !slices.ContainsFunc(p.Extension, has) {
					p.Extension = append(slices.Clip(p.Extension), prev.Extension[i])
				}
			}
		}
	}
}

// saw reports whether segment seg was mapped for the Patient id.
func (r *run) saw(seg, id string) bool {
	return slices.Contains(r.patientSegs, patientSeg{seg, id})
}
