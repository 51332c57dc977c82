package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The same seed gives the same data, and patient i does not depend on
// the population size; another seed gives other data.
func TestSynth_Deterministic(t *testing.T) {
	t.Parallel()
	build := func(seed int64, n int) *Server {
		s, err := New(Options{Seed: seed, Population: n})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b, c, d := build(7, 10), build(7, 10), build(7, 4), build(8, 10)
	for _, ref := range [][2]string{{"Patient", "pat-00003"}, {"Observation", "obs-00003-1-01"}, {"Encounter", "enc-00003-1"}, {"Coverage", "cov-00003"}} {
		ra := a.data.get(ref[0], ref[1])
		if ra == nil {
			t.Fatalf("%s/%s missing", ref[0], ref[1])
		}
		if !bytes.Equal(ra.raw, b.data.get(ref[0], ref[1]).raw) || !bytes.Equal(ra.raw, c.data.get(ref[0], ref[1]).raw) {
			t.Errorf("%s/%s differs between runs or population sizes", ref[0], ref[1])
		}
	}
	if bytes.Equal(a.data.get("Patient", "pat-00003").raw, d.data.get("Patient", "pat-00003").raw) {
		t.Error("seed 8 gave the same patient as seed 7")
	}
	if n := len(a.data.filter("Patient", func(*resource) bool { return true })); n != 10+countSamplePatients() {
		t.Errorf("%d patients", n)
	}
}

// The synthetic data carry what a client will look for: MRN, vitals with
// UCUM units and LOINC codes.
func TestSynth_Content(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Population: 3})
	if err != nil {
		t.Fatal(err)
	}
	p := string(s.data.get("Patient", "pat-00001").raw)
	for _, want := range []string{`"system":"` + MRNSystem + `"`, `"code":"MR"`, `"birthDate"`, `"gender"`, `"address"`, `"telecom"`} {
		if !strings.Contains(p, want) {
			t.Errorf("patient lacks %s: %s", want, p)
		}
	}
	o := string(s.data.get("Observation", "obs-00001-1-01").raw)
	for _, want := range []string{`"system":"http://loinc.org"`, `"system":"http://unitsofmeasure.org"`, `"valueQuantity"`, `"reference":"Patient/pat-00001"`} {
		if !strings.Contains(o, want) {
			t.Errorf("observation lacks %s: %s", want, o)
		}
	}
	if npi("123456789") != "1234567893" { // the check digit example of the NPI standard
		t.Errorf("npi check digit: %s", npi("123456789"))
	}
}

func TestPut_AddsAndReplaces(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Population: 2})
	members := func() int {
		g := resourceOf(t, search(t, s, tok, "Group?_id=all").Entry[0].Resource)
		return len(g["member"].([]any))
	}
	before := members()
	p := `{"resourceType":"Patient","id":"seeded","identifier":[{"system":"` + MRNSystem + `","value":"T-1"}],"name":[{"family":"Seed"}]}`
	if err := s.Put(json.RawMessage(p)); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(json.RawMessage(strings.Replace(p, "Seed", "Sown", 1))); err != nil {
		t.Fatal(err)
	}
	b := search(t, s, tok, "Patient?identifier="+MRNSystem+"|T-1")
	if b.Total != 1 {
		t.Fatalf("seeded patient: %d", b.Total)
	}
	r := resourceOf(t, b.Entry[0].Resource)
	if r["meta"].(map[string]any)["versionId"] != "2" || !strings.Contains(string(b.Entry[0].Resource), "Sown") {
		t.Errorf("replaced patient: %s", b.Entry[0].Resource)
	}
	if members() != before+1 {
		t.Errorf("Group/all has %d members, want %d", members(), before+1)
	}
	for _, bad := range []string{`{"id":"x"}`, `{"resourceType":"Patient"}`, `{"resourceType":"Patient","id":"a b"}`, `[1]`} {
		if err := s.Put(json.RawMessage(bad)); err == nil {
			t.Errorf("Put(%s) accepted", bad)
		}
	}
}

func TestDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("patients.ndjson", `{"resourceType":"Patient","id":"nd-1","identifier":[{"system":"`+MRNSystem+`","value":"ND1"}]}`+"\n\n"+
		`{"resourceType":"Patient","id":"nd-2","meta":{"versionId":"7","lastUpdated":"2020-01-01T00:00:00Z"}}`+"\n")
	write("bundle.json", `{"resourceType":"Bundle","type":"transaction","entry":[
		{"fullUrl":"urn:uuid:6f1c2b1e-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","name":[{"family":"Bundled"}]}},
		{"fullUrl":"urn:uuid:6f1c2b1e-0000-4000-8000-000000000002","resource":{"resourceType":"Observation","id":"bo-1","status":"final",
		 "code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"urn:uuid:6f1c2b1e-0000-4000-8000-000000000001"}}}]}`)
	write("ignored.txt", "not loaded")
	s, tok := start(t, Options{Population: -1, DataDir: dir})
	if b := search(t, s, tok, "Patient?identifier=ND1"); b.Total != 1 {
		t.Errorf("ndjson patient: %d", b.Total)
	}
	resp, body := get(t, s, tok, "Patient/nd-2")
	if resp.StatusCode != http.StatusOK || resourceOf(t, body)["meta"].(map[string]any)["versionId"] != "7" {
		t.Errorf("kept meta: %s", body)
	}
	if b := search(t, s, tok, "Observation?patient=6f1c2b1e-0000-4000-8000-000000000001"); b.Total != 1 {
		t.Errorf("bundle reference by urn:uuid was not resolved to Patient/id: %d", b.Total)
	}
	write("zz-bad.ndjson", `{"resourceType":"Patient","id":"ok"}`+"\n"+`{"resourceType":"Patient","id":`+"\n")
	_, err := New(Options{Population: -1, DataDir: dir})
	if err == nil || !strings.Contains(err.Error(), "zz-bad.ndjson:2") {
		t.Errorf("bad line: %v", err)
	}
	if _, err := New(Options{Population: -1, DataDir: filepath.Join(dir, "missing")}); err == nil {
		t.Error("a missing DataDir was accepted")
	}
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	s, _ := start(t, Options{Population: -1})
	resp, body := get(t, s, "", ".well-known/smart-configuration")
	var cfg struct {
		TokenEndpoint string   `json:"token_endpoint"`
		Algs          []string `json:"token_endpoint_auth_signing_alg_values_supported"`
		Grants        []string `json:"grant_types_supported"`
		Capabilities  []string `json:"capabilities"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &cfg) != nil {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if cfg.TokenEndpoint != s.TokenURL() || strings.Join(cfg.Algs, ",") != "RS384,ES384" ||
		strings.Join(cfg.Grants, ",") != "client_credentials" || len(cfg.Capabilities) != 3 {
		t.Errorf("smart-configuration %s", body)
	}
	resp, body = get(t, s, "", "metadata")
	cs := resourceOf(t, body)
	if resp.StatusCode != http.StatusOK || cs["resourceType"] != "CapabilityStatement" || !strings.Contains(string(body), `"name":"identifier"`) {
		t.Errorf("metadata %d %s", resp.StatusCode, body)
	}
	if st := s.Stats(); st.FHIRRequests != 0 || st.Unauthorized != 0 || len(s.Requests()) != 1 { // the token of start
		t.Errorf("discovery counted as FHIR requests: %+v, %d logged", st, len(s.Requests()))
	}
}
