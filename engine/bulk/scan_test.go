package bulk

import (
	"encoding/json"
	"testing"
)

// FuzzScanHead holds scanHead to encoding/json: the same lines are valid
// JSON, and a valid object gives the members a map decode gives (keys
// matched exactly, the last duplicate winning, null as absent).
func FuzzScanHead(f *testing.F) {
	for _, seed := range []string{
		`{"resourceType":"Patient","id":"p1","meta":{"versionId":"3","lastUpdated":"2026-01-02T03:04:05Z"}}`,
		`{"resourceType":"Observation","id":"o1","valueQuantity":{"value":-1.5e+3,"unit":"mm[Hg]"},"note":[{"text":"a\"b\\u00e9"}]}`,
		`{"id":"a\u0062c","resourceType":"Pat\u0069ent","id":"x"}`,
		`{"resourceType":null,"id":5}`, `{"meta":"v1"}`, `{"meta":null}`, `{"meta":{"versionId":7}}`,
		`[1,2,{"a":true,"b":false,"c":null}]`, `"text"`, `0`, `-0.1E-2`, `01`, `1.`, `{"a":1,}`, `{"a" 1}`,
		`{"resourceType":"Patient"`, "{\"a\":\"\x01\"}", `{"a":"\x"}`, `{"a":"\u12G4"}`, `  {}  `, `{} x`, `tru`, ``, ` `,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		got, err := scanHead(line)
		valid := json.Valid(line)
		var se *syntaxError
		if isSyntax := err != nil && asSyntax(err, &se); isSyntax == valid {
			t.Fatalf("%q: json.Valid %v, scanHead %v", line, valid, err)
		}
		if !valid {
			return
		}
		var members map[string]json.RawMessage
		if json.Unmarshal(line, &members) != nil || members == nil {
			if err == nil {
				t.Fatalf("%q: not an object, scanHead took it", line)
			}
			return
		}
		var want head
		ok := str(members["resourceType"], &want.ResourceType) && str(members["id"], &want.ID)
		if m := members["meta"]; ok && m != nil && string(m) != "null" {
			var meta map[string]json.RawMessage
			ok = json.Unmarshal(m, &meta) == nil && meta != nil &&
				str(meta["versionId"], &want.Meta.VersionID) && str(meta["lastUpdated"], &want.Meta.LastUpdated)
		}
		switch {
		case ok != (err == nil):
			t.Fatalf("%q: members decode ok %v, scanHead %v", line, ok, err)
		case ok && got != want:
			t.Fatalf("%q: scanHead %+v, want %+v", line, got, want)
		}
	})
}

// str decodes a member that must be a string or null (or absent).
func str(raw json.RawMessage, dst *string) bool {
	if raw == nil || string(raw) == "null" {
		return true
	}
	return len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, dst) == nil
}

func asSyntax(err error, se **syntaxError) bool {
	e, ok := err.(*syntaxError)
	*se = e
	return ok
}

func BenchmarkScanHead(b *testing.B) {
	line := []byte(`{"resourceType":"Observation","id":"bulk-000123","meta":{"versionId":"1","lastUpdated":"2026-01-01T00:00:00Z"},"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory","display":"Laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"2345-7","display":"Glucose [Mass/volume] in Serum or Plasma"}],"text":"Glucose"},"subject":{"reference":"Patient/pat-00001"},"effectiveDateTime":"2026-01-01T08:00:00Z","valueQuantity":{"value":98.5,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"},"referenceRange":[{"low":{"value":70,"unit":"mg/dL"},"high":{"value":99,"unit":"mg/dL"}}]}`)
	b.Run("scanHead", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			if _, err := scanHead(line); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			var h head
			if err := json.Unmarshal(line, &h); err != nil {
				b.Fatal(err)
			}
		}
	})
}
