package fhir

import "encoding/json"

// Location is a physical place: a site, building, ward, room or bed.
type Location struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// Location elements (hoursOfOperation is kept in Unknown).
	Identifier             []Identifier      `json:"identifier,omitempty"`
	Status                 string            `json:"status,omitempty"`
	OperationalStatus      *Coding           `json:"operationalStatus,omitempty"`
	Name                   string            `json:"name,omitempty"`
	Alias                  []string          `json:"alias,omitempty"`
	Description            string            `json:"description,omitempty"`
	Mode                   string            `json:"mode,omitempty"`
	Type                   []CodeableConcept `json:"type,omitempty"`
	Telecom                []ContactPoint    `json:"telecom,omitempty"`
	Address                *Address          `json:"address,omitempty"`
	PhysicalType           *CodeableConcept  `json:"physicalType,omitempty"`
	Position               *LocationPosition `json:"position,omitempty"`
	ManagingOrganization   *Reference        `json:"managingOrganization,omitempty"`
	PartOf                 *Reference        `json:"partOf,omitempty"`
	AvailabilityExceptions string            `json:"availabilityExceptions,omitempty"`
	Endpoint               []Reference       `json:"endpoint,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "Location".
func (*Location) ResourceType() string { return "Location" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Location) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x Location) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *Location) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = arr(e, b, `"identifier":`, x.Identifier)
	b = e.str(b, `"status":`, x.Status)
	b = obj(e, b, `"operationalStatus":`, x.OperationalStatus)
	b = e.str(b, `"name":`, x.Name)
	b = e.strs(b, `"alias":`, x.Alias)
	b = e.str(b, `"description":`, x.Description)
	b = e.str(b, `"mode":`, x.Mode)
	b = arr(e, b, `"type":`, x.Type)
	b = arr(e, b, `"telecom":`, x.Telecom)
	b = obj(e, b, `"address":`, x.Address)
	b = obj(e, b, `"physicalType":`, x.PhysicalType)
	b = obj(e, b, `"position":`, x.Position)
	b = obj(e, b, `"managingOrganization":`, x.ManagingOrganization)
	b = obj(e, b, `"partOf":`, x.PartOf)
	b = e.str(b, `"availabilityExceptions":`, x.AvailabilityExceptions)
	b = arr(e, b, `"endpoint":`, x.Endpoint)
	b = e.unknown(b, x.Unknown)
	return b
}

// LocationPosition is a WGS84 position.
type LocationPosition struct {
	// LocationPosition elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Longitude json.Number `json:"longitude,omitempty"`
	Latitude  json.Number `json:"latitude,omitempty"`
	Altitude  json.Number `json:"altitude,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *LocationPosition) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x LocationPosition) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *LocationPosition) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.num(b, `"longitude":`, x.Longitude)
	b = e.num(b, `"latitude":`, x.Latitude)
	b = e.num(b, `"altitude":`, x.Altitude)
	b = e.unknown(b, x.Unknown)
	return b
}
