package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// exportManifest is the manifest as a client reads it.
type exportManifest struct {
	TransactionTime     string
	Request             string
	RequiresAccessToken bool
	Output, Error       []struct {
		Type, URL string
		Count     int
	}
}

// kickOff starts an export at path (relative to the FHIR base) with
// Prefer: respond-async; a non-nil body makes it a POST.
func kickOff(t testing.TB, s *Server, tok, path string, body []byte) (*http.Response, []byte) {
	t.Helper()
	method := http.MethodGet
	if body != nil {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, s.BaseURL()+"/"+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Prefer", "respond-async")
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != nil {
		req.Header.Set("Content-Type", fhirJSON)
	}
	return do(t, req)
}

// startExport kicks off an export that must be accepted and returns its
// status URL.
func startExport(t testing.TB, s *Server, tok, path string, body []byte) string {
	t.Helper()
	resp, out := kickOff(t, s, tok, path, body)
	loc := resp.Header.Get("Content-Location")
	if resp.StatusCode != http.StatusAccepted || !strings.HasPrefix(loc, s.URL()+statusPath) {
		t.Fatalf("kick-off %s: %d Content-Location %q: %s", path, resp.StatusCode, loc, out)
	}
	return loc
}

var progressRE = regexp.MustCompile(`^\d{1,3}% \(\d+ of \d+ files\)$`)

// awaitManifest polls a status URL until the manifest arrives, checking
// every 202 on the way, and returns the manifest and the 202s seen.
func awaitManifest(t testing.TB, s *Server, tok, status string) (exportManifest, int) {
	t.Helper()
	var m exportManifest
	for waits := 0; ; waits++ {
		resp, body := get(t, s, tok, status)
		switch resp.StatusCode {
		case http.StatusAccepted:
			ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			if p := resp.Header.Get("X-Progress"); !progressRE.MatchString(p) || err != nil || ra < 1 {
				t.Fatalf("202 with X-Progress %q Retry-After %q", p, resp.Header.Get("Retry-After"))
			}
			if waits > 500 {
				t.Fatal("the export never completed")
			}
			time.Sleep(20 * time.Millisecond) // a test client polls faster than Retry-After
		case http.StatusOK:
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("manifest Content-Type %q", ct)
			}
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatalf("manifest: %v: %s", err, body)
			}
			return m, waits
		default:
			t.Fatalf("status: %d %s", resp.StatusCode, body)
		}
	}
}

// ndjson splits a file body into resources, checking that every line is
// a JSON object ended by \n.
func ndjson(t testing.TB, body []byte) []map[string]any {
	t.Helper()
	if len(body) == 0 || body[len(body)-1] != '\n' {
		t.Fatalf("file does not end with a newline: %.80q", body)
	}
	var out []map[string]any
	for line := range bytes.SplitSeq(body[:len(body)-1], []byte("\n")) {
		out = append(out, resourceOf(t, line))
	}
	return out
}

// exported downloads every output file of a manifest, checking types and
// counts, and returns the resources by type.
func exported(t testing.TB, s *Server, tok string, m exportManifest) map[string][]map[string]any {
	t.Helper()
	byType := map[string][]map[string]any{}
	for _, o := range m.Output {
		resp, body := get(t, s, tok, o.URL)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != ndjsonType {
			t.Fatalf("GET %s: %d %s", o.URL, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		res := ndjson(t, body)
		if len(res) != o.Count {
			t.Errorf("%s: %d lines, manifest count %d", o.URL, len(res), o.Count)
		}
		for _, r := range res {
			if r["resourceType"] != o.Type {
				t.Fatalf("%s holds a %v", o.URL, r["resourceType"])
			}
		}
		byType[o.Type] = append(byType[o.Type], res...)
	}
	return byType
}

// runExport kicks off, awaits and downloads an export.
func runExport(t testing.TB, s *Server, tok, path string, body []byte) (exportManifest, map[string][]map[string]any) {
	t.Helper()
	m, _ := awaitManifest(t, s, tok, startExport(t, s, tok, path, body))
	return m, exported(t, s, tok, m)
}

// searchTotal is the total of a search that must succeed.
func searchTotal(t testing.TB, s *Server, tok, query string) int {
	t.Helper()
	return search(t, s, tok, query+"&_count=0").Total
}

// patientOf is the patient a resource belongs to ("" for none).
func patientOf(r map[string]any) string {
	if r["resourceType"] == "Patient" {
		return r["id"].(string)
	}
	for _, p := range compartmentPaths {
		if m, ok := r[p].(map[string]any); ok {
			ref, _ := m["reference"].(string)
			if id, ok := strings.CutPrefix(ref, "Patient/"); ok {
				return id
			}
		}
	}
	return ""
}

// parameters builds a Parameters body from name, value pairs; patient
// values become valueReference.
func parameters(pairs ...string) []byte {
	var ps []map[string]any
	for i := 0; i+1 < len(pairs); i += 2 {
		p := map[string]any{"name": pairs[i], "valueString": pairs[i+1]}
		if pairs[i] == "patient" {
			p = map[string]any{"name": pairs[i], "valueReference": map[string]string{"reference": pairs[i+1]}}
		}
		ps = append(ps, p)
	}
	b, _ := json.Marshal(map[string]any{"resourceType": "Parameters", "parameter": ps})
	return b
}
