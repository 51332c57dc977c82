package fhir

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// stdString is what encoding/json writes for s with HTML escaping off.
func stdString(t testing.TB, s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

var trickyStrings = []string{
	"", "plain", `quote " and backslash \`, "<0.10 & >5", "tab\tnewline\ncr\r",
	"\x00\x01\x07\x08\x0b\x0c\x1f\x7f", "é ü 你好 😀", "line\u2028sep\u2029",
	"bad \xff utf8 \xc3", "\xed\xa0\x80 surrogate", "trailing \xe2\x82", "µmol/L",
	strings.Repeat("long ", 100) + "\"",
}

func TestAppendString_EqualsEncodingJSON(t *testing.T) {
	for _, s := range trickyStrings {
		got := string(appendString(nil, s))
		if want := stdString(t, s); got != want {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("%q: output does not decode: %v", s, err)
		}
	}
}

func TestAppendString_HTMLCharactersAreNotEscaped(t *testing.T) {
	if got := string(appendString(nil, "<0.10 & >5")); got != `"<0.10 & >5"` {
		t.Errorf("got %s", got)
	}
}

func TestAppendString_InvalidUTF8IsReplaced(t *testing.T) {
	got := string(appendString(nil, "a\xffb"))
	if got != `"a\ufffdb"` {
		t.Errorf("got %s", got)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendString(nil, s)), stdString(t, s); got != want {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func TestValidNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "1.40": true, "-0.10": true, "1e3": true, "1.5E-07": true, "100": true,
		"": false, "01": false, ".5": false, "1.": false, "+1": false, "1e": false, "-": false,
		"1.4.0": false, " 1": false, "NaN": false, "0x10": false,
	} {
		if got := ValidNumber(s); got != want {
			t.Errorf("ValidNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzValidNumber(f *testing.F) {
	for _, s := range []string{"0", "1.40", "-1e-3", "01", ".5", "1."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// A JSON number is exactly what json.Valid accepts and starts like one.
		want := json.Valid([]byte(s)) && s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9')
		if got := ValidNumber(s); got != want {
			t.Errorf("ValidNumber(%q) = %v, want %v", s, got, want)
		}
	})
}

func TestMarshal_DecimalsKeepTheirText(t *testing.T) {
	obs := &Observation{Status: "final", ObservationValue: ObservationValue{
		ValueQuantity: &Quantity{Value: "1.40", Unit: "mg/dL"},
	}, ReferenceRange: []ObservationReferenceRange{{Low: &Quantity{Value: "0.100"}, High: &Quantity{Value: "1E2"}}}}
	b, err := Marshal(obs)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"resourceType":"Observation","status":"final","valueQuantity":{"value":1.40,"unit":"mg/dL"},"referenceRange":[{"low":{"value":0.100},"high":{"value":1E2}}]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	var back Observation
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.ValueQuantity.Value != "1.40" {
		t.Errorf("decoded value %q", back.ValueQuantity.Value)
	}
}

func TestMarshal_InvalidDecimalIsAnError(t *testing.T) {
	_, err := Marshal(&Observation{ObservationValue: ObservationValue{ValueQuantity: &Quantity{Value: "1,5"}}})
	if err == nil {
		t.Fatal("want an error for decimal 1,5")
	}
}

func TestMarshal_EmptyValuesAreNeverWritten(t *testing.T) {
	empty := ""
	p := &Patient{
		Name:             []HumanName{{Given: []string{"", ""}, Prefix: []string{}}, {}},
		Identifier:       []Identifier{{Type: &CodeableConcept{Coding: []Coding{{}}}, Period: &Period{}}},
		MaritalStatus:    &CodeableConcept{},
		Telecom:          []ContactPoint{},
		DeceasedDateTime: &empty,
		BirthDateExt:     &Element{Extension: []Extension{{ValueString: &empty}}},
		Contact:          []PatientContact{{Name: &HumanName{}, Address: &Address{Line: []string{""}}}},
	}
	b, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"resourceType":"Patient"}` {
		t.Errorf("got %s", b)
	}
	// Emptiness is cut at the right depth: a sibling that has content stays.
	p.Name[1].Family = "Everywoman"
	b, _ = Marshal(p)
	if string(b) != `{"resourceType":"Patient","name":[{"family":"Everywoman"}]}` {
		t.Errorf("got %s", b)
	}
}

func TestMarshal_FalseAndZeroAreValues(t *testing.T) {
	f, zero := false, 0
	b, err := Marshal(&Patient{DeceasedBoolean: &f, MultipleBirthInteger: &zero, Active: &f})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"resourceType":"Patient","active":false,"deceasedBoolean":false,"multipleBirthInteger":0}`
	if string(b) != want {
		t.Errorf("got %s", b)
	}
}

func TestMarshal_ChoiceMembersAreSeparate(t *testing.T) {
	s, dt := "positive", "2024-05-01"
	b, err := Marshal(&Observation{
		Status:            "final",
		EffectiveDateTime: &dt,
		ObservationValue:  ObservationValue{ValueString: &s},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"resourceType":"Observation","status":"final","effectiveDateTime":"2024-05-01","valueString":"positive"}`
	if string(b) != want {
		t.Errorf("got %s", b)
	}
}

func TestMarshalJSON_MatchesMarshal(t *testing.T) {
	p := &Patient{ID: "p1", Gender: "female", Name: []HumanName{{Family: "Doe", Given: []string{"Jane"}}}}
	fast, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	viaStd, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	viaValue, err := json.Marshal(*p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fast, viaStd) || !bytes.Equal(fast, viaValue) {
		t.Errorf("Marshal %s\njson.Marshal(ptr) %s\njson.Marshal(value) %s", fast, viaStd, viaValue)
	}
	// A data type on its own encodes the same way.
	b, err := json.Marshal(HumanName{Family: "Doe", Given: []string{""}})
	if err != nil || string(b) != `{"family":"Doe"}` {
		t.Errorf("HumanName: %s %v", b, err)
	}
}

func TestMarshal_EmptyStringAmongOthersKeepsItsPosition(t *testing.T) {
	b, err := Marshal(&Patient{Name: []HumanName{{Given: []string{"Jane", ""}, Suffix: []string{"", "PhD"}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"resourceType":"Patient","name":[{"given":["Jane",null],"suffix":[null,"PhD"]}]}`
	if string(b) != want {
		t.Errorf("got %s", b)
	}
}

// TestNeedsCare_EveryByteAtEveryPosition puts every byte value at every
// position of a word otherwise filled with one byte that needs no care
// (each of them in turn), so that a borrow from one byte into the next
// cannot hide a byte that needs care or invent one.
func TestNeedsCare_EveryByteAtEveryPosition(t *testing.T) {
	care := func(c byte) bool { return c < 0x20 || c == '"' || c == '\\' || c >= 0x80 }
	for fill := byte(0x20); fill < 0x80; fill++ {
		if care(fill) {
			continue
		}
		for c := range 256 {
			for pos := range 8 {
				w := []byte(strings.Repeat(string(fill), 8))
				w[pos] = byte(c)
				if got := needsCare(load64(string(w), 0)); got != care(byte(c)) {
					t.Fatalf("needsCare(%q) = %v", w, got)
				}
			}
		}
	}
}
