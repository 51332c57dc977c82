package fhir

// Practitioner is a person who provides care: a physician, nurse, technician.
type Practitioner struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// Practitioner elements.
	Identifier    []Identifier                `json:"identifier,omitempty"`
	Active        *bool                       `json:"active,omitempty"`
	Name          []HumanName                 `json:"name,omitempty"`
	Telecom       []ContactPoint              `json:"telecom,omitempty"`
	Address       []Address                   `json:"address,omitempty"`
	Gender        string                      `json:"gender,omitempty"`
	BirthDate     string                      `json:"birthDate,omitempty"`
	Photo         []Attachment                `json:"photo,omitempty"`
	Qualification []PractitionerQualification `json:"qualification,omitempty"`
	Communication []CodeableConcept           `json:"communication,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "Practitioner".
func (*Practitioner) ResourceType() string { return "Practitioner" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Practitioner) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x Practitioner) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *Practitioner) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = e.boolp(b, `"active":`, x.Active)
	b = arr(e, b, `"name":`, x.Name)
	b = arr(e, b, `"telecom":`, x.Telecom)
	b = arr(e, b, `"address":`, x.Address)
	b = e.str(b, `"gender":`, x.Gender)
	b = e.str(b, `"birthDate":`, x.BirthDate)
	b = arr(e, b, `"photo":`, x.Photo)
	b = arr(e, b, `"qualification":`, x.Qualification)
	b = arr(e, b, `"communication":`, x.Communication)
	b = e.unknown(b, x.Unknown)
	return b
}

// PractitionerQualification is a degree, licence or certificate.
type PractitionerQualification struct {
	// PractitionerQualification elements, as R4 defines them (JSON names in the tags).
	Extension  []Extension      `json:"extension,omitempty"`
	Identifier []Identifier     `json:"identifier,omitempty"`
	Code       *CodeableConcept `json:"code,omitempty"`
	Period     *Period          `json:"period,omitempty"`
	Issuer     *Reference       `json:"issuer,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *PractitionerQualification) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x PractitionerQualification) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *PractitionerQualification) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = obj(e, b, `"code":`, x.Code)
	b = obj(e, b, `"period":`, x.Period)
	b = obj(e, b, `"issuer":`, x.Issuer)
	b = e.unknown(b, x.Unknown)
	return b
}
