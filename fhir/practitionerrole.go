package fhir

// PractitionerRole is what a practitioner does for an organization, at a
// location: the ordering provider of a lab order, a patient's primary care
// provider at a clinic.
type PractitionerRole struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// PractitionerRole elements (healthcareService, availableTime,
	// notAvailable, availabilityExceptions and endpoint are kept in
	// Unknown).
	Identifier   []Identifier      `json:"identifier,omitempty"`
	Active       *bool             `json:"active,omitempty"`
	Period       *Period           `json:"period,omitempty"`
	Practitioner *Reference        `json:"practitioner,omitempty"`
	Organization *Reference        `json:"organization,omitempty"`
	Code         []CodeableConcept `json:"code,omitempty"`
	Specialty    []CodeableConcept `json:"specialty,omitempty"`
	Location     []Reference       `json:"location,omitempty"`
	Telecom      []ContactPoint    `json:"telecom,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "PractitionerRole".
func (*PractitionerRole) ResourceType() string { return "PractitionerRole" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *PractitionerRole) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x PractitionerRole) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *PractitionerRole) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = e.boolp(b, `"active":`, x.Active)
	b = obj(e, b, `"period":`, x.Period)
	b = obj(e, b, `"practitioner":`, x.Practitioner)
	b = obj(e, b, `"organization":`, x.Organization)
	b = arr(e, b, `"code":`, x.Code)
	b = arr(e, b, `"specialty":`, x.Specialty)
	b = arr(e, b, `"location":`, x.Location)
	b = arr(e, b, `"telecom":`, x.Telecom)
	b = e.unknown(b, x.Unknown)
	return b
}
