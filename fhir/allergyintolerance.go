package fhir

// AllergyIntolerance is a risk of a harmful reaction to a substance.
type AllergyIntolerance struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// AllergyIntolerance elements.
	Identifier         []Identifier     `json:"identifier,omitempty"`
	ClinicalStatus     *CodeableConcept `json:"clinicalStatus,omitempty"`
	VerificationStatus *CodeableConcept `json:"verificationStatus,omitempty"`
	Type               string           `json:"type,omitempty"`
	Category           []string         `json:"category,omitempty"`
	Criticality        string           `json:"criticality,omitempty"`
	Code               *CodeableConcept `json:"code,omitempty"`
	Patient            *Reference       `json:"patient,omitempty"`
	Encounter          *Reference       `json:"encounter,omitempty"`
	// Onset choice: at most one is set.
	OnsetDateTime  *string                      `json:"onsetDateTime,omitempty"`
	OnsetAge       *Quantity                    `json:"onsetAge,omitempty"`
	OnsetPeriod    *Period                      `json:"onsetPeriod,omitempty"`
	OnsetRange     *Range                       `json:"onsetRange,omitempty"`
	OnsetString    *string                      `json:"onsetString,omitempty"`
	RecordedDate   string                       `json:"recordedDate,omitempty"`
	Recorder       *Reference                   `json:"recorder,omitempty"`
	Asserter       *Reference                   `json:"asserter,omitempty"`
	LastOccurrence string                       `json:"lastOccurrence,omitempty"`
	Note           []Annotation                 `json:"note,omitempty"`
	Reaction       []AllergyIntoleranceReaction `json:"reaction,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "AllergyIntolerance".
func (*AllergyIntolerance) ResourceType() string { return "AllergyIntolerance" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *AllergyIntolerance) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x AllergyIntolerance) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *AllergyIntolerance) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = obj(e, b, `"clinicalStatus":`, x.ClinicalStatus)
	b = obj(e, b, `"verificationStatus":`, x.VerificationStatus)
	b = e.str(b, `"type":`, x.Type)
	b = e.strs(b, `"category":`, x.Category)
	b = e.str(b, `"criticality":`, x.Criticality)
	b = obj(e, b, `"code":`, x.Code)
	b = obj(e, b, `"patient":`, x.Patient)
	b = obj(e, b, `"encounter":`, x.Encounter)
	b = e.strp(b, `"onsetDateTime":`, x.OnsetDateTime)
	b = obj(e, b, `"onsetAge":`, x.OnsetAge)
	b = obj(e, b, `"onsetPeriod":`, x.OnsetPeriod)
	b = obj(e, b, `"onsetRange":`, x.OnsetRange)
	b = e.strp(b, `"onsetString":`, x.OnsetString)
	b = e.str(b, `"recordedDate":`, x.RecordedDate)
	b = obj(e, b, `"recorder":`, x.Recorder)
	b = obj(e, b, `"asserter":`, x.Asserter)
	b = e.str(b, `"lastOccurrence":`, x.LastOccurrence)
	b = arr(e, b, `"note":`, x.Note)
	b = arr(e, b, `"reaction":`, x.Reaction)
	b = e.unknown(b, x.Unknown)
	return b
}

// AllergyIntoleranceReaction is an adverse reaction event.
type AllergyIntoleranceReaction struct {
	// AllergyIntoleranceReaction elements, as R4 defines them (JSON names in the tags).
	Extension     []Extension       `json:"extension,omitempty"`
	Substance     *CodeableConcept  `json:"substance,omitempty"`
	Manifestation []CodeableConcept `json:"manifestation,omitempty"`
	Description   string            `json:"description,omitempty"`
	Onset         string            `json:"onset,omitempty"`
	Severity      string            `json:"severity,omitempty"`
	ExposureRoute *CodeableConcept  `json:"exposureRoute,omitempty"`
	Note          []Annotation      `json:"note,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *AllergyIntoleranceReaction) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x AllergyIntoleranceReaction) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *AllergyIntoleranceReaction) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"substance":`, x.Substance)
	b = arr(e, b, `"manifestation":`, x.Manifestation)
	b = e.str(b, `"description":`, x.Description)
	b = e.str(b, `"onset":`, x.Onset)
	b = e.str(b, `"severity":`, x.Severity)
	b = obj(e, b, `"exposureRoute":`, x.ExposureRoute)
	b = arr(e, b, `"note":`, x.Note)
	b = e.unknown(b, x.Unknown)
	return b
}
