package fhir

// Patient is a person receiving care.
type Patient struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// Patient elements.
	Identifier []Identifier   `json:"identifier,omitempty"`
	Active     *bool          `json:"active,omitempty"`
	Name       []HumanName    `json:"name,omitempty"`
	Telecom    []ContactPoint `json:"telecom,omitempty"`
	Gender     string         `json:"gender,omitempty"`
	BirthDate  string         `json:"birthDate,omitempty"`
	// BirthDateExt carries extensions on birthDate (e.g. patient-birthTime).
	BirthDateExt *Element `json:"_birthDate,omitempty"`
	// Deceased choice: at most one is set.
	DeceasedBoolean  *bool            `json:"deceasedBoolean,omitempty"`
	DeceasedDateTime *string          `json:"deceasedDateTime,omitempty"`
	Address          []Address        `json:"address,omitempty"`
	MaritalStatus    *CodeableConcept `json:"maritalStatus,omitempty"`
	// MultipleBirth choice: at most one is set.
	MultipleBirthBoolean *bool                  `json:"multipleBirthBoolean,omitempty"`
	MultipleBirthInteger *int                   `json:"multipleBirthInteger,omitempty"`
	Photo                []Attachment           `json:"photo,omitempty"`
	Contact              []PatientContact       `json:"contact,omitempty"`
	Communication        []PatientCommunication `json:"communication,omitempty"`
	GeneralPractitioner  []Reference            `json:"generalPractitioner,omitempty"`
	ManagingOrganization *Reference             `json:"managingOrganization,omitempty"`
	Link                 []PatientLink          `json:"link,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "Patient".
func (*Patient) ResourceType() string { return "Patient" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Patient) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x Patient) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *Patient) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = e.boolp(b, `"active":`, x.Active)
	b = arr(e, b, `"name":`, x.Name)
	b = arr(e, b, `"telecom":`, x.Telecom)
	b = e.str(b, `"gender":`, x.Gender)
	b = e.str(b, `"birthDate":`, x.BirthDate)
	b = obj(e, b, `"_birthDate":`, x.BirthDateExt)
	b = e.boolp(b, `"deceasedBoolean":`, x.DeceasedBoolean)
	b = e.strp(b, `"deceasedDateTime":`, x.DeceasedDateTime)
	b = arr(e, b, `"address":`, x.Address)
	b = obj(e, b, `"maritalStatus":`, x.MaritalStatus)
	b = e.boolp(b, `"multipleBirthBoolean":`, x.MultipleBirthBoolean)
	b = e.intp(b, `"multipleBirthInteger":`, x.MultipleBirthInteger)
	b = arr(e, b, `"photo":`, x.Photo)
	b = arr(e, b, `"contact":`, x.Contact)
	b = arr(e, b, `"communication":`, x.Communication)
	b = arr(e, b, `"generalPractitioner":`, x.GeneralPractitioner)
	b = obj(e, b, `"managingOrganization":`, x.ManagingOrganization)
	b = arr(e, b, `"link":`, x.Link)
	b = e.unknown(b, x.Unknown)
	return b
}

// PatientContact is a contact party (guardian, next of kin, ...).
type PatientContact struct {
	// PatientContact elements, as R4 defines them (JSON names in the tags).
	Extension    []Extension       `json:"extension,omitempty"`
	Relationship []CodeableConcept `json:"relationship,omitempty"`
	Name         *HumanName        `json:"name,omitempty"`
	Telecom      []ContactPoint    `json:"telecom,omitempty"`
	Address      *Address          `json:"address,omitempty"`
	Gender       string            `json:"gender,omitempty"`
	Organization *Reference        `json:"organization,omitempty"`
	Period       *Period           `json:"period,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *PatientContact) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x PatientContact) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *PatientContact) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = arr(e, b, `"relationship":`, x.Relationship)
	b = obj(e, b, `"name":`, x.Name)
	b = arr(e, b, `"telecom":`, x.Telecom)
	b = obj(e, b, `"address":`, x.Address)
	b = e.str(b, `"gender":`, x.Gender)
	b = obj(e, b, `"organization":`, x.Organization)
	b = obj(e, b, `"period":`, x.Period)
	b = e.unknown(b, x.Unknown)
	return b
}

// PatientCommunication is a language the patient uses.
type PatientCommunication struct {
	// PatientCommunication elements, as R4 defines them (JSON names in the tags).
	Extension []Extension      `json:"extension,omitempty"`
	Language  *CodeableConcept `json:"language,omitempty"`
	Preferred *bool            `json:"preferred,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *PatientCommunication) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x PatientCommunication) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *PatientCommunication) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"language":`, x.Language)
	b = e.boolp(b, `"preferred":`, x.Preferred)
	b = e.unknown(b, x.Unknown)
	return b
}

// PatientLink links to another Patient or RelatedPerson (merges, ...).
type PatientLink struct {
	// PatientLink elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Other     *Reference  `json:"other,omitempty"`
	Type      string      `json:"type,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *PatientLink) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x PatientLink) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *PatientLink) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"other":`, x.Other)
	b = e.str(b, `"type":`, x.Type)
	b = e.unknown(b, x.Unknown)
	return b
}
