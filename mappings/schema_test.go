package mappings

import (
	"bytes"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The schema check must be able to fail: these are each invalid R4.
func TestSchema_RejectsInvalidResources(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown status":      `{"resourceType":"Observation","status":"bogus","code":{"text":"x"}}`,
		"unknown member":      `{"resourceType":"Patient","colour":"blue"}`,
		"time without zone":   `{"resourceType":"Patient","deceasedDateTime":"2015-06-01T13:58:00"}`,
		"time without second": `{"resourceType":"Patient","deceasedDateTime":"2015-06-01T13:58Z"}`,
		"decimal as string":   `{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"1.40"}}`,
		"code with spaces":    `{"resourceType":"Patient","gender":" female"}`,
		"uri with space":      `{"resourceType":"Patient","identifier":[{"system":"a b","value":"1"}]}`,
		"encounter no class":  `{"resourceType":"Encounter","status":"planned"}`,
		"bad entry resource":  `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","gender":"f"}}]}`,
	} {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(doc)))
		if err != nil {
			t.Fatal(err)
		}
		rt := v.(map[string]any)["resourceType"].(string)
		if err := schemaFor(t, rt).Validate(v); err == nil {
			t.Errorf("%s: the schema accepted %s", name, doc)
		}
	}
}
