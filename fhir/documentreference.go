package fhir

// DocumentReference is a document: a note, a report, a scanned form, held
// inline (Attachment.data) or elsewhere (Attachment.url).
type DocumentReference struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// DocumentReference elements (relatesTo is kept in Unknown).
	MasterIdentifier *Identifier                `json:"masterIdentifier,omitempty"`
	Identifier       []Identifier               `json:"identifier,omitempty"`
	Status           string                     `json:"status,omitempty"`
	DocStatus        string                     `json:"docStatus,omitempty"`
	Type             *CodeableConcept           `json:"type,omitempty"`
	Category         []CodeableConcept          `json:"category,omitempty"`
	Subject          *Reference                 `json:"subject,omitempty"`
	Date             string                     `json:"date,omitempty"`
	Author           []Reference                `json:"author,omitempty"`
	Authenticator    *Reference                 `json:"authenticator,omitempty"`
	Custodian        *Reference                 `json:"custodian,omitempty"`
	Description      string                     `json:"description,omitempty"`
	SecurityLabel    []CodeableConcept          `json:"securityLabel,omitempty"`
	Content          []DocumentReferenceContent `json:"content,omitempty"`
	Context          *DocumentReferenceContext  `json:"context,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "DocumentReference".
func (*DocumentReference) ResourceType() string { return "DocumentReference" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *DocumentReference) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x DocumentReference) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *DocumentReference) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = obj(e, b, `"masterIdentifier":`, x.MasterIdentifier)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = e.str(b, `"status":`, x.Status)
	b = e.str(b, `"docStatus":`, x.DocStatus)
	b = obj(e, b, `"type":`, x.Type)
	b = arr(e, b, `"category":`, x.Category)
	b = obj(e, b, `"subject":`, x.Subject)
	b = e.str(b, `"date":`, x.Date)
	b = arr(e, b, `"author":`, x.Author)
	b = obj(e, b, `"authenticator":`, x.Authenticator)
	b = obj(e, b, `"custodian":`, x.Custodian)
	b = e.str(b, `"description":`, x.Description)
	b = arr(e, b, `"securityLabel":`, x.SecurityLabel)
	b = arr(e, b, `"content":`, x.Content)
	b = obj(e, b, `"context":`, x.Context)
	b = e.unknown(b, x.Unknown)
	return b
}

// DocumentReferenceContent is one rendition of the document.
type DocumentReferenceContent struct {
	// DocumentReferenceContent elements, as R4 defines them (JSON names in the tags).
	Extension  []Extension `json:"extension,omitempty"`
	Attachment *Attachment `json:"attachment,omitempty"`
	Format     *Coding     `json:"format,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *DocumentReferenceContent) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x DocumentReferenceContent) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *DocumentReferenceContent) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"attachment":`, x.Attachment)
	b = obj(e, b, `"format":`, x.Format)
	b = e.unknown(b, x.Unknown)
	return b
}

// DocumentReferenceContext is the clinical context of the document.
type DocumentReferenceContext struct {
	// DocumentReferenceContext elements, as R4 defines them (JSON names in the tags).
	Extension         []Extension       `json:"extension,omitempty"`
	Encounter         []Reference       `json:"encounter,omitempty"`
	Event             []CodeableConcept `json:"event,omitempty"`
	Period            *Period           `json:"period,omitempty"`
	FacilityType      *CodeableConcept  `json:"facilityType,omitempty"`
	PracticeSetting   *CodeableConcept  `json:"practiceSetting,omitempty"`
	SourcePatientInfo *Reference        `json:"sourcePatientInfo,omitempty"`
	Related           []Reference       `json:"related,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *DocumentReferenceContext) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x DocumentReferenceContext) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *DocumentReferenceContext) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = arr(e, b, `"encounter":`, x.Encounter)
	b = arr(e, b, `"event":`, x.Event)
	b = obj(e, b, `"period":`, x.Period)
	b = obj(e, b, `"facilityType":`, x.FacilityType)
	b = obj(e, b, `"practiceSetting":`, x.PracticeSetting)
	b = obj(e, b, `"sourcePatientInfo":`, x.SourcePatientInfo)
	b = arr(e, b, `"related":`, x.Related)
	b = e.unknown(b, x.Unknown)
	return b
}
