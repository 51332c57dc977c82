package fhir

// Specimen is a sample used for analysis: a tube of blood, a swab.
type Specimen struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// Specimen elements (processing is kept in Unknown).
	Identifier          []Identifier        `json:"identifier,omitempty"`
	AccessionIdentifier *Identifier         `json:"accessionIdentifier,omitempty"`
	Status              string              `json:"status,omitempty"`
	Type                *CodeableConcept    `json:"type,omitempty"`
	Subject             *Reference          `json:"subject,omitempty"`
	ReceivedTime        string              `json:"receivedTime,omitempty"`
	Parent              []Reference         `json:"parent,omitempty"`
	Request             []Reference         `json:"request,omitempty"`
	Collection          *SpecimenCollection `json:"collection,omitempty"`
	Container           []SpecimenContainer `json:"container,omitempty"`
	Condition           []CodeableConcept   `json:"condition,omitempty"`
	Note                []Annotation        `json:"note,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "Specimen".
func (*Specimen) ResourceType() string { return "Specimen" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Specimen) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x Specimen) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *Specimen) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = obj(e, b, `"accessionIdentifier":`, x.AccessionIdentifier)
	b = e.str(b, `"status":`, x.Status)
	b = obj(e, b, `"type":`, x.Type)
	b = obj(e, b, `"subject":`, x.Subject)
	b = e.str(b, `"receivedTime":`, x.ReceivedTime)
	b = arr(e, b, `"parent":`, x.Parent)
	b = arr(e, b, `"request":`, x.Request)
	b = obj(e, b, `"collection":`, x.Collection)
	b = arr(e, b, `"container":`, x.Container)
	b = arr(e, b, `"condition":`, x.Condition)
	b = arr(e, b, `"note":`, x.Note)
	b = e.unknown(b, x.Unknown)
	return b
}

// SpecimenCollection is how, when and by whom a specimen was collected.
type SpecimenCollection struct {
	// SpecimenCollection elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Collector *Reference  `json:"collector,omitempty"`
	// Collected choice: at most one is set.
	CollectedDateTime *string          `json:"collectedDateTime,omitempty"`
	CollectedPeriod   *Period          `json:"collectedPeriod,omitempty"`
	Duration          *Quantity        `json:"duration,omitempty"`
	Quantity          *Quantity        `json:"quantity,omitempty"`
	Method            *CodeableConcept `json:"method,omitempty"`
	BodySite          *CodeableConcept `json:"bodySite,omitempty"`
	// FastingStatus choice (fastingStatusDuration is kept in Unknown).
	FastingStatusCodeableConcept *CodeableConcept `json:"fastingStatusCodeableConcept,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *SpecimenCollection) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x SpecimenCollection) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *SpecimenCollection) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"collector":`, x.Collector)
	b = e.strp(b, `"collectedDateTime":`, x.CollectedDateTime)
	b = obj(e, b, `"collectedPeriod":`, x.CollectedPeriod)
	b = obj(e, b, `"duration":`, x.Duration)
	b = obj(e, b, `"quantity":`, x.Quantity)
	b = obj(e, b, `"method":`, x.Method)
	b = obj(e, b, `"bodySite":`, x.BodySite)
	b = obj(e, b, `"fastingStatusCodeableConcept":`, x.FastingStatusCodeableConcept)
	b = e.unknown(b, x.Unknown)
	return b
}

// SpecimenContainer is a container holding a specimen.
type SpecimenContainer struct {
	// SpecimenContainer elements, as R4 defines them (JSON names in the tags).
	Extension        []Extension      `json:"extension,omitempty"`
	Identifier       []Identifier     `json:"identifier,omitempty"`
	Description      string           `json:"description,omitempty"`
	Type             *CodeableConcept `json:"type,omitempty"`
	Capacity         *Quantity        `json:"capacity,omitempty"`
	SpecimenQuantity *Quantity        `json:"specimenQuantity,omitempty"`
	// Additive choice: at most one is set.
	AdditiveCodeableConcept *CodeableConcept `json:"additiveCodeableConcept,omitempty"`
	AdditiveReference       *Reference       `json:"additiveReference,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *SpecimenContainer) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x SpecimenContainer) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *SpecimenContainer) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = e.str(b, `"description":`, x.Description)
	b = obj(e, b, `"type":`, x.Type)
	b = obj(e, b, `"capacity":`, x.Capacity)
	b = obj(e, b, `"specimenQuantity":`, x.SpecimenQuantity)
	b = obj(e, b, `"additiveCodeableConcept":`, x.AdditiveCodeableConcept)
	b = obj(e, b, `"additiveReference":`, x.AdditiveReference)
	b = e.unknown(b, x.Unknown)
	return b
}
