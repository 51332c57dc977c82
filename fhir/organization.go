package fhir

// Organization is a hospital, laboratory, department or other group.
type Organization struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// Organization elements.
	Identifier []Identifier          `json:"identifier,omitempty"`
	Active     *bool                 `json:"active,omitempty"`
	Type       []CodeableConcept     `json:"type,omitempty"`
	Name       string                `json:"name,omitempty"`
	Alias      []string              `json:"alias,omitempty"`
	Telecom    []ContactPoint        `json:"telecom,omitempty"`
	Address    []Address             `json:"address,omitempty"`
	PartOf     *Reference            `json:"partOf,omitempty"`
	Contact    []OrganizationContact `json:"contact,omitempty"`
	Endpoint   []Reference           `json:"endpoint,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "Organization".
func (*Organization) ResourceType() string { return "Organization" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Organization) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x Organization) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *Organization) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = e.boolp(b, `"active":`, x.Active)
	b = arr(e, b, `"type":`, x.Type)
	b = e.str(b, `"name":`, x.Name)
	b = e.strs(b, `"alias":`, x.Alias)
	b = arr(e, b, `"telecom":`, x.Telecom)
	b = arr(e, b, `"address":`, x.Address)
	b = obj(e, b, `"partOf":`, x.PartOf)
	b = arr(e, b, `"contact":`, x.Contact)
	b = arr(e, b, `"endpoint":`, x.Endpoint)
	b = e.unknown(b, x.Unknown)
	return b
}

// OrganizationContact is a contact person or role for an organization.
type OrganizationContact struct {
	// OrganizationContact elements, as R4 defines them (JSON names in the tags).
	Extension []Extension      `json:"extension,omitempty"`
	Purpose   *CodeableConcept `json:"purpose,omitempty"`
	Name      *HumanName       `json:"name,omitempty"`
	Telecom   []ContactPoint   `json:"telecom,omitempty"`
	Address   *Address         `json:"address,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *OrganizationContact) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x OrganizationContact) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *OrganizationContact) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"purpose":`, x.Purpose)
	b = obj(e, b, `"name":`, x.Name)
	b = arr(e, b, `"telecom":`, x.Telecom)
	b = obj(e, b, `"address":`, x.Address)
	b = e.unknown(b, x.Unknown)
	return b
}
