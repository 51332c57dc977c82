package fhir

// Condition is a problem, diagnosis or other clinical concern.
type Condition struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// Condition elements.
	Identifier         []Identifier      `json:"identifier,omitempty"`
	ClinicalStatus     *CodeableConcept  `json:"clinicalStatus,omitempty"`
	VerificationStatus *CodeableConcept  `json:"verificationStatus,omitempty"`
	Category           []CodeableConcept `json:"category,omitempty"`
	Severity           *CodeableConcept  `json:"severity,omitempty"`
	Code               *CodeableConcept  `json:"code,omitempty"`
	BodySite           []CodeableConcept `json:"bodySite,omitempty"`
	Subject            *Reference        `json:"subject,omitempty"`
	Encounter          *Reference        `json:"encounter,omitempty"`
	// Onset choice: at most one is set.
	OnsetDateTime *string   `json:"onsetDateTime,omitempty"`
	OnsetAge      *Quantity `json:"onsetAge,omitempty"`
	OnsetPeriod   *Period   `json:"onsetPeriod,omitempty"`
	OnsetRange    *Range    `json:"onsetRange,omitempty"`
	OnsetString   *string   `json:"onsetString,omitempty"`
	// Abatement choice: at most one is set.
	AbatementDateTime *string   `json:"abatementDateTime,omitempty"`
	AbatementAge      *Quantity `json:"abatementAge,omitempty"`
	AbatementPeriod   *Period   `json:"abatementPeriod,omitempty"`
	AbatementRange    *Range    `json:"abatementRange,omitempty"`
	AbatementString   *string   `json:"abatementString,omitempty"`
	// Stage and evidence are kept in Unknown.
	RecordedDate string       `json:"recordedDate,omitempty"`
	Recorder     *Reference   `json:"recorder,omitempty"`
	Asserter     *Reference   `json:"asserter,omitempty"`
	Note         []Annotation `json:"note,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "Condition".
func (*Condition) ResourceType() string { return "Condition" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Condition) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x Condition) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *Condition) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = obj(e, b, `"clinicalStatus":`, x.ClinicalStatus)
	b = obj(e, b, `"verificationStatus":`, x.VerificationStatus)
	b = arr(e, b, `"category":`, x.Category)
	b = obj(e, b, `"severity":`, x.Severity)
	b = obj(e, b, `"code":`, x.Code)
	b = arr(e, b, `"bodySite":`, x.BodySite)
	b = obj(e, b, `"subject":`, x.Subject)
	b = obj(e, b, `"encounter":`, x.Encounter)
	b = e.strp(b, `"onsetDateTime":`, x.OnsetDateTime)
	b = obj(e, b, `"onsetAge":`, x.OnsetAge)
	b = obj(e, b, `"onsetPeriod":`, x.OnsetPeriod)
	b = obj(e, b, `"onsetRange":`, x.OnsetRange)
	b = e.strp(b, `"onsetString":`, x.OnsetString)
	b = e.strp(b, `"abatementDateTime":`, x.AbatementDateTime)
	b = obj(e, b, `"abatementAge":`, x.AbatementAge)
	b = obj(e, b, `"abatementPeriod":`, x.AbatementPeriod)
	b = obj(e, b, `"abatementRange":`, x.AbatementRange)
	b = e.strp(b, `"abatementString":`, x.AbatementString)
	b = e.str(b, `"recordedDate":`, x.RecordedDate)
	b = obj(e, b, `"recorder":`, x.Recorder)
	b = obj(e, b, `"asserter":`, x.Asserter)
	b = arr(e, b, `"note":`, x.Note)
	b = e.unknown(b, x.Unknown)
	return b
}
