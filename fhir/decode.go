package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// Members are the members of a JSON object that its Go type does not model,
// in input order, each value as compact raw JSON. UnmarshalJSON fills them and
// the encoder writes them back after the known members, so a resource read
// from a server and written again keeps everything it had.
type Members []Member

// Member is one JSON object member: its name and its raw value.
type Member struct {
	// Name is the member name, Value its raw JSON.
	Name  string
	Value json.RawMessage
}

// Get returns the raw value of the member called name, or nil.
func (m Members) Get(name string) json.RawMessage {
	for _, x := range m {
		if x.Name == name {
			return x.Value
		}
	}
	return nil
}

// Resource is a FHIR resource: one of this package's resource types, or a
// *RawResource for the types it does not model.
type Resource interface {
	// ResourceType returns the FHIR type name, e.g. "Patient".
	ResourceType() string
}

// RawResource is a resource of a type this package does not model, kept as
// its JSON so that it survives a decode and encode unchanged.
type RawResource struct {
	// Type is the resource's "resourceType".
	Type string
	// JSON is the whole resource object, compact.
	JSON json.RawMessage
}

// ResourceType returns r.Type.
func (r *RawResource) ResourceType() string { return r.Type }

// MarshalJSON returns r.JSON.
func (r *RawResource) MarshalJSON() ([]byte, error) {
	if len(r.JSON) == 0 {
		return []byte("null"), nil
	}
	return r.JSON, nil
}

// registry makes the resource types this package models, by name.
var registry = map[string]func() Resource{
	"AllergyIntolerance": func() Resource { return new(AllergyIntolerance) },
	"Bundle":             func() Resource { return new(Bundle) },
	"Condition":          func() Resource { return new(Condition) },
	"Coverage":           func() Resource { return new(Coverage) },
	"Device":             func() Resource { return new(Device) },
	"DiagnosticReport":   func() Resource { return new(DiagnosticReport) },
	"DocumentReference":  func() Resource { return new(DocumentReference) },
	"Encounter":          func() Resource { return new(Encounter) },
	"Location":           func() Resource { return new(Location) },
	"MessageHeader":      func() Resource { return new(MessageHeader) },
	"Observation":        func() Resource { return new(Observation) },
	"Organization":       func() Resource { return new(Organization) },
	"Patient":            func() Resource { return new(Patient) },
	"Practitioner":       func() Resource { return new(Practitioner) },
	"PractitionerRole":   func() Resource { return new(PractitionerRole) },
	"Procedure":          func() Resource { return new(Procedure) },
	"Provenance":         func() Resource { return new(Provenance) },
	"RelatedPerson":      func() Resource { return new(RelatedPerson) },
	"ServiceRequest":     func() Resource { return new(ServiceRequest) },
	"Specimen":           func() Resource { return new(Specimen) },
}

// UnmarshalResource decodes any resource: one of this package's types chosen
// by "resourceType", or a *RawResource for other types.
func UnmarshalResource(data []byte) (Resource, error) {
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("fhir: resource: %w", err)
	}
	if head.ResourceType == "" {
		return nil, fmt.Errorf("fhir: resource without resourceType")
	}
	if mk, ok := registry[head.ResourceType]; ok {
		r := mk()
		if err := json.Unmarshal(data, r); err != nil {
			return nil, err
		}
		return r, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return nil, fmt.Errorf("fhir: %s: %w", head.ResourceType, err)
	}
	return &RawResource{Type: head.ResourceType, JSON: buf.Bytes()}, nil
}

var resourceType = reflect.TypeFor[Resource]()

// structInfo says how JSON member names map to the fields of a struct type.
type structInfo struct {
	// structInfo elements, as R4 defines them (JSON names in the tags).
	fields   map[string]fieldInfo
	resource bool // the type is a Resource: "resourceType" is expected
}

type fieldInfo struct {
	// fieldInfo elements, as R4 defines them (JSON names in the tags).
	index    []int
	resource bool // the field holds a Resource (decoded by its resourceType)
}

var structInfos sync.Map // reflect.Type → *structInfo

func infoFor(t reflect.Type) *structInfo {
	if v, ok := structInfos.Load(t); ok {
		return v.(*structInfo)
	}
	si := &structInfo{
		fields:   map[string]fieldInfo{},
		resource: reflect.PointerTo(t).Implements(resourceType),
	}
	addFields(si, t, nil)
	v, _ := structInfos.LoadOrStore(t, si)
	return v.(*structInfo)
}

func addFields(si *structInfo, t reflect.Type, prefix []int) {
	for i := range t.NumField() {
		f := t.Field(i)
		index := append(append([]int(nil), prefix...), i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case tag == "-" || !f.IsExported() && !f.Anonymous:
			continue
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			addFields(si, f.Type, index)
			continue
		case name == "":
			name = f.Name
		}
		si.fields[name] = fieldInfo{index: index, resource: f.Type == resourceType}
	}
}

// decodeObject is UnmarshalJSON for every struct of this package: v points
// to the struct, unknown to its Unknown field. Member names match exactly
// (FHIR is case-sensitive). Known members are decoded by encoding/json into
// their fields; Resource fields by their resourceType; everything else is
// appended to *unknown. The struct is reset first: decoding replaces it.
func decodeObject(data []byte, v any, unknown *Members) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nil
	}
	rv := reflect.ValueOf(v).Elem()
	rv.SetZero()
	si := infoFor(rv.Type())
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("fhir: %s: want a JSON object", rv.Type().Name())
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		f, known := si.fields[name]
		switch {
		case known && !f.resource:
			if err := dec.Decode(rv.FieldByIndex(f.index).Addr().Interface()); err != nil {
				return fmt.Errorf("fhir: %s.%s: %w", rv.Type().Name(), name, err)
			}
			continue
		case name == "resourceType" && si.resource:
			var typ string
			if err := dec.Decode(&typ); err != nil {
				return err
			}
			if want := rv.Addr().Interface().(Resource).ResourceType(); typ != want {
				return fmt.Errorf("fhir: resourceType %q where %q was expected", typ, want)
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if known { // a Resource field
			if string(bytes.TrimSpace(raw)) == "null" {
				continue
			}
			r, err := UnmarshalResource(raw)
			if err != nil {
				return fmt.Errorf("fhir: %s.%s: %w", rv.Type().Name(), name, err)
			}
			rv.FieldByIndex(f.index).Set(reflect.ValueOf(r))
			continue
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return err
		}
		*unknown = append(*unknown, Member{Name: name, Value: buf.Bytes()})
	}
	_, err := dec.Token()
	return err
}
