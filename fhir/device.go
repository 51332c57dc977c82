package fhir

// Device is an instrument or implant: the analyser that produced a result,
// the monitor that took a vital sign.
type Device struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// Device elements (definition, statusReason, deviceName, modelNumber,
	// partNumber, specialization, version, property, owner, contact,
	// location, url, note, safety and parent are kept in Unknown).
	Identifier         []Identifier       `json:"identifier,omitempty"`
	UdiCarrier         []DeviceUdiCarrier `json:"udiCarrier,omitempty"`
	Status             string             `json:"status,omitempty"`
	DistinctIdentifier string             `json:"distinctIdentifier,omitempty"`
	Manufacturer       string             `json:"manufacturer,omitempty"`
	ManufactureDate    string             `json:"manufactureDate,omitempty"`
	ExpirationDate     string             `json:"expirationDate,omitempty"`
	LotNumber          string             `json:"lotNumber,omitempty"`
	SerialNumber       string             `json:"serialNumber,omitempty"`
	Type               *CodeableConcept   `json:"type,omitempty"`
	Patient            *Reference         `json:"patient,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "Device".
func (*Device) ResourceType() string { return "Device" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Device) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x Device) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *Device) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = arr(e, b, `"udiCarrier":`, x.UdiCarrier)
	b = e.str(b, `"status":`, x.Status)
	b = e.str(b, `"distinctIdentifier":`, x.DistinctIdentifier)
	b = e.str(b, `"manufacturer":`, x.Manufacturer)
	b = e.str(b, `"manufactureDate":`, x.ManufactureDate)
	b = e.str(b, `"expirationDate":`, x.ExpirationDate)
	b = e.str(b, `"lotNumber":`, x.LotNumber)
	b = e.str(b, `"serialNumber":`, x.SerialNumber)
	b = obj(e, b, `"type":`, x.Type)
	b = obj(e, b, `"patient":`, x.Patient)
	b = e.unknown(b, x.Unknown)
	return b
}

// DeviceUdiCarrier is a device's Unique Device Identifier as printed on
// its label (carrierHRF, carrierAIDC and entryType are kept in Unknown).
type DeviceUdiCarrier struct {
	// DeviceUdiCarrier elements, as R4 defines them (JSON names in the tags).
	Extension        []Extension `json:"extension,omitempty"`
	DeviceIdentifier string      `json:"deviceIdentifier,omitempty"`
	Issuer           string      `json:"issuer,omitempty"`
	Jurisdiction     string      `json:"jurisdiction,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *DeviceUdiCarrier) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x DeviceUdiCarrier) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *DeviceUdiCarrier) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"deviceIdentifier":`, x.DeviceIdentifier)
	b = e.str(b, `"issuer":`, x.Issuer)
	b = e.str(b, `"jurisdiction":`, x.Jurisdiction)
	b = e.unknown(b, x.Unknown)
	return b
}
