package mappings

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// BenchmarkParseMapMarshal_ORU20 is the engine's hot path for one lab
// result: parse a 20-OBX ORU, map it, encode the bundle. The target is
// ≤ 50 µs/op on one core (go test -run '^$' -bench ParseMapMarshal -benchmem
// -cpu 1 ./mappings/).
func BenchmarkParseMapMarshal_ORU20(b *testing.B) {
	benchParseMapMarshal(b, "../testdata/synthetic/oru_r01_20obx.hl7")
}

// BenchmarkParseMapMarshal_ORU20_LRI is the same panel as LRI senders write
// it: long LOINC names with local alternates, OIDs everywhere, OBX-19 and
// OBX-23/24/25 on every result; twice the bytes to parse and map.
func BenchmarkParseMapMarshal_ORU20_LRI(b *testing.B) {
	benchParseMapMarshal(b, "../testdata/synthetic/oru_r01_20obx_lri.hl7")
}

// BenchmarkParseMapMarshal_ADTA01 is an admission with most of what an
// A01 carries (PD1, NK1, PV1, PV2, OBX, AL1, IN1): the ADT feed's hot path.
func BenchmarkParseMapMarshal_ADTA01(b *testing.B) {
	benchParseMapMarshal(b, "../testdata/adt_a01_v2tofhir_1.hl7")
}

func benchParseMapMarshal(b *testing.B, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	m := mustMapper(b, Options{Namespace: "bench"})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		msg, err := hl7.Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		out, err := m.MapJSON(msg)
		if err != nil || len(out) == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseAppendJSON_ORU20 is the pipeline as a worker runs it when
// it reuses its output buffer (Mapper.AppendJSON).
func BenchmarkParseAppendJSON_ORU20(b *testing.B) {
	data, err := os.ReadFile("../testdata/synthetic/oru_r01_20obx.hl7")
	if err != nil {
		b.Fatal(err)
	}
	m := mustMapper(b, Options{Namespace: "bench"})
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		msg, err := hl7.Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		if buf, err = m.AppendJSON(buf[:0], msg); err != nil {
			b.Fatal(err)
		}
	}
}

// The three stages alone, to see where the time goes.

func BenchmarkParse_ORU20(b *testing.B) {
	data, _ := os.ReadFile("../testdata/synthetic/oru_r01_20obx.hl7")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hl7.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMap_ORU20(b *testing.B) {
	data, _ := os.ReadFile("../testdata/synthetic/oru_r01_20obx.hl7")
	msg, err := hl7.Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	m := mustMapper(b, Options{Namespace: "bench"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Map(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal_ORU20(b *testing.B) {
	data, _ := os.ReadFile("../testdata/synthetic/oru_r01_20obx.hl7")
	msg, _ := hl7.Parse(data)
	bundle, err := mustMapper(b, Options{Namespace: "bench"}).Map(msg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fhir.Marshal(bundle); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarshal_ORU20_EncodingJSON is the same bundle through
// encoding/json's reflection (the types' MarshalJSON methods hidden), the
// baseline the fast encoder had to beat.
func BenchmarkMarshal_ORU20_EncodingJSON(b *testing.B) {
	data, _ := os.ReadFile("../testdata/synthetic/oru_r01_20obx.hl7")
	msg, _ := hl7.Parse(data)
	bundle, err := mustMapper(b, Options{Namespace: "bench"}).Map(msg)
	if err != nil {
		b.Fatal(err)
	}
	plain := reflectCopy(bundle)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(plain); err != nil {
			b.Fatal(err)
		}
	}
}

// reflectCopy copies a value into mirror types built with reflect.StructOf:
// same fields and json tags, none of the fhir package's methods, so
// encoding/json encodes it by reflection alone. A resource gets a leading
// ResourceType field, as the fhir encoder writes it. A type nested in
// itself (Extension.extension) is held through an interface, which
// StructOf needs and encoding/json does not notice.
func reflectCopy(v any) any {
	return mirrorValue(reflect.ValueOf(v), mirrorType(reflect.TypeOf(v))).Interface()
}

var (
	mirrors      = map[reflect.Type]reflect.Type{}
	building     = map[reflect.Type]bool{}
	resourceType = reflect.TypeFor[fhir.Resource]()
	anyType      = reflect.TypeFor[any]()
)

func mirrorType(t reflect.Type) reflect.Type {
	switch t.Kind() {
	case reflect.Pointer:
		return reflect.PointerTo(mirrorType(t.Elem()))
	case reflect.Slice:
		if t == reflect.TypeFor[json.RawMessage]() || t == reflect.TypeFor[fhir.Members]() {
			return t
		}
		return reflect.SliceOf(mirrorType(t.Elem()))
	case reflect.Interface:
		return anyType
	case reflect.Struct:
	default:
		return t
	}
	if m, ok := mirrors[t]; ok {
		return m
	}
	if building[t] {
		return anyType
	}
	building[t] = true
	defer delete(building, t)
	var fields []reflect.StructField
	if reflect.PointerTo(t).Implements(resourceType) {
		fields = append(fields, reflect.StructField{Name: "ResourceType", Type: reflect.TypeFor[string](), Tag: `json:"resourceType"`})
	}
	var add func(t reflect.Type)
	add = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				add(f.Type) // flattened, as encoding/json flattens it
				continue
			}
			fields = append(fields, reflect.StructField{Name: f.Name, Type: mirrorType(f.Type), Tag: f.Tag})
		}
	}
	add(t)
	m := reflect.StructOf(fields)
	mirrors[t] = m
	return m
}

// mirrorValue copies v into a value of mirror type mt.
func mirrorValue(v reflect.Value, mt reflect.Type) reflect.Value {
	out := reflect.New(mt).Elem()
	if mt == anyType {
		switch {
		case v.Kind() == reflect.Interface && v.IsNil():
		case v.Kind() == reflect.Interface:
			out.Set(mirrorValue(v.Elem(), mirrorType(v.Elem().Type())))
		default:
			out.Set(mirrorValue(v, mirrorType(v.Type())))
		}
		return out
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			p := reflect.New(mt.Elem())
			p.Elem().Set(mirrorValue(v.Elem(), mt.Elem()))
			out.Set(p)
		}
	case reflect.Slice:
		if mt == v.Type() {
			return v
		}
		out = reflect.MakeSlice(mt, v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(mirrorValue(v.Index(i), mt.Elem()))
		}
	case reflect.Struct:
		j := 0
		if r, ok := reflect.New(v.Type()).Interface().(fhir.Resource); ok {
			out.Field(0).SetString(r.ResourceType())
			j = 1
		}
		var copyFields func(v reflect.Value)
		copyFields = func(v reflect.Value) {
			for i := range v.NumField() {
				if v.Type().Field(i).Anonymous {
					copyFields(v.Field(i))
					continue
				}
				out.Field(j).Set(mirrorValue(v.Field(i), out.Type().Field(j).Type))
				j++
			}
		}
		copyFields(v)
	default:
		out.Set(v)
	}
	return out
}

func TestReflectCopy_EncodesLikeTheFastEncoder(t *testing.T) {
	data, _ := os.ReadFile("../testdata/synthetic/oru_r01_20obx.hl7")
	msg, _ := hl7.Parse(data)
	bundle, err := mustMapper(t, Options{}).Map(msg)
	if err != nil {
		t.Fatal(err)
	}
	fast, _ := fhir.Marshal(bundle)
	var std bytes.Buffer
	enc := json.NewEncoder(&std)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(reflectCopy(bundle)); err != nil {
		t.Fatal(err)
	}
	if got := bytes.TrimSpace(std.Bytes()); !bytes.Equal(got, fast) {
		t.Errorf("reflection baseline encodes differently:\n%s\n%s", got, fast)
	}
	t.Logf("bundle: %d bytes of JSON from %d bytes of HL7", len(fast), len(data))
}
