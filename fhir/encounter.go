package fhir

// Encounter is an interaction between a patient and providers: a visit, a
// stay, a telephone consultation.
type Encounter struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// Encounter elements.
	Identifier      []Identifier              `json:"identifier,omitempty"`
	Status          string                    `json:"status,omitempty"`
	StatusHistory   []EncounterStatusHistory  `json:"statusHistory,omitempty"`
	Class           *Coding                   `json:"class,omitempty"`
	ClassHistory    []EncounterClassHistory   `json:"classHistory,omitempty"`
	Type            []CodeableConcept         `json:"type,omitempty"`
	ServiceType     *CodeableConcept          `json:"serviceType,omitempty"`
	Priority        *CodeableConcept          `json:"priority,omitempty"`
	Subject         *Reference                `json:"subject,omitempty"`
	EpisodeOfCare   []Reference               `json:"episodeOfCare,omitempty"`
	BasedOn         []Reference               `json:"basedOn,omitempty"`
	Participant     []EncounterParticipant    `json:"participant,omitempty"`
	Appointment     []Reference               `json:"appointment,omitempty"`
	Period          *Period                   `json:"period,omitempty"`
	Length          *Quantity                 `json:"length,omitempty"`
	ReasonCode      []CodeableConcept         `json:"reasonCode,omitempty"`
	ReasonReference []Reference               `json:"reasonReference,omitempty"`
	Diagnosis       []EncounterDiagnosis      `json:"diagnosis,omitempty"`
	Account         []Reference               `json:"account,omitempty"`
	Hospitalization *EncounterHospitalization `json:"hospitalization,omitempty"`
	Location        []EncounterLocation       `json:"location,omitempty"`
	ServiceProvider *Reference                `json:"serviceProvider,omitempty"`
	PartOf          *Reference                `json:"partOf,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "Encounter".
func (*Encounter) ResourceType() string { return "Encounter" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Encounter) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x Encounter) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *Encounter) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = e.str(b, `"status":`, x.Status)
	b = arr(e, b, `"statusHistory":`, x.StatusHistory)
	b = obj(e, b, `"class":`, x.Class)
	b = arr(e, b, `"classHistory":`, x.ClassHistory)
	b = arr(e, b, `"type":`, x.Type)
	b = obj(e, b, `"serviceType":`, x.ServiceType)
	b = obj(e, b, `"priority":`, x.Priority)
	b = obj(e, b, `"subject":`, x.Subject)
	b = arr(e, b, `"episodeOfCare":`, x.EpisodeOfCare)
	b = arr(e, b, `"basedOn":`, x.BasedOn)
	b = arr(e, b, `"participant":`, x.Participant)
	b = arr(e, b, `"appointment":`, x.Appointment)
	b = obj(e, b, `"period":`, x.Period)
	b = obj(e, b, `"length":`, x.Length)
	b = arr(e, b, `"reasonCode":`, x.ReasonCode)
	b = arr(e, b, `"reasonReference":`, x.ReasonReference)
	b = arr(e, b, `"diagnosis":`, x.Diagnosis)
	b = arr(e, b, `"account":`, x.Account)
	b = obj(e, b, `"hospitalization":`, x.Hospitalization)
	b = arr(e, b, `"location":`, x.Location)
	b = obj(e, b, `"serviceProvider":`, x.ServiceProvider)
	b = obj(e, b, `"partOf":`, x.PartOf)
	b = e.unknown(b, x.Unknown)
	return b
}

// EncounterStatusHistory is a past status of an encounter.
type EncounterStatusHistory struct {
	// EncounterStatusHistory elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Status    string      `json:"status,omitempty"`
	Period    *Period     `json:"period,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *EncounterStatusHistory) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x EncounterStatusHistory) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *EncounterStatusHistory) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"status":`, x.Status)
	b = obj(e, b, `"period":`, x.Period)
	b = e.unknown(b, x.Unknown)
	return b
}

// EncounterClassHistory is a past class of an encounter.
type EncounterClassHistory struct {
	// EncounterClassHistory elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Class     *Coding     `json:"class,omitempty"`
	Period    *Period     `json:"period,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *EncounterClassHistory) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x EncounterClassHistory) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *EncounterClassHistory) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"class":`, x.Class)
	b = obj(e, b, `"period":`, x.Period)
	b = e.unknown(b, x.Unknown)
	return b
}

// EncounterParticipant is a person involved in an encounter, and how.
type EncounterParticipant struct {
	// EncounterParticipant elements, as R4 defines them (JSON names in the tags).
	Extension  []Extension       `json:"extension,omitempty"`
	Type       []CodeableConcept `json:"type,omitempty"`
	Period     *Period           `json:"period,omitempty"`
	Individual *Reference        `json:"individual,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *EncounterParticipant) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x EncounterParticipant) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *EncounterParticipant) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = arr(e, b, `"type":`, x.Type)
	b = obj(e, b, `"period":`, x.Period)
	b = obj(e, b, `"individual":`, x.Individual)
	b = e.unknown(b, x.Unknown)
	return b
}

// EncounterDiagnosis is a condition relevant to an encounter.
type EncounterDiagnosis struct {
	// EncounterDiagnosis elements, as R4 defines them (JSON names in the tags).
	Extension []Extension      `json:"extension,omitempty"`
	Condition *Reference       `json:"condition,omitempty"`
	Use       *CodeableConcept `json:"use,omitempty"`
	// Rank is a positiveInt: 0 means absent.
	Rank int `json:"rank,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *EncounterDiagnosis) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x EncounterDiagnosis) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *EncounterDiagnosis) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"condition":`, x.Condition)
	b = obj(e, b, `"use":`, x.Use)
	b = e.integer(b, `"rank":`, x.Rank)
	b = e.unknown(b, x.Unknown)
	return b
}

// EncounterHospitalization holds admission and discharge details.
type EncounterHospitalization struct {
	// EncounterHospitalization elements, as R4 defines them (JSON names in the tags).
	Extension              []Extension       `json:"extension,omitempty"`
	PreAdmissionIdentifier *Identifier       `json:"preAdmissionIdentifier,omitempty"`
	Origin                 *Reference        `json:"origin,omitempty"`
	AdmitSource            *CodeableConcept  `json:"admitSource,omitempty"`
	ReAdmission            *CodeableConcept  `json:"reAdmission,omitempty"`
	DietPreference         []CodeableConcept `json:"dietPreference,omitempty"`
	SpecialCourtesy        []CodeableConcept `json:"specialCourtesy,omitempty"`
	SpecialArrangement     []CodeableConcept `json:"specialArrangement,omitempty"`
	Destination            *Reference        `json:"destination,omitempty"`
	DischargeDisposition   *CodeableConcept  `json:"dischargeDisposition,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *EncounterHospitalization) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x EncounterHospitalization) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *EncounterHospitalization) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"preAdmissionIdentifier":`, x.PreAdmissionIdentifier)
	b = obj(e, b, `"origin":`, x.Origin)
	b = obj(e, b, `"admitSource":`, x.AdmitSource)
	b = obj(e, b, `"reAdmission":`, x.ReAdmission)
	b = arr(e, b, `"dietPreference":`, x.DietPreference)
	b = arr(e, b, `"specialCourtesy":`, x.SpecialCourtesy)
	b = arr(e, b, `"specialArrangement":`, x.SpecialArrangement)
	b = obj(e, b, `"destination":`, x.Destination)
	b = obj(e, b, `"dischargeDisposition":`, x.DischargeDisposition)
	b = e.unknown(b, x.Unknown)
	return b
}

// EncounterLocation is a location the patient was (or will be) at.
type EncounterLocation struct {
	// EncounterLocation elements, as R4 defines them (JSON names in the tags).
	Extension    []Extension      `json:"extension,omitempty"`
	Location     *Reference       `json:"location,omitempty"`
	Status       string           `json:"status,omitempty"`
	PhysicalType *CodeableConcept `json:"physicalType,omitempty"`
	Period       *Period          `json:"period,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *EncounterLocation) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x EncounterLocation) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *EncounterLocation) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"location":`, x.Location)
	b = e.str(b, `"status":`, x.Status)
	b = obj(e, b, `"physicalType":`, x.PhysicalType)
	b = obj(e, b, `"period":`, x.Period)
	b = e.unknown(b, x.Unknown)
	return b
}
