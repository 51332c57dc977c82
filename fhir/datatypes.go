package fhir

import "encoding/json"

// Element holds the id and extensions of a primitive value, written as the
// "_name" member next to it (e.g. Patient.BirthDateExt is "_birthDate").
type Element struct {
	// Element elements, as R4 defines them (JSON names in the tags).
	ID        string      `json:"id,omitempty"`
	Extension []Extension `json:"extension,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Element) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x Element) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *Element) encodeFields(e *encoder, b []byte) []byte {
	b = e.str(b, `"id":`, x.ID)
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.unknown(b, x.Unknown)
	return b
}

// Extension is an R4 Extension: a URL and one value (or nested extensions).
// Value types not listed here are kept in Unknown.
type Extension struct {
	// Extension elements, as R4 defines them (JSON names in the tags).
	URL       string      `json:"url,omitempty"`
	Extension []Extension `json:"extension,omitempty"`
	// Value choice: at most one is set.
	ValueBase64Binary    *string          `json:"valueBase64Binary,omitempty"`
	ValueBoolean         *bool            `json:"valueBoolean,omitempty"`
	ValueCanonical       *string          `json:"valueCanonical,omitempty"`
	ValueCode            *string          `json:"valueCode,omitempty"`
	ValueDate            *string          `json:"valueDate,omitempty"`
	ValueDateTime        *string          `json:"valueDateTime,omitempty"`
	ValueDecimal         *json.Number     `json:"valueDecimal,omitempty"`
	ValueID              *string          `json:"valueId,omitempty"`
	ValueInstant         *string          `json:"valueInstant,omitempty"`
	ValueInteger         *int             `json:"valueInteger,omitempty"`
	ValueMarkdown        *string          `json:"valueMarkdown,omitempty"`
	ValueOid             *string          `json:"valueOid,omitempty"`
	ValuePositiveInt     *int             `json:"valuePositiveInt,omitempty"`
	ValueString          *string          `json:"valueString,omitempty"`
	ValueTime            *string          `json:"valueTime,omitempty"`
	ValueUnsignedInt     *int             `json:"valueUnsignedInt,omitempty"`
	ValueURI             *string          `json:"valueUri,omitempty"`
	ValueURL             *string          `json:"valueUrl,omitempty"`
	ValueUUID            *string          `json:"valueUuid,omitempty"`
	ValueAddress         *Address         `json:"valueAddress,omitempty"`
	ValueAge             *Quantity        `json:"valueAge,omitempty"`
	ValueAnnotation      *Annotation      `json:"valueAnnotation,omitempty"`
	ValueAttachment      *Attachment      `json:"valueAttachment,omitempty"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
	ValueCoding          *Coding          `json:"valueCoding,omitempty"`
	ValueContactPoint    *ContactPoint    `json:"valueContactPoint,omitempty"`
	ValueCount           *Quantity        `json:"valueCount,omitempty"`
	ValueDistance        *Quantity        `json:"valueDistance,omitempty"`
	ValueDuration        *Quantity        `json:"valueDuration,omitempty"`
	ValueHumanName       *HumanName       `json:"valueHumanName,omitempty"`
	ValueIdentifier      *Identifier      `json:"valueIdentifier,omitempty"`
	ValuePeriod          *Period          `json:"valuePeriod,omitempty"`
	ValueQuantity        *Quantity        `json:"valueQuantity,omitempty"`
	ValueRange           *Range           `json:"valueRange,omitempty"`
	ValueRatio           *Ratio           `json:"valueRatio,omitempty"`
	ValueReference       *Reference       `json:"valueReference,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Extension) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x Extension) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *Extension) encodeFields(e *encoder, b []byte) []byte {
	b = e.str(b, `"url":`, x.URL)
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.strp(b, `"valueBase64Binary":`, x.ValueBase64Binary)
	b = e.boolp(b, `"valueBoolean":`, x.ValueBoolean)
	b = e.strp(b, `"valueCanonical":`, x.ValueCanonical)
	b = e.strp(b, `"valueCode":`, x.ValueCode)
	b = e.strp(b, `"valueDate":`, x.ValueDate)
	b = e.strp(b, `"valueDateTime":`, x.ValueDateTime)
	b = e.nump(b, `"valueDecimal":`, x.ValueDecimal)
	b = e.strp(b, `"valueId":`, x.ValueID)
	b = e.strp(b, `"valueInstant":`, x.ValueInstant)
	b = e.intp(b, `"valueInteger":`, x.ValueInteger)
	b = e.strp(b, `"valueMarkdown":`, x.ValueMarkdown)
	b = e.strp(b, `"valueOid":`, x.ValueOid)
	b = e.intp(b, `"valuePositiveInt":`, x.ValuePositiveInt)
	b = e.strp(b, `"valueString":`, x.ValueString)
	b = e.strp(b, `"valueTime":`, x.ValueTime)
	b = e.intp(b, `"valueUnsignedInt":`, x.ValueUnsignedInt)
	b = e.strp(b, `"valueUri":`, x.ValueURI)
	b = e.strp(b, `"valueUrl":`, x.ValueURL)
	b = e.strp(b, `"valueUuid":`, x.ValueUUID)
	b = obj(e, b, `"valueAddress":`, x.ValueAddress)
	b = obj(e, b, `"valueAge":`, x.ValueAge)
	b = obj(e, b, `"valueAnnotation":`, x.ValueAnnotation)
	b = obj(e, b, `"valueAttachment":`, x.ValueAttachment)
	b = obj(e, b, `"valueCodeableConcept":`, x.ValueCodeableConcept)
	b = obj(e, b, `"valueCoding":`, x.ValueCoding)
	b = obj(e, b, `"valueContactPoint":`, x.ValueContactPoint)
	b = obj(e, b, `"valueCount":`, x.ValueCount)
	b = obj(e, b, `"valueDistance":`, x.ValueDistance)
	b = obj(e, b, `"valueDuration":`, x.ValueDuration)
	b = obj(e, b, `"valueHumanName":`, x.ValueHumanName)
	b = obj(e, b, `"valueIdentifier":`, x.ValueIdentifier)
	b = obj(e, b, `"valuePeriod":`, x.ValuePeriod)
	b = obj(e, b, `"valueQuantity":`, x.ValueQuantity)
	b = obj(e, b, `"valueRange":`, x.ValueRange)
	b = obj(e, b, `"valueRatio":`, x.ValueRatio)
	b = obj(e, b, `"valueReference":`, x.ValueReference)
	b = e.unknown(b, x.Unknown)
	return b
}

// Coding is a code from a code system.
type Coding struct {
	// Coding elements, as R4 defines them (JSON names in the tags).
	Extension    []Extension `json:"extension,omitempty"`
	System       string      `json:"system,omitempty"`
	Version      string      `json:"version,omitempty"`
	Code         string      `json:"code,omitempty"`
	Display      string      `json:"display,omitempty"`
	UserSelected *bool       `json:"userSelected,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Coding) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x Coding) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *Coding) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"system":`, x.System)
	b = e.str(b, `"version":`, x.Version)
	b = e.str(b, `"code":`, x.Code)
	b = e.str(b, `"display":`, x.Display)
	b = e.boolp(b, `"userSelected":`, x.UserSelected)
	b = e.unknown(b, x.Unknown)
	return b
}

// CodeableConcept is a concept given as codings and/or text.
type CodeableConcept struct {
	// CodeableConcept elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Coding    []Coding    `json:"coding,omitempty"`
	Text      string      `json:"text,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *CodeableConcept) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x CodeableConcept) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *CodeableConcept) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = arr(e, b, `"coding":`, x.Coding)
	b = e.str(b, `"text":`, x.Text)
	b = e.unknown(b, x.Unknown)
	return b
}

// Identifier is a business identifier: a value in a namespace (system).
type Identifier struct {
	// Identifier elements, as R4 defines them (JSON names in the tags).
	Extension []Extension      `json:"extension,omitempty"`
	Use       string           `json:"use,omitempty"`
	Type      *CodeableConcept `json:"type,omitempty"`
	System    string           `json:"system,omitempty"`
	Value     string           `json:"value,omitempty"`
	Period    *Period          `json:"period,omitempty"`
	Assigner  *Reference       `json:"assigner,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Identifier) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x Identifier) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *Identifier) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"use":`, x.Use)
	b = obj(e, b, `"type":`, x.Type)
	b = e.str(b, `"system":`, x.System)
	b = e.str(b, `"value":`, x.Value)
	b = obj(e, b, `"period":`, x.Period)
	b = obj(e, b, `"assigner":`, x.Assigner)
	b = e.unknown(b, x.Unknown)
	return b
}

// HumanName is a person's name.
type HumanName struct {
	// HumanName elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Use       string      `json:"use,omitempty"`
	Text      string      `json:"text,omitempty"`
	Family    string      `json:"family,omitempty"`
	Given     []string    `json:"given,omitempty"`
	Prefix    []string    `json:"prefix,omitempty"`
	Suffix    []string    `json:"suffix,omitempty"`
	Period    *Period     `json:"period,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *HumanName) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x HumanName) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *HumanName) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"use":`, x.Use)
	b = e.str(b, `"text":`, x.Text)
	b = e.str(b, `"family":`, x.Family)
	b = e.strs(b, `"given":`, x.Given)
	b = e.strs(b, `"prefix":`, x.Prefix)
	b = e.strs(b, `"suffix":`, x.Suffix)
	b = obj(e, b, `"period":`, x.Period)
	b = e.unknown(b, x.Unknown)
	return b
}

// Address is a postal or physical address.
type Address struct {
	// Address elements, as R4 defines them (JSON names in the tags).
	Extension  []Extension `json:"extension,omitempty"`
	Use        string      `json:"use,omitempty"`
	Type       string      `json:"type,omitempty"`
	Text       string      `json:"text,omitempty"`
	Line       []string    `json:"line,omitempty"`
	City       string      `json:"city,omitempty"`
	District   string      `json:"district,omitempty"`
	State      string      `json:"state,omitempty"`
	PostalCode string      `json:"postalCode,omitempty"`
	Country    string      `json:"country,omitempty"`
	Period     *Period     `json:"period,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Address) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x Address) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *Address) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"use":`, x.Use)
	b = e.str(b, `"type":`, x.Type)
	b = e.str(b, `"text":`, x.Text)
	b = e.strs(b, `"line":`, x.Line)
	b = e.str(b, `"city":`, x.City)
	b = e.str(b, `"district":`, x.District)
	b = e.str(b, `"state":`, x.State)
	b = e.str(b, `"postalCode":`, x.PostalCode)
	b = e.str(b, `"country":`, x.Country)
	b = obj(e, b, `"period":`, x.Period)
	b = e.unknown(b, x.Unknown)
	return b
}

// ContactPoint is a phone number, e-mail address or other contact detail.
type ContactPoint struct {
	// ContactPoint elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	System    string      `json:"system,omitempty"`
	Value     string      `json:"value,omitempty"`
	Use       string      `json:"use,omitempty"`
	// Rank is a positiveInt: 0 means absent.
	Rank   int     `json:"rank,omitempty"`
	Period *Period `json:"period,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *ContactPoint) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x ContactPoint) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *ContactPoint) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"system":`, x.System)
	b = e.str(b, `"value":`, x.Value)
	b = e.str(b, `"use":`, x.Use)
	b = e.integer(b, `"rank":`, x.Rank)
	b = obj(e, b, `"period":`, x.Period)
	b = e.unknown(b, x.Unknown)
	return b
}

// Quantity is a measured amount (also used for the SimpleQuantity, Age,
// Duration, Count and Distance profiles). Value keeps the decimal's text.
type Quantity struct {
	// Quantity elements, as R4 defines them (JSON names in the tags).
	Extension  []Extension `json:"extension,omitempty"`
	Value      json.Number `json:"value,omitempty"`
	Comparator string      `json:"comparator,omitempty"`
	Unit       string      `json:"unit,omitempty"`
	System     string      `json:"system,omitempty"`
	Code       string      `json:"code,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Quantity) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x Quantity) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *Quantity) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.num(b, `"value":`, x.Value)
	b = e.str(b, `"comparator":`, x.Comparator)
	b = e.str(b, `"unit":`, x.Unit)
	b = e.str(b, `"system":`, x.System)
	b = e.str(b, `"code":`, x.Code)
	b = e.unknown(b, x.Unknown)
	return b
}

// Range is a low and/or high quantity, both inclusive.
type Range struct {
	// Range elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Low       *Quantity   `json:"low,omitempty"`
	High      *Quantity   `json:"high,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Range) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x Range) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *Range) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"low":`, x.Low)
	b = obj(e, b, `"high":`, x.High)
	b = e.unknown(b, x.Unknown)
	return b
}

// Ratio is a numerator and a denominator quantity, e.g. a titre 1:64.
type Ratio struct {
	// Ratio elements, as R4 defines them (JSON names in the tags).
	Extension   []Extension `json:"extension,omitempty"`
	Numerator   *Quantity   `json:"numerator,omitempty"`
	Denominator *Quantity   `json:"denominator,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Ratio) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x Ratio) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *Ratio) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"numerator":`, x.Numerator)
	b = obj(e, b, `"denominator":`, x.Denominator)
	b = e.unknown(b, x.Unknown)
	return b
}

// Period is a time range given by FHIR dateTime start and/or end.
type Period struct {
	// Period elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Start     string      `json:"start,omitempty"`
	End       string      `json:"end,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Period) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x Period) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *Period) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"start":`, x.Start)
	b = e.str(b, `"end":`, x.End)
	b = e.unknown(b, x.Unknown)
	return b
}

// Reference points at another resource, by literal reference (a relative
// URL or the fullUrl of a bundle entry), by identifier, or only by display.
type Reference struct {
	// Reference elements, as R4 defines them (JSON names in the tags).
	Extension  []Extension `json:"extension,omitempty"`
	Reference  string      `json:"reference,omitempty"`
	Type       string      `json:"type,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Reference) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x Reference) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *Reference) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"reference":`, x.Reference)
	b = e.str(b, `"type":`, x.Type)
	b = obj(e, b, `"identifier":`, x.Identifier)
	b = e.str(b, `"display":`, x.Display)
	b = e.unknown(b, x.Unknown)
	return b
}

// Meta is a resource's metadata.
type Meta struct {
	// Meta elements, as R4 defines them (JSON names in the tags).
	Extension   []Extension `json:"extension,omitempty"`
	VersionID   string      `json:"versionId,omitempty"`
	LastUpdated string      `json:"lastUpdated,omitempty"`
	Source      string      `json:"source,omitempty"`
	Profile     []string    `json:"profile,omitempty"`
	Security    []Coding    `json:"security,omitempty"`
	Tag         []Coding    `json:"tag,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Meta) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x Meta) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *Meta) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"versionId":`, x.VersionID)
	b = e.str(b, `"lastUpdated":`, x.LastUpdated)
	b = e.str(b, `"source":`, x.Source)
	b = e.strs(b, `"profile":`, x.Profile)
	b = arr(e, b, `"security":`, x.Security)
	b = arr(e, b, `"tag":`, x.Tag)
	b = e.unknown(b, x.Unknown)
	return b
}

// Narrative is a resource's human-readable XHTML summary.
type Narrative struct {
	// Narrative elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	Status    string      `json:"status,omitempty"`
	Div       string      `json:"div,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Narrative) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x Narrative) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *Narrative) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"status":`, x.Status)
	b = e.str(b, `"div":`, x.Div)
	b = e.unknown(b, x.Unknown)
	return b
}

// Annotation is a note: text with an optional author and time.
type Annotation struct {
	// Annotation elements, as R4 defines them (JSON names in the tags).
	Extension []Extension `json:"extension,omitempty"`
	// Author choice: at most one is set.
	AuthorReference *Reference `json:"authorReference,omitempty"`
	AuthorString    *string    `json:"authorString,omitempty"`
	Time            string     `json:"time,omitempty"`
	Text            string     `json:"text,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Annotation) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x Annotation) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *Annotation) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = obj(e, b, `"authorReference":`, x.AuthorReference)
	b = e.strp(b, `"authorString":`, x.AuthorString)
	b = e.str(b, `"time":`, x.Time)
	b = e.str(b, `"text":`, x.Text)
	b = e.unknown(b, x.Unknown)
	return b
}

// Attachment is content inline (base64 Data) or by URL.
type Attachment struct {
	// Attachment elements, as R4 defines them (JSON names in the tags).
	Extension   []Extension `json:"extension,omitempty"`
	ContentType string      `json:"contentType,omitempty"`
	Language    string      `json:"language,omitempty"`
	Data        string      `json:"data,omitempty"`
	URL         string      `json:"url,omitempty"`
	Size        *int        `json:"size,omitempty"`
	Hash        string      `json:"hash,omitempty"`
	Title       string      `json:"title,omitempty"`
	Creation    string      `json:"creation,omitempty"`
	// Unknown holds members this type does not model.
	Unknown Members `json:"-"`
}

// UnmarshalJSON decodes x, keeping unknown members.
func (x *Attachment) UnmarshalJSON(b []byte) error { return decodeObject(b, x) }

// MarshalJSON encodes x as this package's encoder does.
func (x Attachment) MarshalJSON() ([]byte, error) { return marshalFields(&x) }

func (x *Attachment) encodeFields(e *encoder, b []byte) []byte {
	b = arr(e, b, `"extension":`, x.Extension)
	b = e.str(b, `"contentType":`, x.ContentType)
	b = e.str(b, `"language":`, x.Language)
	b = e.str(b, `"data":`, x.Data)
	b = e.str(b, `"url":`, x.URL)
	b = e.intp(b, `"size":`, x.Size)
	b = e.str(b, `"hash":`, x.Hash)
	b = e.str(b, `"title":`, x.Title)
	b = e.str(b, `"creation":`, x.Creation)
	b = e.unknown(b, x.Unknown)
	return b
}
