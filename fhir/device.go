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

	// Device elements (definition, statusReason, partNumber,
	// specialization, property, owner, contact, location, url, safety and
	// parent are kept in Unknown).
	Identifier         []Identifier       `json:"identifier,omitempty"`
	UdiCarrier         []DeviceUdiCarrier `json:"udiCarrier,omitempty"`
	Status             string             `json:"status,omitempty"`
	DistinctIdentifier string             `json:"distinctIdentifier,omitempty"`
	Manufacturer       string             `json:"manufacturer,omitempty"`
	ManufactureDate    string             `json:"manufactureDate,omitempty"`
	ExpirationDate     string             `json:"expirationDate,omitempty"`
	LotNumber          string             `json:"lotNumber,omitempty"`
	SerialNumber       string             `json:"serialNumber,omitempty"`
	DeviceName         []DeviceName       `json:"deviceName,omitempty"`
	ModelNumber        string             `json:"modelNumber,omitempty"`
	Type               *CodeableConcept   `json:"type,omitempty"`
	Version            []DeviceVersion    `json:"version,omitempty"`
	Patient            *Reference         `json:"patient,omitempty"`
	Note               []Annotation       `json:"note,omitempty"`

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
	b = arr(e, b, `"deviceName":`, x.DeviceName)
	b = e.str(b, `"modelNumber":`, x.ModelNumber)
	b = obj(e, b, `"type":`, x.Type)
	b = arr(e, b, `"version":`, x.Version)
	b = obj(e, b, `"patient":`, x.Patient)
	b = arr(e, b, `"note":`, x.Note)
	b = e.unknown(b, x.Unknown)
	return b
}

// DeviceName is a name of a device and what kind of name it is.
type DeviceName struct {
	// DeviceName elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Name      string      `json:"name,omitempty"`
	Type      string      `json:"type,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *DeviceName) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x DeviceName) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *DeviceName) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"name":`, x.Name)
	b = e.str(b, `"type":`, x.Type)
	b = e.unknown(b, x.Unknown)
	return b
}

// DeviceVersion is a version of a device, e.g. its software's.
type DeviceVersion struct {
	// DeviceVersion elements, as R4 defines them (JSON names in the tags).
	Extension []Extension      `json:"extension,omitempty"`
	Type      *CodeableConcept `json:"type,omitempty"`
	Component *Identifier      `json:"component,omitempty"`
	Value     string           `json:"value,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *DeviceVersion) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x DeviceVersion) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *DeviceVersion) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"type":`, x.Type)
	b = obj(e, b, `"component":`, x.Component)
	b = e.str(b, `"value":`, x.Value)
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
