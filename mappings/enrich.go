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
//     publish a Patient without one when the EHR has it.) Elements R4
//     does not define (a newer release's, an EHR's own) are not copied:
//     the Bundle stays valid R4.
//   - Include are further resources (Coverage, AllergyIntolerance, ...)
//     added to the Bundle as the EHR returned them, under their EHR ids.
//
// Resources from the EHR appear with fullUrl <BaseURL>/<Type>/<id> and, in
// a transaction, PUT <Type>/<id>. The mapper only reads what Enrichment
// points to, so one decoded Patient may serve many messages at once (the
// engine caches them decoded: decoding costs far more than mapping).
type Enrichment struct {
	BaseURL string
	Patient *fhir.Patient
	Include []EHRResource

	// Previous are the Patient and Encounter versions the engine mapped
	// last for this patient, by "Type/id": see previous.go. Mapped, when
	// not nil, receives this message's Patient and Encounter by "Type/id",
	// to be the next message's Previous. The mapper never changes a
	// resource it got in Previous.
	Previous map[string]fhir.Resource
	Mapped   map[string]fhir.Resource
}

// EHRResource is a resource read from the EHR, with its id.
type EHRResource struct {
	Resource fhir.Resource
	ID       string
}

// DecodeEHRResource decodes a resource the EHR returned. It must have an
// id: the Bundle refers to it by that id.
func DecodeEHRResource(raw []byte) (EHRResource, error) {
	var head struct {
		ID string `json:"id"`
	}
	res, err := fhir.UnmarshalResource(raw)
	if err == nil {
		err = json.Unmarshal(raw, &head)
	}
	if err != nil {
		return EHRResource{}, fmt.Errorf("mappings: resource from the EHR: %w", err)
	}
	if head.ID == "" {
		return EHRResource{}, fmt.Errorf("mappings: %s from the EHR has no id", res.ResourceType())
	}
	return EHRResource{Resource: res, ID: head.ID}, nil
}

// MapJSONEnriched is MapJSONWarnings with what enrichment found. A nil
// enr maps as MapJSONWarnings does.
func (m *Mapper) MapJSONEnriched(msg *hl7.Message, enr *Enrichment) ([]byte, []Warning, error) {
	if enr != nil && enr.Patient != nil && enr.Patient.ID == "" {
		return nil, nil, fmt.Errorf("mappings: enrichment Patient has no id")
	}
	return m.appendJSONWith(nil, msg, true, enr)
}

// ident is the ident of a resource the EHR gave.
func (e *Enrichment) ident(typ, id string) ident {
	base := strings.TrimRight(e.BaseURL, "/")
	return ident{id: id, url: base + "/" + typ + "/" + id, req: typ + "/" + id}
}

// enrichPatient applies the EHR's Patient to the first PID's Patient p: the
// EHR id, and what the message left out.
func (r *run) enrichPatient(p *fhir.Patient) (ident, bool) {
	e := r.enr
	if e == nil || e.Patient == nil {
		return ident{}, false
	}
	ehr := e.Patient
	for _, id := range ehr.Identifier {
		if !slices.ContainsFunc(p.Identifier, func(x fhir.Identifier) bool { return x.System == id.System && x.Value == id.Value }) {
			p.Identifier = append(slices.Clip(p.Identifier), id)
		}
	}
	fill(&p.Name, ehr.Name)
	fill(&p.Telecom, ehr.Telecom)
	fill(&p.Address, ehr.Address)
	// Extensions by URL: the message's race and ethnicity (race.go) win,
	// the EHR's others (birth sex, which v2 does not carry) are kept.
	for _, x := range ehr.Extension {
		if !slices.ContainsFunc(p.Extension, func(y fhir.Extension) bool { return y.URL == x.URL }) {
			p.Extension = append(slices.Clip(p.Extension), x)
		}
	}
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

// fill sets *dst to src when the message gave nothing. The slice is
// clipped: an append by later mapping code copies rather than writing
// into the shared EHR Patient.
func fill[T any](dst *[]T, src []T) {
	if len(*dst) == 0 && len(src) > 0 {
		*dst = slices.Clip(src)
	}
}

// addIncluded adds the EHR's other resources to the bundle.
func (r *run) addIncluded() {
	if r.enr == nil {
		return
	}
	for _, in := range r.enr.Include {
		r.add(r.enr.ident(in.Resource.ResourceType(), in.ID), in.Resource)
	}
}
