package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// filler sets every exported field of a value to something non-empty, so
// that a round trip through Marshal and json.Unmarshal shows any field the
// encoder forgets, misnames or mangles.
type filler struct {
	n int
}

var fillStrings = []string{
	"plain", `q"uote\`, "<0.10 & >5", "line\nbreak\ttab", "é 你好 😀", "\u2028", "ctl\x01",
}

var fillNumbers = []json.Number{"1.40", "0", "-0.001", "1e3", "100", "12345678901234567890.000001"}

func (f *filler) fill(v reflect.Value, depth int) {
	f.n++
	switch v.Type() {
	case reflect.TypeFor[json.Number]():
		v.SetString(string(fillNumbers[f.n%len(fillNumbers)]))
		return
	case reflect.TypeFor[Members]():
		v.Set(reflect.ValueOf(Members{{Name: fmt.Sprintf("zzUnknown%d", f.n), Value: json.RawMessage(`{"a":[1,"x",null],"b":1.50}`)}}))
		return
	case resourceType:
		if depth > 3 {
			return
		}
		var r Resource
		if f.n%2 == 0 {
			r = &RawResource{Type: "Basic", JSON: json.RawMessage(`{"resourceType":"Basic","id":"c1","code":{"text":"x"}}`)}
		} else {
			p := new(Patient)
			f.fill(reflect.ValueOf(p).Elem(), depth+1)
			r = p
		}
		v.Set(reflect.ValueOf(r))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("%s-%d", fillStrings[f.n%len(fillStrings)], f.n))
	case reflect.Bool:
		v.SetBool(f.n%2 == 0)
	case reflect.Int:
		v.SetInt(int64(f.n))
	case reflect.Pointer:
		if depth > 2 || depth > 1 && v.Type().Elem() == reflect.TypeFor[Extension]() {
			return
		}
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		if depth > 2 || depth > 1 && v.Type().Elem() == reflect.TypeFor[Extension]() {
			return
		}
		n := 1
		if depth == 0 {
			n = 2
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			f.fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i), depth)
			}
		}
	default:
		panic("fill: unhandled kind " + v.Kind().String())
	}
}

func allResources() []Resource {
	var out []Resource
	for _, mk := range registry {
		out = append(out, mk())
	}
	return out
}

func TestRoundTrip_EveryFieldOfEveryResource(t *testing.T) {
	for _, r := range allResources() {
		t.Run(r.ResourceType(), func(t *testing.T) {
			for seed := range 3 {
				f := &filler{n: seed}
				f.fill(reflect.ValueOf(r).Elem(), 0)
				b, err := Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				back, err := UnmarshalResource(b)
				if err != nil {
					t.Fatalf("decode: %v\n%s", err, b)
				}
				// reflect.DeepEqual is the fast check; cmp explains a failure.
				if !reflect.DeepEqual(r, back) {
					t.Fatalf("round trip changed the value (-want +got):\n%s", cmp.Diff(r, back))
				}
				again, err := Marshal(back)
				if err != nil || !bytes.Equal(b, again) {
					t.Fatalf("second encoding differs: %v", err)
				}
			}
		})
	}
}

// TestEveryType_HasTheMechanism walks every struct reachable from the
// resources and checks each has the three pieces doc.go lists.
func TestEveryType_HasTheMechanism(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || typ.PkgPath() != reflect.TypeFor[Patient]().PkgPath() {
			return
		}
		seen[typ] = true
		if typ == reflect.TypeFor[Member]() {
			return
		}
		if typ == reflect.TypeFor[ObservationValue]() { // embedded, encoded by its owners
			for i := range typ.NumField() {
				walk(typ.Field(i).Type)
			}
			return
		}
		f, ok := typ.FieldByName("Unknown")
		if !ok || f.Type != reflect.TypeFor[Members]() || f.Tag.Get("json") != "-" {
			t.Errorf("%s: no Unknown Members `json:\"-\"` field", typ.Name())
		}
		ptr := reflect.PointerTo(typ)
		if !ptr.Implements(reflect.TypeFor[json.Unmarshaler]()) {
			t.Errorf("%s: no UnmarshalJSON", typ.Name())
		}
		if !typ.Implements(reflect.TypeFor[json.Marshaler]()) {
			t.Errorf("%s: no value MarshalJSON", typ.Name())
		}
		if !ptr.Implements(reflect.TypeFor[fieldsEncoder]()) {
			t.Errorf("%s: no encodeFields", typ.Name())
		}
		for i := range typ.NumField() {
			fld := typ.Field(i)
			if fld.IsExported() && fld.Name != "Unknown" && !fld.Anonymous && fld.Tag.Get("json") == "" {
				t.Errorf("%s.%s: no json tag", typ.Name(), fld.Name)
			}
			walk(fld.Type)
		}
	}
	for _, r := range allResources() {
		walk(reflect.TypeOf(r))
	}
	if len(seen) < 30 {
		t.Errorf("walked only %d types", len(seen))
	}
}

// epicPatient has members this package does not model, at several depths:
// primitive extensions, contained resources, elements from later versions.
const epicPatient = `{
  "resourceType": "Patient",
  "id": "eXYZ123",
  "meta": {"versionId": "3", "lastUpdated": "2024-01-02T03:04:05Z", "epicSecret": {"x": 1}},
  "contained": [{"resourceType": "Organization", "id": "o1", "name": "Clinic"}],
  "extension": [{"url": "http://open.epic.com/FHIR/StructureDefinition/extension/legal-sex",
                 "valueCodeableConcept": {"coding": [{"system": "urn:oid:1.2.840.114350.1.13.0.1.7.10.698084.130.657370.19999000", "code": "female"}]}},
                {"url": "http://example.org/money", "valueMoney": {"value": 12.50, "currency": "USD"}}],
  "identifier": [{"use": "usual", "type": {"text": "EPI"}, "system": "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.0", "value": "E1234"}],
  "name": [{"use": "official", "text": "Jane Doe", "family": "Doe", "given": ["Jane", null], "_given": [null, {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/iso21090-EN-qualifier", "valueCode": "CL"}]}]}],
  "gender": "female",
  "_gender": {"extension": [{"url": "http://example.org/x", "valueString": "F"}]},
  "birthDate": "1970-06-01",
  "deceasedBoolean": false,
  "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en"}]}, "preferred": true}],
  "futureElement": [1, 2.50, "three"]
}`

func TestUnknownMembers_SurviveDecodeAndEncode(t *testing.T) {
	var p Patient
	if err := json.Unmarshal([]byte(epicPatient), &p); err != nil {
		t.Fatal(err)
	}
	if got := p.Unknown.Get("futureElement"); string(got) != `[1,2.50,"three"]` {
		t.Errorf("futureElement kept as %s", got)
	}
	if p.Meta.Unknown.Get("epicSecret") == nil || p.Name[0].Unknown.Get("_given") == nil {
		t.Errorf("nested unknown members lost: meta %v name %v", p.Meta.Unknown, p.Name[0].Unknown)
	}
	if p.Extension[1].Unknown.Get("valueMoney") == nil {
		t.Errorf("unmodelled extension value lost")
	}
	out, err := Marshal(&p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(generic(t, []byte(epicPatient)), generic(t, out)); diff != "" {
		t.Errorf("re-encoded resource differs (-in +out):\n%s", diff)
	}
}

func TestUnmarshalResource_UnknownTypeIsKeptRaw(t *testing.T) {
	in := `{"resourceType":"Bundle","type":"searchset","total":0,"entry":[
	  {"fullUrl":"https://ehr/Basic/1","resource":{"resourceType":"Basic","id":"1","code":{"text":"x"}},"search":{"mode":"match","score":1.0}},
	  {"resource":` + epicPatient + `}]}`
	r, err := UnmarshalResource([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	b := r.(*Bundle)
	if *b.Total != 0 {
		t.Errorf("total %d", *b.Total)
	}
	raw, ok := b.Entry[0].Resource.(*RawResource)
	if !ok || raw.Type != "Basic" {
		t.Fatalf("entry 0 is %T", b.Entry[0].Resource)
	}
	if _, ok := b.Entry[1].Resource.(*Patient); !ok {
		t.Fatalf("entry 1 is %T", b.Entry[1].Resource)
	}
	out, err := Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(generic(t, []byte(in)), generic(t, out)); diff != "" {
		t.Errorf("re-encoded bundle differs (-in +out):\n%s", diff)
	}
}

func TestUnmarshal_WrongResourceTypeIsAnError(t *testing.T) {
	var p Patient
	if err := json.Unmarshal([]byte(`{"resourceType":"Observation"}`), &p); err == nil {
		t.Error("decoding an Observation into a Patient succeeded")
	}
	if _, err := UnmarshalResource([]byte(`{"id":"x"}`)); err == nil {
		t.Error("a resource without resourceType decoded")
	}
}

// generic decodes JSON into maps and slices, numbers kept as text.
func generic(t testing.TB, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	return v
}
