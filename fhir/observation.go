package fhir

// Observation is a measurement or assertion: a lab result, a vital sign.
type Observation struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// Observation elements (effectiveTiming and valueSampledData are kept
	// in Unknown).
	Identifier []Identifier      `json:"identifier,omitempty"`
	BasedOn    []Reference       `json:"basedOn,omitempty"`
	PartOf     []Reference       `json:"partOf,omitempty"`
	Status     string            `json:"status,omitempty"`
	Category   []CodeableConcept `json:"category,omitempty"`
	Code       *CodeableConcept  `json:"code,omitempty"`
	Subject    *Reference        `json:"subject,omitempty"`
	Focus      []Reference       `json:"focus,omitempty"`
	Encounter  *Reference        `json:"encounter,omitempty"`
	// Effective choice: at most one is set.
	EffectiveDateTime *string     `json:"effectiveDateTime,omitempty"`
	EffectivePeriod   *Period     `json:"effectivePeriod,omitempty"`
	EffectiveInstant  *string     `json:"effectiveInstant,omitempty"`
	Issued            string      `json:"issued,omitempty"`
	Performer         []Reference `json:"performer,omitempty"`
	// ObservationValue holds the value[x] choice (ValueQuantity, ...).
	ObservationValue
	DataAbsentReason *CodeableConcept            `json:"dataAbsentReason,omitempty"`
	Interpretation   []CodeableConcept           `json:"interpretation,omitempty"`
	Note             []Annotation                `json:"note,omitempty"`
	BodySite         *CodeableConcept            `json:"bodySite,omitempty"`
	Method           *CodeableConcept            `json:"method,omitempty"`
	Specimen         *Reference                  `json:"specimen,omitempty"`
	Device           *Reference                  `json:"device,omitempty"`
	ReferenceRange   []ObservationReferenceRange `json:"referenceRange,omitempty"`
	HasMember        []Reference                 `json:"hasMember,omitempty"`
	DerivedFrom      []Reference                 `json:"derivedFrom,omitempty"`
	Component        []ObservationComponent      `json:"component,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ObservationValue is the value[x] choice of an Observation and of its
// components: at most one field is set.
type ObservationValue struct {
	// Value choice: at most one is set.
	ValueQuantity        *Quantity        `json:"valueQuantity,omitempty"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
	ValueString          *string          `json:"valueString,omitempty"`
	ValueBoolean         *bool            `json:"valueBoolean,omitempty"`
	ValueInteger         *int             `json:"valueInteger,omitempty"`
	ValueRange           *Range           `json:"valueRange,omitempty"`
	ValueRatio           *Ratio           `json:"valueRatio,omitempty"`
	ValueTime            *string          `json:"valueTime,omitempty"`
	ValueDateTime        *string          `json:"valueDateTime,omitempty"`
	ValuePeriod          *Period          `json:"valuePeriod,omitempty"`
}

func (v *ObservationValue) encode(e *encoder, b []byte) []byte {
	b = obj(e, b, `"valueQuantity":`, v.ValueQuantity)
	b = obj(e, b, `"valueCodeableConcept":`, v.ValueCodeableConcept)
	b = e.strp(b, `"valueString":`, v.ValueString)
	b = e.boolp(b, `"valueBoolean":`, v.ValueBoolean)
	b = e.intp(b, `"valueInteger":`, v.ValueInteger)
	b = obj(e, b, `"valueRange":`, v.ValueRange)
	b = obj(e, b, `"valueRatio":`, v.ValueRatio)
	b = e.strp(b, `"valueTime":`, v.ValueTime)
	b = e.strp(b, `"valueDateTime":`, v.ValueDateTime)
	b = obj(e, b, `"valuePeriod":`, v.ValuePeriod)
	return b
}

// ResourceType returns "Observation".
func (*Observation) ResourceType() string { return "Observation" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Observation) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x Observation) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *Observation) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = arr(e, b, `"basedOn":`, x.BasedOn)
	b = arr(e, b, `"partOf":`, x.PartOf)
	b = e.str(b, `"status":`, x.Status)
	b = arr(e, b, `"category":`, x.Category)
	b = obj(e, b, `"code":`, x.Code)
	b = obj(e, b, `"subject":`, x.Subject)
	b = arr(e, b, `"focus":`, x.Focus)
	b = obj(e, b, `"encounter":`, x.Encounter)
	b = e.strp(b, `"effectiveDateTime":`, x.EffectiveDateTime)
	b = obj(e, b, `"effectivePeriod":`, x.EffectivePeriod)
	b = e.strp(b, `"effectiveInstant":`, x.EffectiveInstant)
	b = e.str(b, `"issued":`, x.Issued)
	b = arr(e, b, `"performer":`, x.Performer)
	b = x.ObservationValue.encode(e, b)
	b = obj(e, b, `"dataAbsentReason":`, x.DataAbsentReason)
	b = arr(e, b, `"interpretation":`, x.Interpretation)
	b = arr(e, b, `"note":`, x.Note)
	b = obj(e, b, `"bodySite":`, x.BodySite)
	b = obj(e, b, `"method":`, x.Method)
	b = obj(e, b, `"specimen":`, x.Specimen)
	b = obj(e, b, `"device":`, x.Device)
	b = arr(e, b, `"referenceRange":`, x.ReferenceRange)
	b = arr(e, b, `"hasMember":`, x.HasMember)
	b = arr(e, b, `"derivedFrom":`, x.DerivedFrom)
	b = arr(e, b, `"component":`, x.Component)
	b = e.unknown(b, x.Unknown)
	return b
}

// ObservationReferenceRange is a range a result is compared against.
type ObservationReferenceRange struct {
	// ObservationReferenceRange elements, as R4 defines them (JSON names in the tags).
	Extension []Extension       `json:"extension,omitempty"`
	Low       *Quantity         `json:"low,omitempty"`
	High      *Quantity         `json:"high,omitempty"`
	Type      *CodeableConcept  `json:"type,omitempty"`
	AppliesTo []CodeableConcept `json:"appliesTo,omitempty"`
	Age       *Range            `json:"age,omitempty"`
	Text      string            `json:"text,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *ObservationReferenceRange) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x ObservationReferenceRange) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *ObservationReferenceRange) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"low":`, x.Low)
	b = obj(e, b, `"high":`, x.High)
	b = obj(e, b, `"type":`, x.Type)
	b = arr(e, b, `"appliesTo":`, x.AppliesTo)
	b = obj(e, b, `"age":`, x.Age)
	b = e.str(b, `"text":`, x.Text)
	b = e.unknown(b, x.Unknown)
	return b
}

// ObservationComponent is one part of a multi-part observation (systolic
// and diastolic blood pressure, repeated values).
type ObservationComponent struct {
	// ObservationComponent elements, as R4 defines them (JSON names in the tags).
	Extension []Extension      `json:"extension,omitempty"`
	Code      *CodeableConcept `json:"code,omitempty"`
	// ObservationValue holds the value[x] choice.
	ObservationValue
	DataAbsentReason *CodeableConcept            `json:"dataAbsentReason,omitempty"`
	Interpretation   []CodeableConcept           `json:"interpretation,omitempty"`
	ReferenceRange   []ObservationReferenceRange `json:"referenceRange,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *ObservationComponent) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x ObservationComponent) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *ObservationComponent) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"code":`, x.Code)
	b = x.ObservationValue.encode(e, b)
	b = obj(e, b, `"dataAbsentReason":`, x.DataAbsentReason)
	b = arr(e, b, `"interpretation":`, x.Interpretation)
	b = arr(e, b, `"referenceRange":`, x.ReferenceRange)
	b = e.unknown(b, x.Unknown)
	return b
}
