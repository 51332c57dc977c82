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
			// Type/id: an entry of the bundle, or (in what an update
			// carries over, and in resources from the EHR) a resource
			// an earlier bundle put on the server.
			if t, id, ok := strings.Cut(ref, "/"); ok && t != "" && id != "" && !strings.Contains(id, "/") {
				return
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
		// type: US Core Encounter (pv1.go gives a default).
		"Encounter":     {"status", "class", "type", "subject"},
		"MessageHeader": {"source"},
		// US Core 6.1 AllergyIntolerance: clinicalStatus and
		// verificationStatus always (al1.go), code, patient.
		"AllergyIntolerance": {"clinicalStatus", "verificationStatus", "code", "patient"},
		// US Core 6.1 Condition (encounter diagnosis): category, code,
		// subject, and (dg1.go) verificationStatus always.
		"Condition":      {"category", "code", "subject", "verificationStatus"},
		"Procedure":      {"status", "code", "subject"},
		"Coverage":       {"status", "beneficiary", "payor"},
		"RelatedPerson":  {"patient"},
		"ServiceRequest": {"status", "intent", "subject"},
		"Provenance":     {"target", "recorded", "agent"},
		"CareTeam":       {"status", "subject", "participant"}, // US Core 6.1 (careteam.go)
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
	assertUSCoreResults(t, name, i, rt, res)
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

// assertUSCore checks the invariants and US Core 6.1 rules beyond presence
// that the ADT maps promise.
func assertUSCore(t *testing.T, name string, i int, rt string, res map[string]any) {
	t.Helper()
	for _, p := range usCoreProblems(rt, res) {
		t.Errorf("%s: entry %d: %s", name, i, p)
	}
}

// usCoreProblems lists what assertUSCore reports for one resource.
func usCoreProblems(rt string, res map[string]any) (out []string) {
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	codeOf := func(k string) string {
		cc, _ := res[k].(map[string]any)
		cs, _ := cc["coding"].([]any)
		if len(cs) == 0 {
			return ""
		}
		c, _ := cs[0].(map[string]any)
		s, _ := c["code"].(string)
		return s
	}
	switch rt {
	case "Condition":
		// con-3/con-5: clinicalStatus exactly when not entered-in-error.
		_, clinical := res["clinicalStatus"]
		if (codeOf("verificationStatus") == "entered-in-error") == clinical {
			bad("Condition clinicalStatus %v with verificationStatus %s", clinical, codeOf("verificationStatus"))
		}
		cats, _ := res["category"].([]any)
		found := false
		for _, c := range cats {
			cs, _ := c.(map[string]any)["coding"].([]any)
			for _, x := range cs {
				if x.(map[string]any)["code"] == "encounter-diagnosis" {
					found = true
				}
			}
		}
		if !found {
			bad("Condition without category encounter-diagnosis")
		}
	case "CareTeam":
		// US Core 6.1: every participant has one role (1..1) and a member.
		ps, _ := res["participant"].([]any)
		for j, p := range ps {
			p := p.(map[string]any)
			roles, _ := p["role"].([]any)
			if len(roles) != 1 || p["member"] == nil {
				bad("CareTeam participant %d has %d roles (US Core: 1) or no member", j, len(roles))
			}
		}
	case "Procedure":
		// us-core-7: performed[x] when completed or in-progress.
		st := res["status"]
		_, dt := res["performedDateTime"]
		_, pp := res["performedPeriod"]
		if (st == "completed" || st == "in-progress") && !dt && !pp {
			bad("%s Procedure without performed[x]", st)
		}
	case "AllergyIntolerance":
		if codeOf("clinicalStatus") != "active" {
			bad("AllergyIntolerance clinicalStatus %q", codeOf("clinicalStatus"))
		}
		// A reaction needs a manifestation (R4 1..*).
		rs, _ := res["reaction"].([]any)
		for _, r := range rs {
			if _, ok := r.(map[string]any)["manifestation"]; !ok {
				bad("reaction without manifestation")
			}
		}
	case "Patient":
		// pat-1: a contact has details or an organization.
		cs, _ := res["contact"].([]any)
		for _, c := range cs {
			m := c.(map[string]any)
			if m["name"] == nil && m["telecom"] == nil && m["address"] == nil && m["organization"] == nil {
				bad("Patient.contact with no details (pat-1)")
			}
		}
		exts, _ := res["extension"].([]any)
		for _, e := range exts {
			e := e.(map[string]any)
			switch e["url"] {
			case extUSCoreRace:
				out = append(out, usCoreRaceProblems("race", e, raceVocab)...)
			case extUSCoreEthnicity:
				out = append(out, usCoreRaceProblems("ethnicity", e, ethnicityVocab)...)
			}
		}
		// A merged-away Patient is inactive and points at its survivor.
		ls, _ := res["link"].([]any)
		for _, l := range ls {
			if l.(map[string]any)["type"] == "replaced-by" && res["active"] != false {
				bad("replaced-by Patient not inactive")
			}
		}
	case "Coverage":
		if res["status"] != "active" {
			bad("Coverage status %v", res["status"])
		}
	}
	return out
}

// usCoreRaceProblems checks a us-core-race or us-core-ethnicity extension
// as US Core 6.1 defines it: only the ombCategory, detailed and text
// sub-extensions; exactly one text; ombCategory codings from the OMB
// categories (at most v.maxOMB) or a null flavor standing alone (us-core-23
// of later releases); detailed codings of CDCREC. The allowed OMB codes are
// written out here, not read from vocab_uscore.go, so a wrong table row
// fails.
func usCoreRaceProblems(what string, ext map[string]any, v *demographic) (out []string) {
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(what+": "+format, args...)) }
	allowed := map[string]bool{
		"urn:oid:2.16.840.1.113883.6.238|1002-5": what == "race",
		"urn:oid:2.16.840.1.113883.6.238|2028-9": what == "race",
		"urn:oid:2.16.840.1.113883.6.238|2054-5": what == "race",
		"urn:oid:2.16.840.1.113883.6.238|2076-8": what == "race",
		"urn:oid:2.16.840.1.113883.6.238|2106-3": what == "race",
		"urn:oid:2.16.840.1.113883.6.238|2135-2": what == "ethnicity",
		"urn:oid:2.16.840.1.113883.6.238|2186-5": what == "ethnicity",
		sysNullFlavor + "|UNK":                   true,
		sysNullFlavor + "|ASKU":                  true,
	}
	if _, ok := ext["value"]; ok {
		bad("a complex extension with a value")
	}
	subs, _ := ext["extension"].([]any)
	texts, omb, null := 0, 0, false
	for _, s := range subs {
		s := s.(map[string]any)
		coding, _ := s["valueCoding"].(map[string]any)
		key := fmt.Sprint(coding["system"]) + "|" + fmt.Sprint(coding["code"])
		switch s["url"] {
		case "text":
			texts++
			if str, _ := s["valueString"].(string); strings.TrimSpace(str) == "" {
				bad("text without a valueString")
			}
		case "ombCategory":
			omb++
			if !allowed[key] {
				bad("ombCategory %s is not an OMB category", key)
			}
			null = null || coding["system"] == sysNullFlavor
		case "detailed":
			if coding["system"] != sysCDCREC || coding["code"] == nil {
				bad("detailed %s is not a CDC Race & Ethnicity code", key)
			}
		default:
			bad("sub-extension %v", s["url"])
		}
	}
	if texts != 1 {
		bad("%d text sub-extensions, want 1", texts)
	}
	if omb > v.maxOMB {
		bad("%d ombCategory, at most %d", omb, v.maxOMB)
	}
	if null && omb > 1 {
		bad("UNK or ASKU beside another ombCategory")
	}
	return out
}

// assertUSCoreResults checks the US Core 6.1 rules the ORU maps promise (the R4
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
func assertUSCoreResults(t testing.TB, name string, i int, rt string, res map[string]any) {
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
