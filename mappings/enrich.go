package mappings

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// Enrichment is what FHIR reads against the EHR found for one message.
// The mapper uses it this way:
//
//   - Patient (the EHR's Patient for the message's first PID) gives the
//     Bundle's Patient its id, so downstream systems key on the EHR's own
//     id, and every reference to the patient points at it. The message
//     stays the authority for what it carries; elements the message lacks
//     are taken from the EHR's Patient, and identifiers the EHR knows are
//     added to the message's. (An A08 that omits a phone number must not
//     publish a Patient without one when the EHR has it.)
//   - Include are further resources (Coverage, AllergyIntolerance, ...)
//     added to the Bundle as the EHR returned them, under their EHR ids.
//
// Resources from the EHR appear with fullUrl <BaseURL>/<Type>/<id> and, in
// a transaction, PUT <Type>/<id>.
type Enrichment struct {
	BaseURL string
	Patient json.RawMessage
	Include []json.RawMessage
}

// MapJSONEnriched is MapJSONWarnings with what enrichment found. A nil
// enr maps as MapJSONWarnings does.
func (m *Mapper) MapJSONEnriched(msg *hl7.Message, enr *Enrichment) ([]byte, []Warning, error) {
	e, err := prepare(enr)
	if err != nil {
		return nil, nil, err
	}
	return m.appendJSONWith(nil, msg, true, e)
}

// enrichment is an Enrichment decoded for a run.
type enrichment struct {
	base    string
	patient *fhir.Patient
	include []included
}

type included struct {
	res fhir.Resource
	id  string
}

func prepare(enr *Enrichment) (*enrichment, error) {
	if enr == nil {
		return nil, nil
	}
	e := &enrichment{base: strings.TrimRight(enr.BaseURL, "/")}
	if len(enr.Patient) > 0 {
		res, err := fhir.UnmarshalResource(enr.Patient)
		if err != nil {
			return nil, fmt.Errorf("mappings: enrichment Patient: %w", err)
		}
		p, ok := res.(*fhir.Patient)
		if !ok || p.ID == "" {
			return nil, fmt.Errorf("mappings: enrichment Patient is a %s without the id the Bundle needs", res.ResourceType())
		}
		e.patient = p
	}
	for i, raw := range enr.Include {
		var head struct {
			ID string `json:"id"`
		}
		res, err := fhir.UnmarshalResource(raw)
		if err == nil {
			err = json.Unmarshal(raw, &head)
		}
		if err != nil {
			return nil, fmt.Errorf("mappings: enrichment resource %d: %w", i+1, err)
		}
		if head.ID == "" {
			return nil, fmt.Errorf("mappings: enrichment resource %d (%s) has no id", i+1, res.ResourceType())
		}
		e.include = append(e.include, included{res, head.ID})
	}
	return e, nil
}

// ehrIdent is the ident of a resource the EHR gave.
func (e *enrichment) ident(typ, id string) ident {
	return ident{id: id, url: e.base + "/" + typ + "/" + id, req: typ + "/" + id}
}

// enrichPatient applies the EHR's Patient to the first PID's Patient p: the
// EHR id, and what the message left out.
func (r *run) enrichPatient(p *fhir.Patient) (ident, bool) {
	e := r.enr
	if e == nil || e.patient == nil {
		return ident{}, false
	}
	ehr := e.patient
	for _, id := range ehr.Identifier {
		if !slices.ContainsFunc(p.Identifier, func(x fhir.Identifier) bool { return x.System == id.System && x.Value == id.Value }) {
			p.Identifier = append(p.Identifier, id)
		}
	}
	fill(&p.Name, ehr.Name)
	fill(&p.Telecom, ehr.Telecom)
	fill(&p.Address, ehr.Address)
	fill(&p.Extension, ehr.Extension) // US Core race, ethnicity, birth sex
	fill(&p.Communication, ehr.Communication)
	fill(&p.GeneralPractitioner, ehr.GeneralPractitioner)
	fill(&p.Contact, ehr.Contact)
	// Elements this package does not model (a newer release's, or an
	// EHR's own) are not carried over: the Bundle must stay valid R4.
	if p.Gender == "" {
		p.Gender = ehr.Gender
	}
	if p.BirthDate == "" {
		p.BirthDate, p.BirthDateExt = ehr.BirthDate, ehr.BirthDateExt
	}
	if p.MaritalStatus == nil {
		p.MaritalStatus = ehr.MaritalStatus
	}
	if p.ManagingOrganization == nil {
		p.ManagingOrganization = ehr.ManagingOrganization
	}
	if p.DeceasedBoolean == nil && p.DeceasedDateTime == nil {
		p.DeceasedBoolean, p.DeceasedDateTime = ehr.DeceasedBoolean, ehr.DeceasedDateTime
	}
	if p.Active == nil {
		p.Active = ehr.Active
	}
	p.ID = ehr.ID
	return e.ident("Patient", ehr.ID), true
}

// fill sets *dst to src when the message gave nothing.
func fill[T any](dst *[]T, src []T) {
	if len(*dst) == 0 && len(src) > 0 {
		*dst = src
	}
}

// addIncluded adds the EHR's other resources to the bundle.
func (r *run) addIncluded() {
	if r.enr == nil {
		return
	}
	for _, in := range r.enr.include {
		r.add(r.enr.ident(in.res.ResourceType(), in.id), in.res)
	}
}
