package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhirclient/sandbox"
)

// sandboxTenant is engine config with the built-in sandbox on a random
// port and a tenant that enriches from it with a key made on start.
const sandboxTenant = `sandbox: {enabled: true, listen: "127.0.0.1:0", population: 5}
tenants:
  sandbox:
    fhir_base: sandbox
    client_id: engine-test
    keys: [keys/sandbox]
    generate_key: ES384
    scopes: [system/Patient.read, system/Coverage.read]
    max_retry_after: 2s
`

const enrichChannel = `name: adt
source: {mllp: {listen: "127.0.0.1:0"}}
enrich:
  - name: patient
    search: Patient?identifier=urn:oid:2.16.840.1.113883.19.5|{PID-3.1}
    on_error: %s
    on_missing: %s
  - name: coverage
    search: Coverage?patient={patient.id}
destinations: [{nats: {}}]
`

// The sample's MRN is a sandbox patient: the Bundle on NATS carries the
// sandbox's Patient id, and the message log lists the enrichment calls.
func TestEngine_EnrichesFromTheSandbox(t *testing.T) {
	te := startEngine(t, sandboxTenant, map[string]string{"adt.yaml": fmt.Sprintf(enrichChannel, "retry", "continue")})
	ehrID := sandboxPatientID(t, te, "PATID1234")
	te.send("adt", sample(t, "adt_a01_msfhirconverter_2.hl7"))
	m := te.waitStatus(te.lastID("adt"), store.StatusSent)
	var bundle struct {
		Entry []struct {
			FullURL  string
			Resource struct{ ResourceType, ID string }
		}
	}
	if err := json.Unmarshal(m.Output, &bundle); err != nil {
		t.Fatal(err)
	}
	var patientIDs []string
	for _, e := range bundle.Entry {
		if e.Resource.ResourceType == "Patient" {
			patientIDs = append(patientIDs, e.Resource.ID)
			if e.FullURL != te.SandboxURL()+"/Patient/"+ehrID {
				t.Errorf("Patient fullUrl %s", e.FullURL)
			}
		}
	}
	if len(patientIDs) != 1 || patientIDs[0] != ehrID {
		t.Errorf("Bundle Patient ids %v, want the sandbox's %s", patientIDs, ehrID)
	}
	events := enrichEvents(t, te, m.ID)
	if len(events) != 2 || !strings.Contains(events[0], "patient: search Patient?identifier=") || !strings.Contains(events[0], "1 match(es)") ||
		!strings.Contains(events[1], "coverage: search Coverage?patient="+ehrID) {
		t.Errorf("enrich events %q", events)
	}

	// The same patient again: the search is answered from the cache.
	msg := strings.Replace(string(sample(t, "adt_a01_msfhirconverter_2.hl7")), "MSG00001", "MSG00002", 1)
	te.send("adt", []byte(msg))
	m2 := te.waitStatus(te.lastID("adt"), store.StatusSent)
	if ev := enrichEvents(t, te, m2.ID); len(ev) == 0 || !strings.Contains(ev[0], "cache hit") {
		t.Errorf("second message's enrich events %q, want a cache hit", ev)
	}
}

// sandboxPatientID finds the sandbox's id for an MRN with the engine's
// own tenant client.
func sandboxPatientID(t *testing.T, te *testEngine, mrn string) string {
	t.Helper()
	p, err := te.tenants["sandbox"].client.Search(context.Background(), "Patient?identifier="+sandbox.MRNSystem+"|"+mrn)
	if err != nil || len(p.Matches) != 1 {
		t.Fatalf("sandbox patient %s: %v %v", mrn, err, p)
	}
	return p.Matches[0].ID
}

func enrichEvents(t *testing.T, te *testEngine, id int64) []string {
	t.Helper()
	evs, err := te.Store().Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		if e.Stage == "enrich" {
			out = append(out, e.Detail)
		}
	}
	return out
}

// on_missing fail ends a message whose patient the EHR does not know in
// ERROR, with the reason, and the channel goes on.
func TestEngine_EnrichPolicyFail(t *testing.T) {
	te := startEngine(t, sandboxTenant, map[string]string{"adt.yaml": fmt.Sprintf(enrichChannel, "fail", "fail")})
	unknown := strings.Replace(string(sample(t, "adt_a01_msfhirconverter_2.hl7")), "PATID1234", "NOSUCHMRN", 1)
	te.send("adt", []byte(unknown))
	m := te.waitStatus(te.lastID("adt"), store.StatusError)
	if !strings.Contains(m.Error, "patient: nothing found") || strings.Contains(m.Error, "NOSUCHMRN") {
		t.Errorf("error %q: want nothing found, without the MRN (it is logged)", m.Error)
	}
	te.send("adt", sample(t, "adt_a01_msfhirconverter_2.hl7"))
	te.waitStatus(te.lastID("adt"), store.StatusSent)
}

// A throttling EHR slows events down; none is lost, and /metrics shows
// the 429s per tenant.
func TestEngine_ThrottledEHRSlowsButLosesNothing(t *testing.T) {
	te := startEngine(t, sandboxTenant, map[string]string{"adt.yaml": fmt.Sprintf(enrichChannel, "retry", "continue")})
	te.sandbox.SetFaults(sandbox.Faults{Every429: 2, RetryAfter: time.Second})
	base := string(sample(t, "adt_a01_msfhirconverter_2.hl7"))
	const n = 4
	for i := range n {
		// A different MRN each: no cache hits.
		msg := strings.Replace(base, "MSG00001", fmt.Sprintf("THR%d", i), 1)
		msg = strings.Replace(msg, "PATID1234", fmt.Sprintf("THRMRN%d", i), 1)
		te.send("adt", []byte(msg))
	}
	first := te.lastID("adt") - n + 1
	for id := first; id < first+n; id++ {
		te.waitStatus(id, store.StatusSent)
	}
	if te.sandbox.Stats().Throttled == 0 {
		t.Fatal("the sandbox throttled nothing")
	}
	resp, err := http.Get("http://" + te.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `switchboard_fhir_requests_total{code="429",endpoint="Patient",tenant="sandbox"}`) ||
		!strings.Contains(string(body), `switchboard_enrichments_total{channel="adt",result="ehr",step="patient"} 4`) {
		t.Errorf("/metrics lacks the 429 count:\n%s", grepLines(string(body), "switchboard_fhir"))
	}
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// The engine publishes each tenant's public keys for the EHR to fetch.
func TestEngine_ServesTheTenantsJWKS(t *testing.T) {
	te := startEngine(t, sandboxTenant, map[string]string{"adt.yaml": fmt.Sprintf(enrichChannel, "continue", "continue")})
	for _, path := range []string{"/.well-known/jwks.json", "/.well-known/jwks/sandbox.json"} {
		resp, err := http.Get("http://" + te.HTTPAddr() + path)
		if err != nil {
			t.Fatal(err)
		}
		var set struct {
			Keys []map[string]any `json:"keys"`
		}
		err = json.NewDecoder(resp.Body).Decode(&set)
		resp.Body.Close()
		if err != nil || len(set.Keys) != 1 || set.Keys[0]["kid"] != te.keys["sandbox"][0].ID || set.Keys[0]["d"] != nil {
			t.Errorf("%s: %v %+v", path, err, set)
		}
	}
	resp, err := http.Get("http://" + te.HTTPAddr() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "tenant sandbox:") {
		t.Errorf("/readyz does not show the tenant: %q", body)
	}
}

// Two tenants in one engine never share a token or a key: each signs with
// its own key and gets its own token, even from the same EHR.
func TestEngine_TwoTenantsShareNoTokenOrKey(t *testing.T) {
	config := `sandbox: {enabled: true, listen: "127.0.0.1:0", population: 2}
tenants:
  hospa:
    fhir_base: sandbox
    client_id: client-a
    keys: [keys/a]
    generate_key: RS384
    scopes: [system/Patient.read]
  hospb:
    fhir_base: sandbox
    client_id: client-b
    keys: [keys/b]
    generate_key: ES384
    scopes: [system/Patient.rs]
`
	channel := func(name, tenant string) string {
		return fmt.Sprintf("name: %s\ntenant: %s\nsource: {mllp: {listen: \"127.0.0.1:0\"}}\nenrich:\n  - name: patient\n    search: Patient?identifier=urn:oid:2.16.840.1.113883.19.5|{PID-3.1}\ndestinations: [{nats: {}}]\n", name, tenant)
	}
	te := startEngine(t, config, map[string]string{"a.yaml": channel("a", "hospa"), "b.yaml": channel("b", "hospb")})
	for i, ch := range []string{"a", "b", "a", "b"} {
		msg := strings.Replace(string(sample(t, "adt_a01_msfhirconverter_2.hl7")), "MSG00001", fmt.Sprintf("M-%s-%d", ch, i), 1)
		te.send(ch, []byte(msg))
		te.waitStatus(te.lastID(ch), store.StatusSent)
	}
	ka, kb := te.keys["hospa"], te.keys["hospb"]
	if len(ka) != 1 || len(kb) != 1 || ka[0].ID == kb[0].ID || ka[0].Alg != "RS384" || kb[0].Alg != "ES384" {
		t.Fatalf("keys a %v b %v: want one distinct key each", ka, kb)
	}
	tokens := map[string]int{}
	for _, r := range te.sandbox.Requests() {
		if strings.HasSuffix(r.Path, "/oauth2/token") && r.Status == http.StatusOK {
			tokens[r.ClientID]++
		}
	}
	if tokens["client-a"] != 1 || tokens["client-b"] != 1 || len(tokens) != 2 {
		t.Errorf("tokens issued per client %v, want one each", tokens)
	}
}

// A token endpoint that refuses us shows its OAuth error in /readyz; the
// engine stays ready and enrichment applies its policy (continue here).
func TestEngine_RefusedTokenShowsInReadyz(t *testing.T) {
	config := strings.Replace(sandboxTenant, "scopes: [system/Patient.read, system/Coverage.read]", "scopes: [system/Patient.write]", 1)
	te := startEngine(t, config, map[string]string{"adt.yaml": fmt.Sprintf(enrichChannel, "continue", "continue")})
	var body string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + te.HTTPAddr() + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if body = string(b); resp.StatusCode == http.StatusOK && strings.Contains(body, "token refused") {
			break
		}
	}
	if !strings.Contains(body, "tenant sandbox: token refused") || !strings.Contains(body, "invalid_scope") {
		t.Fatalf("/readyz = %q, want the OAuth error", body)
	}
	te.send("adt", sample(t, "adt_a01_msfhirconverter_2.hl7"))
	m := te.waitStatus(te.lastID("adt"), store.StatusSent)
	if ev := enrichEvents(t, te, m.ID); len(ev) == 0 || !strings.Contains(ev[0], "invalid_scope") {
		t.Errorf("enrich events %q, want the refusal", ev)
	}
}

// An MRN carrying FHIR search syntax searches for itself: "X,PATID1234"
// must not match PATID1234 (a comma is OR in FHIR search).
func TestEngine_SearchValuesCannotChangeTheSearch(t *testing.T) {
	te := startEngine(t, sandboxTenant, map[string]string{"adt.yaml": fmt.Sprintf(enrichChannel, "fail", "fail")})
	for _, mrn := range []string{"NOSUCHMRN,PATID1234", `NOSUCHMRN\,PATID1234`, "NOSUCHMRN|PATID1234", "NOSUCHMRN$PATID1234"} {
		msg := strings.Replace(string(sample(t, "adt_a01_msfhirconverter_2.hl7")), "PATID1234^5^M11", hl7Escape(mrn)+"^5^M11", 1)
		te.send("adt", []byte(msg))
		m := te.waitStatus(te.lastID("adt"), store.StatusError)
		if !strings.Contains(m.Error, "nothing found") {
			t.Errorf("MRN %q: error %q, want nothing found", mrn, m.Error)
		}
	}
}

// hl7Escape escapes the v2 delimiters an MRN may contain.
func hl7Escape(s string) string {
	return strings.NewReplacer(`\`, `\E\`, "|", `\F\`, "^", `\S\`, "&", `\T\`, "~", `\R\`).Replace(s)
}

// Two EHR patients with one MRN: the step fails rather than publishing
// one patient's data under the other's id, and the reason stored (and
// logged) carries no identifier.
func TestEngine_AmbiguousPatientFailsWithoutPHIInTheReason(t *testing.T) {
	te := startEngine(t, sandboxTenant, map[string]string{"adt.yaml": fmt.Sprintf(enrichChannel, "fail", "continue")})
	dup := `{"resourceType":"Patient","id":"dup-of-patid1234","identifier":[{"system":"` + sandbox.MRNSystem + `","value":"PATID1234"}]}`
	if err := te.sandbox.Put([]byte(dup)); err != nil {
		t.Fatal(err)
	}
	te.send("adt", sample(t, "adt_a01_msfhirconverter_2.hl7"))
	m := te.waitStatus(te.lastID("adt"), store.StatusError)
	if !strings.Contains(m.Error, "ambiguous: 2 patients match") || strings.Contains(m.Error, "PATID1234") {
		t.Errorf("error %q: want ambiguous, without the MRN", m.Error)
	}
	if ev := enrichEvents(t, te, m.ID); len(ev) != 1 || !strings.Contains(ev[0], "PATID1234") {
		t.Errorf("events %q: the message log keeps the search", ev)
	}
}

// A read whose id cannot be a FHIR id fails at once even with on_error
// retry: waiting cannot fix it, and retrying would hold the channel.
func TestEngine_PermanentEnrichErrorIsNotRetried(t *testing.T) {
	ch := "name: adt\nsource: {mllp: {listen: \"127.0.0.1:0\"}}\nenrich:\n  - name: patient\n    read: Patient/{PID-3.1}\n    on_error: retry\ndestinations: [{nats: {}}]\n"
	te := startEngine(t, sandboxTenant, map[string]string{"adt.yaml": ch})
	msg := strings.Replace(string(sample(t, "adt_a01_msfhirconverter_2.hl7")), "PATID1234^5^M11", "A/B^5^M11", 1)
	te.send("adt", []byte(msg))
	m := te.waitStatus(te.lastID("adt"), store.StatusError)
	if !strings.HasPrefix(m.Error, "enrich: patient:") {
		t.Errorf("error %q", m.Error)
	}
}

// Shutdown is not held by an EHR call in flight: the call is cancelled
// and the message stays pending for the next start.
func TestEngine_ShutdownCancelsEnrichmentInFlight(t *testing.T) {
	te := startEngine(t, sandboxTenant, map[string]string{"adt.yaml": fmt.Sprintf(enrichChannel, "retry", "continue")})
	te.sandbox.SetFaults(sandbox.Faults{Latency: 20 * time.Second})
	te.send("adt", sample(t, "adt_a01_msfhirconverter_2.hl7"))
	id := te.lastID("adt")
	time.Sleep(200 * time.Millisecond) // the search is in flight
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := te.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with an EHR call in flight: %v", err)
	}
	te.sandbox.SetFaults(sandbox.Faults{})
	st, err := store.OpenReadOnly(te.cfg.Store.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := st.Get(context.Background(), id)
	if err != nil || m.Status != store.StatusReceived {
		t.Errorf("message after shutdown: %v %v, want RECEIVED (resumes next start)", statusOf(m), err)
	}
}

// Two tenants may not share a key.
func TestEngine_TenantsSharingAKeyAreRefused(t *testing.T) {
	config := `sandbox: {enabled: true, listen: "127.0.0.1:0", population: 1}
tenants:
  hospa: {fhir_base: sandbox, client_id: a, keys: [keys/shared], generate_key: RS384, scopes: [system/Patient.read]}
  hospb: {fhir_base: sandbox, client_id: b, keys: [keys/shared], scopes: [system/Patient.read]}
`
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "channels"), 0o755)
	os.WriteFile(filepath.Join(dir, "channels", "a.yaml"), []byte(adtChannel), 0o644)
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("data_dir: data\nnats: {listen: \"127.0.0.1:0\"}\nhttp: {listen: \"127.0.0.1:0\"}\n"+config), 0o644)
	cfg, err := Load(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	e := New(cfg, nil)
	err = e.Start(context.Background())
	if err == nil {
		e.Shutdown(context.Background())
		t.Fatal("two tenants with one key started")
	}
	if !strings.Contains(err.Error(), "tenants hospa and hospb share key") {
		t.Errorf("err = %v", err)
	}
}

// An A08 that omits the phone numbers keeps them in the published Patient
// (v2: empty = no change), also after a restart, when the engine reads
// the patient's last Bundle back from the message log.
func TestEngine_UpdateKeepsWhatItOmits(t *testing.T) {
	dir := t.TempDir()
	te := startEngineIn(t, dir, "", map[string]string{"adt.yaml": adtChannel})
	a01 := string(sample(t, "adt_a01_msfhirconverter_2.hl7"))
	te.send("adt", []byte(a01))
	te.waitStatus(te.lastID("adt"), store.StatusSent)
	a08 := strings.NewReplacer("ADT^A01^ADT_A01|MSG00001", "ADT^A08^ADT_A01|MSG00002", "|(555) 555-2004|(555)555-2004|", "|||").Replace(a01)
	telecomOf := func(te *testEngine) string {
		t.Helper()
		m := te.waitStatus(te.lastID("adt"), store.StatusSent)
		var b struct {
			Entry []struct {
				Resource struct {
					ResourceType string
					Telecom      []struct{ Value string }
				}
			}
		}
		json.Unmarshal(m.Output, &b)
		for _, e := range b.Entry {
			if e.Resource.ResourceType == "Patient" {
				return fmt.Sprint(e.Resource.Telecom)
			}
		}
		return "no Patient"
	}
	te.send("adt", []byte(a08))
	if got := telecomOf(te); !strings.Contains(got, "555") {
		t.Errorf("A08 Patient telecom %s: the A08 omitted the phones, the A01's must stay", got)
	}
	te.stop()
	te2 := startEngineIn(t, dir, "", map[string]string{"adt.yaml": adtChannel})
	te2.send("adt", []byte(strings.Replace(a08, "MSG00002", "MSG00003", 1)))
	if got := telecomOf(te2); !strings.Contains(got, "555") {
		t.Errorf("after a restart, A08 Patient telecom %s", got)
	}
	nulled := strings.Replace(a08, "MSG00002|P|2.5.1||", "MSG00004|P|2.5.1||", 1)
	nulled = strings.Replace(nulled, "|GL||||S|", `|GL|""|""||S|`, 1)
	te2.send("adt", []byte(nulled))
	if got := telecomOf(te2); got != "[]" {
		t.Errorf(`A08 with "" phones: telecom %s, want none`, got)
	}
}
