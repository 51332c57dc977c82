package fhir

// RelatedPerson is a person related to the patient (next of kin, guardian, ...) who is not its caregiver in the record.
type RelatedPerson struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// RelatedPerson elements.
	Identifier    []Identifier                 `json:"identifier,omitempty"`
	Active        *bool                        `json:"active,omitempty"`
	Patient       *Reference                   `json:"patient,omitempty"`
	Relationship  []CodeableConcept            `json:"relationship,omitempty"`
	Name          []HumanName                  `json:"name,omitempty"`
	Telecom       []ContactPoint               `json:"telecom,omitempty"`
	Gender        string                       `json:"gender,omitempty"`
	BirthDate     string                       `json:"birthDate,omitempty"`
	Address       []Address                    `json:"address,omitempty"`
	Photo         []Attachment                 `json:"photo,omitempty"`
	Period        *Period                      `json:"period,omitempty"`
	Communication []RelatedPersonCommunication `json:"communication,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "RelatedPerson".
func (*RelatedPerson) ResourceType() string { return "RelatedPerson" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *RelatedPerson) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x RelatedPerson) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *RelatedPerson) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = e.boolp(b, `"active":`, x.Active)
	b = obj(e, b, `"patient":`, x.Patient)
	b = arr(e, b, `"relationship":`, x.Relationship)
	b = arr(e, b, `"name":`, x.Name)
	b = arr(e, b, `"telecom":`, x.Telecom)
	b = e.str(b, `"gender":`, x.Gender)
	b = e.str(b, `"birthDate":`, x.BirthDate)
	b = arr(e, b, `"address":`, x.Address)
	b = arr(e, b, `"photo":`, x.Photo)
	b = obj(e, b, `"period":`, x.Period)
	b = arr(e, b, `"communication":`, x.Communication)
	b = e.unknown(b, x.Unknown)
	return b
}

// RelatedPersonCommunication is a language the related person uses.
type RelatedPersonCommunication struct {
	// RelatedPersonCommunication elements, as R4 defines them (JSON names in the tags).
	Extension []Extension      `json:"extension,omitempty"`
	Language  *CodeableConcept `json:"language,omitempty"`
	Preferred *bool            `json:"preferred,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *RelatedPersonCommunication) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x RelatedPersonCommunication) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *RelatedPersonCommunication) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"language":`, x.Language)
	b = e.boolp(b, `"preferred":`, x.Preferred)
	b = e.unknown(b, x.Unknown)
	return b
}
