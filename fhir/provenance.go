package fhir

// Provenance records who and what produced a set of resources: here the
// HL7 v2 message they came from and the transformation that made them.
type Provenance struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// Provenance elements (signature is kept in Unknown).
	Target []Reference `json:"target,omitempty"`
	// Occurred choice: at most one is set.
	OccurredPeriod   *Period            `json:"occurredPeriod,omitempty"`
	OccurredDateTime *string            `json:"occurredDateTime,omitempty"`
	Recorded         string             `json:"recorded,omitempty"`
	Policy           []string           `json:"policy,omitempty"`
	Location         *Reference         `json:"location,omitempty"`
	Reason           []CodeableConcept  `json:"reason,omitempty"`
	Activity         *CodeableConcept   `json:"activity,omitempty"`
	Agent            []ProvenanceAgent  `json:"agent,omitempty"`
	Entity           []ProvenanceEntity `json:"entity,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "Provenance".
func (*Provenance) ResourceType() string { return "Provenance" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Provenance) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x Provenance) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *Provenance) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"target":`, x.Target)
	b = obj(e, b, `"occurredPeriod":`, x.OccurredPeriod)
	b = e.strp(b, `"occurredDateTime":`, x.OccurredDateTime)
	b = e.str(b, `"recorded":`, x.Recorded)
	b = e.strs(b, `"policy":`, x.Policy)
	b = obj(e, b, `"location":`, x.Location)
	b = arr(e, b, `"reason":`, x.Reason)
	b = obj(e, b, `"activity":`, x.Activity)
	b = arr(e, b, `"agent":`, x.Agent)
	b = arr(e, b, `"entity":`, x.Entity)
	b = e.unknown(b, x.Unknown)
	return b
}

// ProvenanceAgent is an actor in the activity.
type ProvenanceAgent struct {
	// ProvenanceAgent elements, as R4 defines them (JSON names in the tags).
	Extension  []Extension       `json:"extension,omitempty"`
	Type       *CodeableConcept  `json:"type,omitempty"`
	Role       []CodeableConcept `json:"role,omitempty"`
	Who        *Reference        `json:"who,omitempty"`
	OnBehalfOf *Reference        `json:"onBehalfOf,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *ProvenanceAgent) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x ProvenanceAgent) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *ProvenanceAgent) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"type":`, x.Type)
	b = arr(e, b, `"role":`, x.Role)
	b = obj(e, b, `"who":`, x.Who)
	b = obj(e, b, `"onBehalfOf":`, x.OnBehalfOf)
	b = e.unknown(b, x.Unknown)
	return b
}

// ProvenanceEntity is an entity used in the activity (agent is kept in
// Unknown).
type ProvenanceEntity struct {
	// ProvenanceEntity elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Role      string      `json:"role,omitempty"`
	What      *Reference  `json:"what,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *ProvenanceEntity) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x ProvenanceEntity) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *ProvenanceEntity) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"role":`, x.Role)
	b = obj(e, b, `"what":`, x.What)
	b = e.unknown(b, x.Unknown)
	return b
}
