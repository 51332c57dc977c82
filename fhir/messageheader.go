package fhir

// MessageHeader is the first resource of a message bundle: what event it
// reports, from whom, to whom, and which resources it is about.
type MessageHeader struct {
	// Resource and DomainResource elements.
	ID                string      `json:"id,omitempty"`
	Meta              *Meta       `json:"meta,omitempty"`
	ImplicitRules     string      `json:"implicitRules,omitempty"`
	Language          string      `json:"language,omitempty"`
	Text              *Narrative  `json:"text,omitempty"`
	Extension         []Extension `json:"extension,omitempty"`
	ModifierExtension []Extension `json:"modifierExtension,omitempty"`

	// MessageHeader elements (response is kept in Unknown).
	// Event choice: at most one is set.
	EventCoding *Coding                    `json:"eventCoding,omitempty"`
	EventURI    *string                    `json:"eventUri,omitempty"`
	Destination []MessageHeaderDestination `json:"destination,omitempty"`
	Sender      *Reference                 `json:"sender,omitempty"`
	Enterer     *Reference                 `json:"enterer,omitempty"`
	Author      *Reference                 `json:"author,omitempty"`
	Source      *MessageHeaderSource       `json:"source,omitempty"`
	Responsible *Reference                 `json:"responsible,omitempty"`
	Reason      *CodeableConcept           `json:"reason,omitempty"`
	Focus       []Reference                `json:"focus,omitempty"`
	Definition  string                     `json:"definition,omitempty"`

	// Unknown holds members this type does not model (contained, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "MessageHeader".
func (*MessageHeader) ResourceType() string { return "MessageHeader" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *MessageHeader) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x MessageHeader) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *MessageHeader) encodeFields(e *encoder, b []byte) []byte {
	b = e.domainResource(b, x.ID, x.Meta, x.ImplicitRules, x.Language, x.Text, x.Extension, x.ModifierExtension)
	b = obj(e, b, `"eventCoding":`, x.EventCoding)
	b = e.strp(b, `"eventUri":`, x.EventURI)
	b = arr(e, b, `"destination":`, x.Destination)
	b = obj(e, b, `"sender":`, x.Sender)
	b = obj(e, b, `"enterer":`, x.Enterer)
	b = obj(e, b, `"author":`, x.Author)
	b = obj(e, b, `"source":`, x.Source)
	b = obj(e, b, `"responsible":`, x.Responsible)
	b = obj(e, b, `"reason":`, x.Reason)
	b = arr(e, b, `"focus":`, x.Focus)
	b = e.str(b, `"definition":`, x.Definition)
	b = e.unknown(b, x.Unknown)
	return b
}

// MessageHeaderDestination is a receiver of a message.
type MessageHeaderDestination struct {
	// MessageHeaderDestination elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Name      string      `json:"name,omitempty"`
	Target    *Reference  `json:"target,omitempty"`
	Endpoint  string      `json:"endpoint,omitempty"`
	// EndpointExt carries extensions on endpoint (data-absent-reason).
	EndpointExt *Element   `json:"_endpoint,omitempty"`
	Receiver    *Reference `json:"receiver,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *MessageHeaderDestination) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x MessageHeaderDestination) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *MessageHeaderDestination) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"name":`, x.Name)
	b = obj(e, b, `"target":`, x.Target)
	b = e.str(b, `"endpoint":`, x.Endpoint)
	b = obj(e, b, `"_endpoint":`, x.EndpointExt)
	b = obj(e, b, `"receiver":`, x.Receiver)
	b = e.unknown(b, x.Unknown)
	return b
}

// MessageHeaderSource is the sender of a message.
type MessageHeaderSource struct {
	// MessageHeaderSource elements, as R4 defines them (JSON names in the tags).
	Extension []Extension   `json:"extension,omitempty"`
	Name      string        `json:"name,omitempty"`
	Software  string        `json:"software,omitempty"`
	Version   string        `json:"version,omitempty"`
	Contact   *ContactPoint `json:"contact,omitempty"`
	Endpoint  string        `json:"endpoint,omitempty"`
	// EndpointExt carries extensions on endpoint (data-absent-reason).
	EndpointExt *Element `json:"_endpoint,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *MessageHeaderSource) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x MessageHeaderSource) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *MessageHeaderSource) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"name":`, x.Name)
	b = e.str(b, `"software":`, x.Software)
	b = e.str(b, `"version":`, x.Version)
	b = obj(e, b, `"contact":`, x.Contact)
	b = e.str(b, `"endpoint":`, x.Endpoint)
	b = obj(e, b, `"_endpoint":`, x.EndpointExt)
	b = e.unknown(b, x.Unknown)
	return b
}
