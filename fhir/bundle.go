package fhir

import "encoding/json"

// Bundle is a container of resources: a transaction, a message, a search
// result, ...
type Bundle struct {
	// Bundle elements, as R4 defines them (JSON names in the tags).
	ID            string        `json:"id,omitempty"`
	Meta          *Meta         `json:"meta,omitempty"`
	ImplicitRules string        `json:"implicitRules,omitempty"`
	Language      string        `json:"language,omitempty"`
	Identifier    *Identifier   `json:"identifier,omitempty"`
	Type          string        `json:"type,omitempty"`
	Timestamp     string        `json:"timestamp,omitempty"`
	Total         *int          `json:"total,omitempty"`
	Link          []BundleLink  `json:"link,omitempty"`
	Entry         []BundleEntry `json:"entry,omitempty"`
	// Unknown holds members this type does not model (signature, ...).
	Unknown Members `json:"-"`
}

// ResourceType returns "Bundle".
func (*Bundle) ResourceType() string { return "Bundle" }

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Bundle) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as Marshal does.
func (x Bundle) MarshalJSON() ([]byte, error) { return Marshal(&x) }

func (x *Bundle) encodeFields(e *encoder, b []byte) []byte {
	b = e.str(b, `"id":`, x.ID)
	b = obj(e, b, `"meta":`, x.Meta)
	b = e.str(b, `"implicitRules":`, x.ImplicitRules)
	b = e.str(b, `"language":`, x.Language)
	b = obj(e, b, `"identifier":`, x.Identifier)
	b = e.str(b, `"type":`, x.Type)
	b = e.str(b, `"timestamp":`, x.Timestamp)
	b = e.intp(b, `"total":`, x.Total)
	b = arr(e, b, `"link":`, x.Link)
	b = arr(e, b, `"entry":`, x.Entry)
	b = e.unknown(b, x.Unknown)
	return b
}

// BundleLink is a link (self, next, ...) of a bundle or entry.
type BundleLink struct {
	// BundleLink elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Relation  string      `json:"relation,omitempty"`
	URL       string      `json:"url,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *BundleLink) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x BundleLink) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *BundleLink) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"relation":`, x.Relation)
	b = e.str(b, `"url":`, x.URL)
	b = e.unknown(b, x.Unknown)
	return b
}

// BundleEntry is one entry of a bundle: a resource with its fullUrl and,
// depending on the bundle type, a request, response or search detail.
type BundleEntry struct {
	// BundleEntry elements, as R4 defines them (JSON names in the tags).
	Extension []Extension          `json:"extension,omitempty"`
	Link      []BundleLink         `json:"link,omitempty"`
	FullURL   string               `json:"fullUrl,omitempty"`
	Resource  Resource             `json:"resource,omitempty"`
	Search    *BundleEntrySearch   `json:"search,omitempty"`
	Request   *BundleEntryRequest  `json:"request,omitempty"`
	Response  *BundleEntryResponse `json:"response,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *BundleEntry) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x BundleEntry) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *BundleEntry) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = arr(e, b, `"link":`, x.Link)
	b = e.str(b, `"fullUrl":`, x.FullURL)
	b = e.resource(b, `"resource":`, x.Resource)
	b = obj(e, b, `"search":`, x.Search)
	b = obj(e, b, `"request":`, x.Request)
	b = obj(e, b, `"response":`, x.Response)
	b = e.unknown(b, x.Unknown)
	return b
}

// BundleEntrySearch says why an entry is in a search result.
type BundleEntrySearch struct {
	// BundleEntrySearch elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Mode      string      `json:"mode,omitempty"`
	Score     json.Number `json:"score,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *BundleEntrySearch) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x BundleEntrySearch) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *BundleEntrySearch) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"mode":`, x.Mode)
	b = e.num(b, `"score":`, x.Score)
	b = e.unknown(b, x.Unknown)
	return b
}

// BundleEntryRequest is the HTTP request a transaction or batch entry makes.
type BundleEntryRequest struct {
	// BundleEntryRequest elements, as R4 defines them (JSON names in the tags).
	Extension       []Extension `json:"extension,omitempty"`
	Method          string      `json:"method,omitempty"`
	URL             string      `json:"url,omitempty"`
	IfNoneMatch     string      `json:"ifNoneMatch,omitempty"`
	IfModifiedSince string      `json:"ifModifiedSince,omitempty"`
	IfMatch         string      `json:"ifMatch,omitempty"`
	IfNoneExist     string      `json:"ifNoneExist,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *BundleEntryRequest) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x BundleEntryRequest) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *BundleEntryRequest) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"method":`, x.Method)
	b = e.str(b, `"url":`, x.URL)
	b = e.str(b, `"ifNoneMatch":`, x.IfNoneMatch)
	b = e.str(b, `"ifModifiedSince":`, x.IfModifiedSince)
	b = e.str(b, `"ifMatch":`, x.IfMatch)
	b = e.str(b, `"ifNoneExist":`, x.IfNoneExist)
	b = e.unknown(b, x.Unknown)
	return b
}

// BundleEntryResponse is the outcome of a transaction or batch entry.
type BundleEntryResponse struct {
	// BundleEntryResponse elements, as R4 defines them (JSON names in the tags).
	Extension    []Extension `json:"extension,omitempty"`
	Status       string      `json:"status,omitempty"`
	Location     string      `json:"location,omitempty"`
	Etag         string      `json:"etag,omitempty"`
	LastModified string      `json:"lastModified,omitempty"`
	Outcome      Resource    `json:"outcome,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *BundleEntryResponse) UnmarshalJSON(b []byte) error {
	return decodeObject(b, x)
}

// MarshalJSON encodes x as this package's encoder does.
func (x BundleEntryResponse) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *BundleEntryResponse) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"status":`, x.Status)
	b = e.str(b, `"location":`, x.Location)
	b = e.str(b, `"etag":`, x.Etag)
	b = e.str(b, `"lastModified":`, x.LastModified)
	b = e.resource(b, `"outcome":`, x.Outcome)
	b = e.unknown(b, x.Unknown)
	return b
}
