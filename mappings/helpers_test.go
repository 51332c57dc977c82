package mappings

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/switchboard-hl7/switchboard/hl7"
)

const schemaURL = "http://hl7.org/fhir/json-schema/4.0"

var schemas struct {
	once sync.Once
	err  error
	c    *jsonschema.Compiler
	mu   sync.Mutex
	byRT map[string]*jsonschema.Schema
}

// schemaFor returns the compiled R4 schema definition for a resource type
// (the official fhir.schema.json, loaded once).
func schemaFor(t testing.TB, resourceType string) *jsonschema.Schema {
	t.Helper()
	schemas.once.Do(func() {
		f, err := os.Open("../testdata/fhir/fhir.schema.json.gz")
		if err != nil {
			schemas.err = err
			return
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			schemas.err = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(zr)
		if err != nil {
			schemas.err = err
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource(schemaURL, doc); err != nil {
			schemas.err = err
			return
		}
		schemas.c, schemas.byRT = c, map[string]*jsonschema.Schema{}
	})
	if schemas.err != nil {
		t.Fatalf("load FHIR schema: %v", schemas.err)
	}
	schemas.mu.Lock()
	defer schemas.mu.Unlock()
	if s, ok := schemas.byRT[resourceType]; ok {
		return s
	}
	s, err := schemas.c.Compile(schemaURL + "#/definitions/" + resourceType)
	if err != nil {
		t.Fatalf("compile schema for %s: %v", resourceType, err)
	}
	schemas.byRT[resourceType] = s
	return s
}

// validateBundle checks a bundle's JSON against the R4 schema, each entry
// resource against its own definition too (the Bundle schema's oneOf over
// all resources reports errors poorly), and asserts what the schema misses.
func validateBundle(t *testing.T, name string, data []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: output is not JSON: %v", name, err)
	}
	if err := schemaFor(t, "Bundle").Validate(doc); err != nil {
		t.Errorf("%s: bundle fails the R4 schema: %v", name, err)
	}
	b := doc.(map[string]any)
	entries, _ := b["entry"].([]any)
	if len(entries) == 0 {
		t.Errorf("%s: bundle has no entries", name)
	}
	fullURLs := map[string]string{}
	for i, e := range entries {
		e := e.(map[string]any)
		res := e["resource"].(map[string]any)
		rt := res["resourceType"].(string)
		if err := schemaFor(t, rt).Validate(res); err != nil {
			t.Errorf("%s: entry %d (%s) fails the R4 schema: %v", name, i, rt, err)
		}
		fu, _ := e["fullUrl"].(string)
		// Resources from enrichment keep the EHR's URL (…/Type/id).
		if fu != "urn:uuid:"+fmt.Sprint(res["id"]) && !strings.HasSuffix(fu, "/"+rt+"/"+fmt.Sprint(res["id"])) {
			t.Errorf("%s: entry %d fullUrl %q does not match id %v", name, i, fu, res["id"])
		}
		if _, dup := fullURLs[fu]; dup {
			t.Errorf("%s: fullUrl %s appears twice", name, fu)
		}
		fullURLs[fu] = rt
		if b["type"] == "transaction" {
			req, _ := e["request"].(map[string]any)
			if req["method"] != "PUT" || req["url"] != rt+"/"+fmt.Sprint(res["id"]) {
				t.Errorf("%s: entry %d request %v", name, i, req)
			}
		}
		assertRequired(t, name, i, rt, res)
	}
	// Every reference resolves inside the bundle: a urn:uuid or absolute
	// fullUrl, or (in resources from the EHR) Type/id of an entry.
	walkJSON(doc, "", func(path string, v any) {
		if !strings.HasSuffix(path, ".reference") {
			return
		}
		ref, _ := v.(string)
		if !strings.Contains(ref, ":") {
			for fu := range fullURLs {
				if strings.HasSuffix(fu, "/"+ref) {
					return
				}
			}
		}
		if _, ok := fullURLs[ref]; !ok {
			t.Errorf("%s: %s = %q resolves to no entry", name, path, ref)
		}
	})
	assertNoEmpty(t, name, doc)
}

// assertRequired checks R4 cardinalities the JSON schema does not.
func assertRequired(t *testing.T, name string, i int, rt string, res map[string]any) {
	t.Helper()
	need := map[string][]string{
		"Observation":      {"status", "code"},
		"DiagnosticReport": {"status", "code"},
		"Encounter":        {"status", "class"},
		"MessageHeader":    {"source"},
		"ServiceRequest":   {"status", "intent", "subject"},
		"Provenance":       {"target", "recorded", "agent"},
	}[rt]
	for _, k := range need {
		if _, ok := res[k]; !ok {
			t.Errorf("%s: entry %d (%s) has no %s", name, i, rt, k)
		}
	}
	if rt == "Observation" {
		// obs-6: dataAbsentReason only without a value; obs-7 aside.
		hasValue := false
		for k := range res {
			if strings.HasPrefix(k, "value") {
				hasValue = true
			}
		}
		if _, dar := res["dataAbsentReason"]; dar && hasValue {
			t.Errorf("%s: entry %d: dataAbsentReason beside a value", name, i)
		}
	}
	assertUSCore(t, name, i, rt, res)
	walkJSON(res, rt, func(path string, v any) {
		// qty-3: a Quantity with a code has a system.
		if m, ok := v.(map[string]any); ok {
			if _, hasVal := m["value"]; hasVal {
				if _, code := m["code"]; code {
					if _, sys := m["system"]; !sys {
						t.Errorf("%s: %s: quantity code without system", name, path)
					}
				}
			}
		}
	})
}

// assertNoEmpty fails on any empty string, array, object or null.
func assertNoEmpty(t *testing.T, name string, doc any) {
	t.Helper()
	walkJSON(doc, "", func(path string, v any) {
		switch x := v.(type) {
		case nil:
			t.Errorf("%s: %s is null", name, path)
		case string:
			if strings.TrimSpace(x) == "" {
				t.Errorf("%s: %s is an empty string", name, path)
			}
		case []any:
			if len(x) == 0 {
				t.Errorf("%s: %s is an empty array", name, path)
			}
		case map[string]any:
			if len(x) == 0 {
				t.Errorf("%s: %s is an empty object", name, path)
			}
		}
	})
}

func walkJSON(v any, path string, f func(string, any)) {
	f(path, v)
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkJSON(x[k], path+"."+k, f)
		}
	case []any:
		for i, e := range x {
			walkJSON(e, fmt.Sprintf("%s[%d]", path, i), f)
		}
	}
}

// sample is one message from testdata.
type sample struct {
	name string
	data []byte
}

// samples returns every message in ../testdata/*.hl7 (batch files split).
func samples(t testing.TB) []sample {
	t.Helper()
	files, err := filepath.Glob("../testdata/*.hl7")
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	var out []sample
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f)
		if strings.HasPrefix(base, "batch_") {
			for i, m := range hl7.SplitBatch(data) {
				out = append(out, sample{fmt.Sprintf("%s#%d", base, i+1), m})
			}
			continue
		}
		out = append(out, sample{base, data})
	}
	synth, err := filepath.Glob("../testdata/synthetic/*.hl7")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range synth {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sample{"synthetic/" + filepath.Base(f), data})
	}
	return out
}

// mustMapper returns a Mapper or fails.
func mustMapper(t testing.TB, o Options) *Mapper {
	t.Helper()
	m, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// indent pretty-prints JSON for goldens and failure messages.
func indent(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

// assertUSCore checks the US Core 6.1 rules the mapping promises (the R4
// schema knows nothing of profiles):
//   - every Observation, DiagnosticReport, ServiceRequest and Specimen
//     has a subject;
//   - an Observation whose code carries the LOINC code of a vital-signs
//     profile has category vital-signs (and not laboratory), and a
//     valueQuantity in UCUM, one of the profile's units, when its unit
//     could be put in UCUM (vitalUnits warns otherwise: a unit with no
//     UCUM code is reported here as an error only when it is UCUM-coded
//     with a unit the profile does not allow);
//   - a result in a report (an Observation with a laboratory category)
//     has exactly that category once;
//   - a DiagnosticReport whose category holds a laboratory section of
//     table 0074 has LAB among its categories (US Core DiagnosticReport
//     for Laboratory Results);
//   - a ServiceRequest has a code (US Core ServiceRequest 1..1);
//   - a Provenance agent has a who (R4 1..1).
func assertUSCore(t testing.TB, name string, i int, rt string, res map[string]any) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s: entry %d (%s): "+format, append([]any{name, i, rt}, args...)...)
	}
	codes := func(v any, system string) []string {
		var out []string
		list := asList(v)
		if m, ok := v.(map[string]any); ok { // one CodeableConcept
			list = []any{m}
		}
		for _, cc := range list {
			m, _ := cc.(map[string]any)
			for _, c := range asList(m["coding"]) {
				c, _ := c.(map[string]any)
				if c["system"] == system {
					out = append(out, fmt.Sprint(c["code"]))
				}
			}
		}
		return out
	}
	switch rt {
	case "Observation", "DiagnosticReport", "ServiceRequest", "Specimen":
		if _, ok := res["subject"]; !ok {
			fail("no subject")
		}
	}
	switch rt {
	case "Observation":
		cats := codes(res["category"], sysObservationCategory)
		var vital *vitalSign
		for _, c := range codes(res["code"], sysLOINC) {
			if v, ok := vitalSigns[c]; ok {
				vital = &v
			}
		}
		if vital != nil {
			if !slices.Contains(cats, "vital-signs") || slices.Contains(cats, "laboratory") {
				fail("vital sign with category %v", cats)
			}
			if q, ok := res["valueQuantity"].(map[string]any); ok && q["system"] == sysUCUM {
				if !slices.Contains(vital.units, fmt.Sprint(q["code"])) {
					fail("vital sign in %v, not one of %v", q["code"], vital.units)
				}
			}
		}
		if n := len(cats); slices.Contains(cats, "laboratory") && n != 1 {
			fail("categories %v", cats)
		}
	case "DiagnosticReport":
		cats := codes(res["category"], sysV2Prefix+"0074")
		lab := false
		for _, c := range cats {
			if labSection(c) {
				lab = true
			}
		}
		if lab && !slices.Contains(cats, "LAB") {
			fail("laboratory report without category LAB: %v", cats)
		}
	case "ServiceRequest":
		if _, ok := res["code"]; !ok {
			fail("no code")
		}
	case "Provenance":
		for _, a := range asList(res["agent"]) {
			if m, _ := a.(map[string]any); m["who"] == nil {
				fail("agent without who")
			}
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
