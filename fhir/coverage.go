package fhir

// Coverage is insurance or another payment arrangement for a patient's care.
type Coverage struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// Coverage elements.
	Identifier   []Identifier     `json:"identifier,omitempty"`
	Status       string           `json:"status,omitempty"`
	Type         *CodeableConcept `json:"type,omitempty"`
	PolicyHolder *Reference       `json:"policyHolder,omitempty"`
	Subscriber   *Reference       `json:"subscriber,omitempty"`
	SubscriberID string           `json:"subscriberId,omitempty"`
	Beneficiary  *Reference       `json:"beneficiary,omitempty"`
	Dependent    string           `json:"dependent,omitempty"`
	Relationship *CodeableConcept `json:"relationship,omitempty"`
	Period       *Period          `json:"period,omitempty"`
	Payor        []Reference      `json:"payor,omitempty"`
	Class        []CoverageClass  `json:"class,omitempty"`
	// Order is a positiveInt. CostToBeneficiary is kept in Unknown.
	Order       *int        `json:"order,omitempty"`
	Network     string      `json:"network,omitempty"`
	Subrogation *bool       `json:"subrogation,omitempty"`
	Contract    []Reference `json:"contract,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "Coverage".
func (*Coverage) ResourceType() string { return "Coverage" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Coverage) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x Coverage) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *Coverage) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = e.str(b, `"status":`, x.Status)
	b = obj(e, b, `"type":`, x.Type)
	b = obj(e, b, `"policyHolder":`, x.PolicyHolder)
	b = obj(e, b, `"subscriber":`, x.Subscriber)
	b = e.str(b, `"subscriberId":`, x.SubscriberID)
	b = obj(e, b, `"beneficiary":`, x.Beneficiary)
	b = e.str(b, `"dependent":`, x.Dependent)
	b = obj(e, b, `"relationship":`, x.Relationship)
	b = obj(e, b, `"period":`, x.Period)
	b = arr(e, b, `"payor":`, x.Payor)
	b = arr(e, b, `"class":`, x.Class)
	b = e.intp(b, `"order":`, x.Order)
	b = e.str(b, `"network":`, x.Network)
	b = e.boolp(b, `"subrogation":`, x.Subrogation)
	b = arr(e, b, `"contract":`, x.Contract)
	b = e.unknown(b, x.Unknown)
	return b
}

// CoverageClass is a plan, group or other class the coverage belongs to.
type CoverageClass struct {
	// CoverageClass elements, as R4 defines them (JSON names in the tags).
	Extension []Extension      `json:"extension,omitempty"`
	Type      *CodeableConcept `json:"type,omitempty"`
	Value     string           `json:"value,omitempty"`
	Name      string           `json:"name,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *CoverageClass) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x CoverageClass) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *CoverageClass) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"type":`, x.Type)
	b = e.str(b, `"value":`, x.Value)
	b = e.str(b, `"name":`, x.Name)
	b = e.unknown(b, x.Unknown)
	return b
}
