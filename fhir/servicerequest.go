package fhir

// ServiceRequest is an order: a lab test, an imaging study, a procedure.
type ServiceRequest struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// ServiceRequest elements (instantiates*, quantity[x], asNeeded[x],
	// insurance and relevantHistory are kept in Unknown).
	Identifier   []Identifier      `json:"identifier,omitempty"`
	BasedOn      []Reference       `json:"basedOn,omitempty"`
	Replaces     []Reference       `json:"replaces,omitempty"`
	Requisition  *Identifier       `json:"requisition,omitempty"`
	Status       string            `json:"status,omitempty"`
	Intent       string            `json:"intent,omitempty"`
	Category     []CodeableConcept `json:"category,omitempty"`
	Priority     string            `json:"priority,omitempty"`
	DoNotPerform *bool             `json:"doNotPerform,omitempty"`
	Code         *CodeableConcept  `json:"code,omitempty"`
	OrderDetail  []CodeableConcept `json:"orderDetail,omitempty"`
	Subject      *Reference        `json:"subject,omitempty"`
	Encounter    *Reference        `json:"encounter,omitempty"`
	// Occurrence choice (occurrenceTiming is kept in Unknown).
	OccurrenceDateTime *string           `json:"occurrenceDateTime,omitempty"`
	OccurrencePeriod   *Period           `json:"occurrencePeriod,omitempty"`
	AuthoredOn         string            `json:"authoredOn,omitempty"`
	Requester          *Reference        `json:"requester,omitempty"`
	PerformerType      *CodeableConcept  `json:"performerType,omitempty"`
	Performer          []Reference       `json:"performer,omitempty"`
	LocationCode       []CodeableConcept `json:"locationCode,omitempty"`
	LocationReference  []Reference       `json:"locationReference,omitempty"`
	ReasonCode         []CodeableConcept `json:"reasonCode,omitempty"`
	ReasonReference    []Reference       `json:"reasonReference,omitempty"`
	SupportingInfo     []Reference       `json:"supportingInfo,omitempty"`
	Specimen           []Reference       `json:"specimen,omitempty"`
	BodySite           []CodeableConcept `json:"bodySite,omitempty"`
	Note               []Annotation      `json:"note,omitempty"`
	PatientInstruction string            `json:"patientInstruction,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "ServiceRequest".
func (*ServiceRequest) ResourceType() string { return "ServiceRequest" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *ServiceRequest) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x ServiceRequest) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *ServiceRequest) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = arr(e, b, `"basedOn":`, x.BasedOn)
	b = arr(e, b, `"replaces":`, x.Replaces)
	b = obj(e, b, `"requisition":`, x.Requisition)
	b = e.str(b, `"status":`, x.Status)
	b = e.str(b, `"intent":`, x.Intent)
	b = arr(e, b, `"category":`, x.Category)
	b = e.str(b, `"priority":`, x.Priority)
	b = e.boolp(b, `"doNotPerform":`, x.DoNotPerform)
	b = obj(e, b, `"code":`, x.Code)
	b = arr(e, b, `"orderDetail":`, x.OrderDetail)
	b = obj(e, b, `"subject":`, x.Subject)
	b = obj(e, b, `"encounter":`, x.Encounter)
	b = e.strp(b, `"occurrenceDateTime":`, x.OccurrenceDateTime)
	b = obj(e, b, `"occurrencePeriod":`, x.OccurrencePeriod)
	b = e.str(b, `"authoredOn":`, x.AuthoredOn)
	b = obj(e, b, `"requester":`, x.Requester)
	b = obj(e, b, `"performerType":`, x.PerformerType)
	b = arr(e, b, `"performer":`, x.Performer)
	b = arr(e, b, `"locationCode":`, x.LocationCode)
	b = arr(e, b, `"locationReference":`, x.LocationReference)
	b = arr(e, b, `"reasonCode":`, x.ReasonCode)
	b = arr(e, b, `"reasonReference":`, x.ReasonReference)
	b = arr(e, b, `"supportingInfo":`, x.SupportingInfo)
	b = arr(e, b, `"specimen":`, x.Specimen)
	b = arr(e, b, `"bodySite":`, x.BodySite)
	b = arr(e, b, `"note":`, x.Note)
	b = e.str(b, `"patientInstruction":`, x.PatientInstruction)
	b = e.unknown(b, x.Unknown)
	return b
}
