package fhir

// Procedure is an action performed on or for a patient.
type Procedure struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// Procedure elements.
	Identifier            []Identifier     `json:"identifier,omitempty"`
	InstantiatesCanonical []string         `json:"instantiatesCanonical,omitempty"`
	InstantiatesURI       []string         `json:"instantiatesUri,omitempty"`
	BasedOn               []Reference      `json:"basedOn,omitempty"`
	PartOf                []Reference      `json:"partOf,omitempty"`
	Status                string           `json:"status,omitempty"`
	StatusReason          *CodeableConcept `json:"statusReason,omitempty"`
	Category              *CodeableConcept `json:"category,omitempty"`
	Code                  *CodeableConcept `json:"code,omitempty"`
	Subject               *Reference       `json:"subject,omitempty"`
	Encounter             *Reference       `json:"encounter,omitempty"`
	// Performed choice: at most one is set.
	PerformedDateTime  *string              `json:"performedDateTime,omitempty"`
	PerformedPeriod    *Period              `json:"performedPeriod,omitempty"`
	PerformedString    *string              `json:"performedString,omitempty"`
	PerformedAge       *Quantity            `json:"performedAge,omitempty"`
	PerformedRange     *Range               `json:"performedRange,omitempty"`
	Recorder           *Reference           `json:"recorder,omitempty"`
	Asserter           *Reference           `json:"asserter,omitempty"`
	Performer          []ProcedurePerformer `json:"performer,omitempty"`
	Location           *Reference           `json:"location,omitempty"`
	ReasonCode         []CodeableConcept    `json:"reasonCode,omitempty"`
	ReasonReference    []Reference          `json:"reasonReference,omitempty"`
	BodySite           []CodeableConcept    `json:"bodySite,omitempty"`
	Outcome            *CodeableConcept     `json:"outcome,omitempty"`
	Report             []Reference          `json:"report,omitempty"`
	Complication       []CodeableConcept    `json:"complication,omitempty"`
	ComplicationDetail []Reference          `json:"complicationDetail,omitempty"`
	FollowUp           []CodeableConcept    `json:"followUp,omitempty"`
	Note               []Annotation         `json:"note,omitempty"`
	// FocalDevice is kept in Unknown.
	UsedReference []Reference       `json:"usedReference,omitempty"`
	UsedCode      []CodeableConcept `json:"usedCode,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "Procedure".
func (*Procedure) ResourceType() string { return "Procedure" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Procedure) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x Procedure) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *Procedure) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = e.strs(b, `"instantiatesCanonical":`, x.InstantiatesCanonical)
	b = e.strs(b, `"instantiatesUri":`, x.InstantiatesURI)
	b = arr(e, b, `"basedOn":`, x.BasedOn)
	b = arr(e, b, `"partOf":`, x.PartOf)
	b = e.str(b, `"status":`, x.Status)
	b = obj(e, b, `"statusReason":`, x.StatusReason)
	b = obj(e, b, `"category":`, x.Category)
	b = obj(e, b, `"code":`, x.Code)
	b = obj(e, b, `"subject":`, x.Subject)
	b = obj(e, b, `"encounter":`, x.Encounter)
	b = e.strp(b, `"performedDateTime":`, x.PerformedDateTime)
	b = obj(e, b, `"performedPeriod":`, x.PerformedPeriod)
	b = e.strp(b, `"performedString":`, x.PerformedString)
	b = obj(e, b, `"performedAge":`, x.PerformedAge)
	b = obj(e, b, `"performedRange":`, x.PerformedRange)
	b = obj(e, b, `"recorder":`, x.Recorder)
	b = obj(e, b, `"asserter":`, x.Asserter)
	b = arr(e, b, `"performer":`, x.Performer)
	b = obj(e, b, `"location":`, x.Location)
	b = arr(e, b, `"reasonCode":`, x.ReasonCode)
	b = arr(e, b, `"reasonReference":`, x.ReasonReference)
	b = arr(e, b, `"bodySite":`, x.BodySite)
	b = obj(e, b, `"outcome":`, x.Outcome)
	b = arr(e, b, `"report":`, x.Report)
	b = arr(e, b, `"complication":`, x.Complication)
	b = arr(e, b, `"complicationDetail":`, x.ComplicationDetail)
	b = arr(e, b, `"followUp":`, x.FollowUp)
	b = arr(e, b, `"note":`, x.Note)
	b = arr(e, b, `"usedReference":`, x.UsedReference)
	b = arr(e, b, `"usedCode":`, x.UsedCode)
	b = e.unknown(b, x.Unknown)
	return b
}

// ProcedurePerformer is who performed a procedure, and how.
type ProcedurePerformer struct {
	// ProcedurePerformer elements, as R4 defines them (JSON names in the tags).
	Extension  []Extension      `json:"extension,omitempty"`
	Function   *CodeableConcept `json:"function,omitempty"`
	Actor      *Reference       `json:"actor,omitempty"`
	OnBehalfOf *Reference       `json:"onBehalfOf,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *ProcedurePerformer) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x ProcedurePerformer) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *ProcedurePerformer) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"function":`, x.Function)
	b = obj(e, b, `"actor":`, x.Actor)
	b = obj(e, b, `"onBehalfOf":`, x.OnBehalfOf)
	b = e.unknown(b, x.Unknown)
	return b
}
