package fhir

import (
	"encoding/json"
	"errors"
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
	"Account":            func() Resource { return new(Account) },
	"AllergyIntolerance": func() Resource { return new(AllergyIntolerance) },
	"Bundle":             func() Resource { return new(Bundle) },
	"CareTeam":           func() Resource { return new(CareTeam) },
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

// ErrNotResource is UnmarshalResource's error for JSON that is not an
// object with a resourceType.
var ErrNotResource = errors.New("fhir: not a resource (no resourceType)")

// UnmarshalResource decodes any resource: one of this package's types chosen
// by "resourceType", or a *RawResource for other types.
func UnmarshalResource(data []byte) (Resource, error) {
	r := &reader{data: data}
	if r.peek() == '{' {
		_, err := r.resourceTypeAhead()
		switch {
		case err == nil:
			res, err := r.resource()
			if err == nil {
				err = r.end()
			}
			if err != nil {
				return nil, err
			}
			return res, nil
		case err != errNoType:
			return nil, err
		}
	}
	// JSON, but not an object with a resourceType; or not JSON at all.
	err := r.skip()
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return nil, err
	}
	return nil, ErrNotResource
}

var (
	resourceType = reflect.TypeFor[Resource]()
	membersType  = reflect.TypeFor[Members]()
	numberType   = reflect.TypeFor[json.Number]()
)

// structInfo says how JSON member names map to the fields of a struct type.
type structInfo struct {
	// structInfo elements, as R4 defines them (JSON names in the tags).
	fields   map[string]fieldInfo
	resource bool  // the type is a Resource: "resourceType" is expected
	unknown  []int // the index of its Members field; nil if it has none
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
		case f.Type == membersType:
			si.unknown = index
			continue
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
// to the struct. Member names match exactly (FHIR is case-sensitive).
// Known members are decoded into their fields, Resource fields by their
// resourceType, and everything else is appended to the struct's Unknown
// field. The struct is reset first: decoding replaces it. The whole value
// is read in one pass (jsonread.go, decodevalue.go).
func decodeObject(data []byte, v any) error {
	rv := reflect.ValueOf(v).Elem()
	r := &reader{data: data}
	if null, err := r.null(); null || err != nil {
		if err == nil {
			err = r.end()
		}
		return err
	}
	if r.peek() != '{' {
		return fmt.Errorf("fhir: %s: want a JSON object", rv.Type().Name())
	}
	rv.SetZero()
	if err := r.object(rv); err != nil {
		return err
	}
	return r.end()
}
