package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenBundles are Bundles written by this package's encoder from real
// samples (the mappings package's goldens).
func goldenBundles(t testing.TB) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob("../testdata/fhir/golden/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden Bundles: %v", err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

// Decoding a Bundle and encoding it again gives the same JSON: every
// member is read into its field (or kept as unknown) and nothing else.
func TestUnmarshalResource_GoldenBundlesRoundTrip(t *testing.T) {
	for name, in := range goldenBundles(t) {
		res, err := UnmarshalResource(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b, ok := res.(*Bundle); !ok || len(b.Entry) == 0 {
			t.Fatalf("%s: decoded as %T", name, res)
		}
		out, err := Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := json.Compact(&want, in); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, want.Bytes()) {
			t.Errorf("%s: decode and encode changed the Bundle:\n got %.300s\nwant %.300s", name, out, want.Bytes())
		}
	}
}

// Every input encoding/json refuses is refused, with an error and no panic.
func TestUnmarshalResource_RefusesInvalidJSON(t *testing.T) {
	bad := []string{
		``, ` `, `{`, `}`, `[]`, `"x"`, `null`, `{"resourceType":"Patient"`, `{"resourceType":"Patient",}`,
		`{"resourceType":"Patient" "id":"a"}`, `{"resourceType":"Patient","id":"a"}x`, `{"resourceType":"Patient","id":'a'}`,
		`{"resourceType":"Patient","id":"a\qb"}`, `{"resourceType":"Patient","id":"a\u12"}`, "{\"resourceType\":\"Patient\",\"id\":\"a\x01\"}",
		`{"resourceType":"Patient","active":tru}`, `{"resourceType":"Patient","active":1}`, `{"resourceType":"Patient","id":1}`,
		`{"resourceType":"Observation","valueQuantity":{"value":01}}`, `{"resourceType":"Observation","valueQuantity":{"value":1.}}`,
		`{"resourceType":"Observation","valueQuantity":{"value":-}}`, `{"resourceType":"Observation","valueQuantity":{"value":1e}}`,
		`{"resourceType":"Observation","valueQuantity":{"value":"abc"}}`, `{"resourceType":"Patient","name":{"family":"x"}}`,
		`{"resourceType":"Patient","name":[{"family":"x"},]}`, `{"resourceType":"Basic","x":[1,2}`, `{"id":"a"}`,
		`{"resourceType":"Bundle","entry":[{"resource":{"id":"x"}}]}`, `{"resourceType":"Patient","unknown":{"a":}}`,
		`{"resourceType":"Patient","multipleBirthInteger":1.5}`, `{"resourceType":"Encounter","resourceType":"Patient"}`,
		strings.Repeat(`{"resourceType":"Basic","a":`, 10001) + "1" + strings.Repeat("}", 10001),
	}
	for _, in := range bad {
		if res, err := UnmarshalResource([]byte(in)); err == nil {
			t.Errorf("%.80q decoded as %+v, want an error", in, res)
		}
	}
}

// Strings decode exactly as encoding/json decodes them: escapes,
// surrogate pairs, unpaired surrogates and invalid UTF-8.
func TestUnmarshalResource_StringsAsEncodingJSON(t *testing.T) {
	for _, s := range []string{
		`plain`, `tab\tnew\nline`, `\"quoted\" \\ \/`, `\u00e9\u4f60`, `\ud83d\ude00`, `\ud83d`, `\ude00x`, `\ud83d\u0041`,
		"caf\xc3\xa9", "bad\xff\xfeutf8", "\xe2\x28\xa1", `\b\f\r`, ``,
	} {
		checkStringLikeEncodingJSON(t, []byte(s))
	}
}

func checkStringLikeEncodingJSON(t *testing.T, s []byte) {
	t.Helper()
	in := append(append([]byte(`{"resourceType":"Patient","gender":"`), s...), `"}`...)
	var want struct{ Gender string }
	wantErr := json.Unmarshal(in, &want)
	res, err := UnmarshalResource(in)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: error %v, encoding/json's %v", s, err, wantErr)
	}
	if err == nil && res.(*Patient).Gender != want.Gender {
		t.Errorf("%q: decoded %q, encoding/json %q", s, res.(*Patient).Gender, want.Gender)
	}
}

func checkNumberLikeEncodingJSON(t *testing.T, n []byte) {
	t.Helper()
	in := append(append([]byte(`{"resourceType":"Observation","valueQuantity":{"value":`), n...), `}}`...)
	var want struct{ ValueQuantity struct{ Value json.Number } }
	wantErr := json.Unmarshal(in, &want)
	res, err := UnmarshalResource(in)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: error %v, encoding/json's %v", n, err, wantErr)
	}
	if err != nil {
		return
	}
	got := res.(*Observation).ValueQuantity
	if got == nil && want.ValueQuantity.Value != "" || got != nil && got.Value != want.ValueQuantity.Value {
		t.Errorf("%q: decoded %+v, encoding/json %q", n, got, want.ValueQuantity.Value)
	}
}

func FuzzUnmarshalResource_String(f *testing.F) {
	for _, s := range []string{`a\u00e9`, `\ud83d\ude00`, "x\xff", `\\\"`, `\u`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) { checkStringLikeEncodingJSON(t, s) })
}

func FuzzUnmarshalResource_Number(f *testing.F) {
	for _, s := range []string{`1.50`, `-0.0e+5`, `01`, `"2.5"`, `null`, `1e`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, n []byte) { checkNumberLikeEncodingJSON(t, n) })
}

// Any input: no panic; accepted only if it is JSON; what is accepted
// encodes to JSON that decodes to the same encoding.
func FuzzUnmarshalResource(f *testing.F) {
	for _, b := range goldenBundles(f) {
		f.Add(b)
	}
	f.Add([]byte(`{"resourceType":"Basic","x":[1,{"y":null}]}`))
	f.Add([]byte(`{"resourceType":"Patient","contained":[{"resourceType":"Patient","id":"c"}],"zz":true}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := UnmarshalResource(in)
		if err != nil {
			return
		}
		if !json.Valid(in) {
			t.Fatalf("accepted invalid JSON %q", in)
		}
		out, err := Marshal(res)
		if err != nil {
			return // e.g. a decimal the encoder refuses
		}
		again, err := UnmarshalResource(out)
		if err != nil {
			t.Fatalf("own output %q does not decode: %v", out, err)
		}
		out2, err := Marshal(again)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("encode, decode, encode is not stable:\n%s\n%s (%v)", out, out2, err)
		}
	})
}

func BenchmarkUnmarshalResource_Bundle(b *testing.B) {
	in := goldenBundles(b)["oru_r01_v2tofhir_1.json"]
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := UnmarshalResource(in); err != nil {
			b.Fatal(err)
		}
	}
}

// ErrNotResource is for JSON that is not an object with a resourceType at
// its top; a nested resource without one, or input that is not JSON, is
// another error.
func TestUnmarshalResource_ErrNotResource(t *testing.T) {
	for in, want := range map[string]bool{
		`{"id":"x"}`: true, `[]`: true, `"Patient"`: true, ` {} `: true,
		`{"id":"x"} x`: false, `{"id":`: false, ``: false,
		`{"resourceType":"Bundle","entry":[{"resource":{"id":"x"}}]}`: false,
	} {
		_, err := UnmarshalResource([]byte(in))
		if err == nil || errors.Is(err, ErrNotResource) != want {
			t.Errorf("%q: error %v; want ErrNotResource: %t", in, err, want)
		}
	}
}

// A member that appears twice takes its last value, as encoding/json (and
// the decoder before the one-pass reader) gives it: a repeated array of
// objects does not merge its elements into the first array's, and a null
// clears a pointer or slice set by an earlier occurrence.
func TestUnmarshalResource_RepeatedMemberTakesLastValue(t *testing.T) {
	for in, want := range map[string]string{
		`{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"1"}],"identifier":[{"value":"2"}]}`:            `{"resourceType":"Patient","identifier":[{"value":"2"}]}`,
		`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":"1"}}],"entry":[{"fullUrl":"urn:x"}]}`: `{"resourceType":"Bundle","entry":[{"fullUrl":"urn:x"}]}`,
		`{"resourceType":"Patient","name":[{"family":"A","zz":1}],"name":[{"given":["B"]}]}`:                                 `{"resourceType":"Patient","name":[{"given":["B"]}]}`,
		`{"resourceType":"Patient","active":true,"active":null}`:                                                             `{"resourceType":"Patient"}`,
		`{"resourceType":"Patient","name":[{"family":"A"}],"name":null}`:                                                     `{"resourceType":"Patient"}`,
		`{"resourceType":"Patient","maritalStatus":{"text":"a","coding":[{"code":"x"}]},"maritalStatus":{"text":"b"}}`:       `{"resourceType":"Patient","maritalStatus":{"text":"b"}}`,
	} {
		res, err := UnmarshalResource([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		out, err := Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != want {
			t.Errorf("%s\n got %s\nwant %s", in, out, want)
		}
	}
}

// Valid JSON of the wrong type names the element and both types, so that
// a write-back's "invalid" outcome says what to fix.
func TestUnmarshalResource_WrongTypeNamesTheElement(t *testing.T) {
	for in, want := range map[string]string{
		`{"resourceType":"DiagnosticReport","status":7}`:                "DiagnosticReport.status: want a string, got a number",
		`{"resourceType":"Patient","name":{"family":"x"}}`:              "Patient.name: want an array, got an object",
		`{"resourceType":"Patient","active":"yes"}`:                     "Patient.active: want true or false, got a string",
		`{"resourceType":"Patient","name":["x"]}`:                       "Patient.name: want an object, got a string",
		`{"resourceType":"Patient","multipleBirthInteger":"2"}`:         "Patient.multipleBirthInteger: want a number, got a string",
		`{"resourceType":"Bundle","entry":[{"resource":[true]}]}`:       "BundleEntry.resource: want a resource (an object), got an array",
		`{"resourceType":"Observation","valueQuantity":{"value":true}}`: "Quantity.value: want a number, got a boolean",
		`{"resourceType":7}`: "resourceType: want a string, got a number",
		`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":["Patient"]}}]}`: "resourceType: want a string, got an array",
	} {
		_, err := UnmarshalResource([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to say %q", in, err, want)
		}
	}
}
