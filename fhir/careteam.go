package fhir

// CareTeam is the people and organizations who take part in a patient's
// care: in v2, the roles (ROL, PRT) sent with the patient.
type CareTeam struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// CareTeam elements. ReasonReference is kept in Unknown.
	Identifier           []Identifier          `json:"identifier,omitempty"`
	Status               string                `json:"status,omitempty"`
	Category             []CodeableConcept     `json:"category,omitempty"`
	Name                 string                `json:"name,omitempty"`
	Subject              *Reference            `json:"subject,omitempty"`
	Encounter            *Reference            `json:"encounter,omitempty"`
	Period               *Period               `json:"period,omitempty"`
	Participant          []CareTeamParticipant `json:"participant,omitempty"`
	ReasonCode           []CodeableConcept     `json:"reasonCode,omitempty"`
	ManagingOrganization []Reference           `json:"managingOrganization,omitempty"`
	Telecom              []ContactPoint        `json:"telecom,omitempty"`
	Note                 []Annotation          `json:"note,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "CareTeam".
func (*CareTeam) ResourceType() string { return "CareTeam" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *CareTeam) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x CareTeam) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *CareTeam) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = e.str(b, `"status":`, x.Status)
	b = arr(e, b, `"category":`, x.Category)
	b = e.str(b, `"name":`, x.Name)
	b = obj(e, b, `"subject":`, x.Subject)
	b = obj(e, b, `"encounter":`, x.Encounter)
	b = obj(e, b, `"period":`, x.Period)
	b = arr(e, b, `"participant":`, x.Participant)
	b = arr(e, b, `"reasonCode":`, x.ReasonCode)
	b = arr(e, b, `"managingOrganization":`, x.ManagingOrganization)
	b = arr(e, b, `"telecom":`, x.Telecom)
	b = arr(e, b, `"note":`, x.Note)
	b = e.unknown(b, x.Unknown)
	return b
}

// CareTeamParticipant is a member of a care team and its role in it.
type CareTeamParticipant struct {
	// CareTeamParticipant elements, as R4 defines them (JSON names in the tags).
	Extension  []Extension       `json:"extension,omitempty"`
	Role       []CodeableConcept `json:"role,omitempty"`
	Member     *Reference        `json:"member,omitempty"`
	OnBehalfOf *Reference        `json:"onBehalfOf,omitempty"`
	Period     *Period           `json:"period,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *CareTeamParticipant) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x CareTeamParticipant) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *CareTeamParticipant) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = arr(e, b, `"role":`, x.Role)
	b = obj(e, b, `"member":`, x.Member)
	b = obj(e, b, `"onBehalfOf":`, x.OnBehalfOf)
	b = obj(e, b, `"period":`, x.Period)
	b = e.unknown(b, x.Unknown)
	return b
}
