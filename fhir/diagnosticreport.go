package fhir

// DiagnosticReport is the findings of a set of tests: a lab panel, a
// radiology study report.
type DiagnosticReport struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// DiagnosticReport elements.
	Identifier []Identifier      `json:"identifier,omitempty"`
	BasedOn    []Reference       `json:"basedOn,omitempty"`
	Status     string            `json:"status,omitempty"`
	Category   []CodeableConcept `json:"category,omitempty"`
	Code       *CodeableConcept  `json:"code,omitempty"`
	Subject    *Reference        `json:"subject,omitempty"`
	Encounter  *Reference        `json:"encounter,omitempty"`
	// Effective choice: at most one is set.
	EffectiveDateTime  *string                 `json:"effectiveDateTime,omitempty"`
	EffectivePeriod    *Period                 `json:"effectivePeriod,omitempty"`
	Issued             string                  `json:"issued,omitempty"`
	Performer          []Reference             `json:"performer,omitempty"`
	ResultsInterpreter []Reference             `json:"resultsInterpreter,omitempty"`
	Specimen           []Reference             `json:"specimen,omitempty"`
	Result             []Reference             `json:"result,omitempty"`
	ImagingStudy       []Reference             `json:"imagingStudy,omitempty"`
	Media              []DiagnosticReportMedia `json:"media,omitempty"`
	Conclusion         string                  `json:"conclusion,omitempty"`
	ConclusionCode     []CodeableConcept       `json:"conclusionCode,omitempty"`
	PresentedForm      []Attachment            `json:"presentedForm,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "DiagnosticReport".
func (*DiagnosticReport) ResourceType() string { return "DiagnosticReport" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *DiagnosticReport) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x DiagnosticReport) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *DiagnosticReport) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = arr(e, b, `"basedOn":`, x.BasedOn)
	b = e.str(b, `"status":`, x.Status)
	b = arr(e, b, `"category":`, x.Category)
	b = obj(e, b, `"code":`, x.Code)
	b = obj(e, b, `"subject":`, x.Subject)
	b = obj(e, b, `"encounter":`, x.Encounter)
	b = e.strp(b, `"effectiveDateTime":`, x.EffectiveDateTime)
	b = obj(e, b, `"effectivePeriod":`, x.EffectivePeriod)
	b = e.str(b, `"issued":`, x.Issued)
	b = arr(e, b, `"performer":`, x.Performer)
	b = arr(e, b, `"resultsInterpreter":`, x.ResultsInterpreter)
	b = arr(e, b, `"specimen":`, x.Specimen)
	b = arr(e, b, `"result":`, x.Result)
	b = arr(e, b, `"imagingStudy":`, x.ImagingStudy)
	b = arr(e, b, `"media":`, x.Media)
	b = e.str(b, `"conclusion":`, x.Conclusion)
	b = arr(e, b, `"conclusionCode":`, x.ConclusionCode)
	b = arr(e, b, `"presentedForm":`, x.PresentedForm)
	b = e.unknown(b, x.Unknown)
	return b
}

// DiagnosticReportMedia is a key image of a report.
type DiagnosticReportMedia struct {
	// DiagnosticReportMedia elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Comment   string      `json:"comment,omitempty"`
	Link      *Reference  `json:"link,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *DiagnosticReportMedia) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x DiagnosticReportMedia) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *DiagnosticReportMedia) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"comment":`, x.Comment)
	b = obj(e, b, `"link":`, x.Link)
	b = e.unknown(b, x.Unknown)
	return b
}
