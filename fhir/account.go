package fhir

// Account is a financial account that charges for a patient's care are
// posted to: in v2, the patient account number of PID-18.
type Account struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// Account elements. Coverage and guarantor are kept in Unknown.
	Identifier    []Identifier     `json:"identifier,omitempty"`
	Status        string           `json:"status,omitempty"`
	Type          *CodeableConcept `json:"type,omitempty"`
	Name          string           `json:"name,omitempty"`
	Subject       []Reference      `json:"subject,omitempty"`
	ServicePeriod *Period          `json:"servicePeriod,omitempty"`
	Owner         *Reference       `json:"owner,omitempty"`
	Description   string           `json:"description,omitempty"`
	PartOf        *Reference       `json:"partOf,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "Account".
func (*Account) ResourceType() string { return "Account" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Account) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x Account) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *Account) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = e.str(b, `"status":`, x.Status)
	b = obj(e, b, `"type":`, x.Type)
	b = e.str(b, `"name":`, x.Name)
	b = arr(e, b, `"subject":`, x.Subject)
	b = obj(e, b, `"servicePeriod":`, x.ServicePeriod)
	b = obj(e, b, `"owner":`, x.Owner)
	b = e.str(b, `"description":`, x.Description)
	b = obj(e, b, `"partOf":`, x.PartOf)
	b = e.unknown(b, x.Unknown)
	return b
}
