package fhirclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/fhirclient"
	"github.com/switchboard-hl7/switchboard/fhirclient/sandbox"
)

func TestManifest_Decoding(t *testing.T) {
	files := `"output":[{"type":"Patient","url":"https://x/p.ndjson","count":3}],"error":[{"type":"OperationOutcome","url":"https://x/e.ndjson"}]`
	for _, tc := range []struct {
		name, json string
		requires   bool
		when       time.Time
		raw        string
		bad        bool
	}{
		{"bool true", `{"transactionTime":"2026-03-04T05:06:07.891+02:00","requiresAccessToken":true,` + files + `}`,
			true, time.Date(2026, 3, 4, 3, 6, 7, 891e6, time.UTC), "2026-03-04T05:06:07.891+02:00", false},
		{"string true (Epic)", `{"transactionTime":"2026-03-04T05:06:07Z","requiresAccessToken":"true",` + files + `}`,
			true, time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), "2026-03-04T05:06:07Z", false},
		{"string false", `{"transactionTime":"2026-03-04T05:06:07Z","requiresAccessToken":"false",` + files + `}`,
			false, time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), "2026-03-04T05:06:07Z", false},
		{"offset without colon", `{"transactionTime":"2026-03-04T05:06:07.5-0500",` + files + `}`,
			false, time.Date(2026, 3, 4, 10, 6, 7, 5e8, time.UTC), "2026-03-04T05:06:07.5-0500", false},
		{"missing time and flag", `{` + files + `}`, false, time.Time{}, "", false},
		{"flag nonsense", `{"requiresAccessToken":"yes",` + files + `}`, false, time.Time{}, "", true},
		{"time nonsense", `{"transactionTime":"yesterday",` + files + `}`, false, time.Time{}, "", true},
		{"date only", `{"transactionTime":"2026-03-04",` + files + `}`, false, time.Time{}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m fhirclient.Manifest
			err := json.Unmarshal([]byte(tc.json), &m)
			if tc.bad {
				if err == nil {
					t.Fatalf("decoded %+v, want an error", m)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.RequiresAccessToken != tc.requires || !m.TransactionTime.Equal(tc.when) || m.TransactionTimeRaw != tc.raw {
				t.Errorf("requires %v time %v raw %q; want %v %v %q", m.RequiresAccessToken, m.TransactionTime, m.TransactionTimeRaw, tc.requires, tc.when, tc.raw)
			}
			if len(m.Output) != 1 || m.Output[0] != (fhirclient.ExportFile{Type: "Patient", URL: "https://x/p.ndjson", Count: 3}) ||
				len(m.Error) != 1 || m.Error[0].Type != "OperationOutcome" || m.Deleted != nil {
				t.Errorf("files: %+v %+v %+v", m.Output, m.Error, m.Deleted)
			}
		})
	}
}

// bulkEHR stands in for an EHR's Bulk Data server: a kick-off that
// answers 202, a status URL that answers from a script, files plain,
// gzip-encoded, .gz, by byte range, behind redirects, expired, cut off.
// The tokens it sees are checked against the sandbox that issued them.
type bulkEHR struct {
	t     *testing.T
	sb    *sandbox.Server
	srv   *httptest.Server
	blob  *httptest.Server // another origin, as a blob store is
	files map[string][]byte

	mu       sync.Mutex
	script   []string // status answers to give before the manifest
	canceled bool
	valid    map[string]bool // tokens checked with the sandbox
	seen     []seenRequest
	throttle int // file requests to answer 429 first
}

// seenRequest is what the stand-in recorded of one request.
type seenRequest struct {
	host, method, path, query, body string
	header                          http.Header
	token                           string // "" none, "valid", or "INVALID"
	status                          int
}

func newBulkEHR(t *testing.T, mods ...func(*fhirclient.Config)) (*bulkEHR, *fhirclient.Client, *[]fhirclient.Call) {
	sb := startSandbox(t, sandbox.Options{Population: 1})
	k := newKey(t, fhirclient.ES384)
	register(t, sb, "bulk-app", k)
	e := &bulkEHR{t: t, sb: sb, valid: map[string]bool{}, files: map[string][]byte{}}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.srv.Close)
	e.blob = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.record(r, "", http.StatusOK)
		w.Header().Set("Content-Type", "application/fhir+ndjson")
		w.Write(e.files["Encounter"])
	}))
	t.Cleanup(e.blob.Close)
	for i, typ := range []string{"Patient", "Observation", "Condition", "Encounter", "OperationOutcome"} {
		var b strings.Builder
		for n := range 40 + 7*i {
			fmt.Fprintf(&b, `{"resourceType":%q,"id":"%s-%d","text":"%s"}`+"\n", typ, typ, n, strings.Repeat("t", n*3))
		}
		e.files[typ] = []byte(b.String())
	}
	var mu sync.Mutex
	calls := &[]fhirclient.Call{}
	cfg := fhirclient.Config{Tenant: "bulk", BaseURL: e.srv.URL + "/fhir", TokenURL: sb.TokenURL(),
		ClientID: "bulk-app", Keys: []*fhirclient.Key{k}, Scopes: []string{"system/*.read"},
		MaxRetryAfter: 40 * time.Millisecond, BackoffBase: 5 * time.Millisecond, ExportPollInterval: 5 * time.Millisecond,
		OnCall: func(call fhirclient.Call) { mu.Lock(); *calls = append(*calls, call); mu.Unlock() }}
	for _, mod := range mods {
		mod(&cfg)
	}
	c, err := fhirclient.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e, c, calls
}

// check asks the sandbox whether the request's bearer token is one it
// issued and still honours.
func (e *bulkEHR) check(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return ""
	}
	e.mu.Lock()
	ok, known := e.valid[auth]
	e.mu.Unlock()
	if !known {
		req, _ := http.NewRequest(http.MethodGet, e.sb.BaseURL()+"/Patient?_count=1", nil)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		ok = err == nil && resp.StatusCode == http.StatusOK && strings.HasPrefix(auth, "Bearer ")
		if err == nil {
			resp.Body.Close()
		}
		e.mu.Lock()
		e.valid[auth] = ok
		e.mu.Unlock()
	}
	if ok {
		return "valid"
	}
	return "INVALID"
}

func (e *bulkEHR) record(r *http.Request, body string, status int) {
	s := seenRequest{host: r.Host, method: r.Method, path: r.URL.Path, query: r.URL.RawQuery, body: body,
		header: r.Header.Clone(), token: e.check(r), status: status}
	e.mu.Lock()
	e.seen = append(e.seen, s)
	e.mu.Unlock()
}

// requests returns the recorded requests whose path has the prefix.
func (e *bulkEHR) requests(prefix string) []seenRequest {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []seenRequest
	for _, s := range e.seen {
		if strings.HasPrefix(s.path, prefix) {
			out = append(out, s)
		}
	}
	return out
}

func writeOutcome(w http.ResponseWriter, status int, code, text string) {
	w.Header().Set("Content-Type", "application/fhir+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"resourceType": "OperationOutcome",
		"issue": []map[string]string{{"severity": "error", "code": code, "diagnostics": text}}})
}

func (e *bulkEHR) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !strings.HasPrefix(r.URL.Path, "/files/") {
		e.record(r, string(body), e.route(w, r))
		return
	}
	// Record a file request when its status goes out, before its body:
	// a client that has read the body finds the request recorded. (The
	// status route writes holding e.mu: it is recorded after.)
	rw := &recordingWriter{ResponseWriter: w, rec: func(status int) { e.record(r, string(body), status) }}
	status := e.route(rw, r)
	rw.once.Do(func() { rw.rec(status) })
}

// recordingWriter calls rec with the status as the header is written.
type recordingWriter struct {
	http.ResponseWriter
	once sync.Once
	rec  func(status int)
}

func (w *recordingWriter) WriteHeader(code int) {
	w.once.Do(func() { w.rec(code) })
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { w.rec(http.StatusOK) })
	return w.ResponseWriter.Write(p)
}

func (w *recordingWriter) Flush() { http.NewResponseController(w.ResponseWriter).Flush() }

func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// route answers r and returns the status it sent.
func (e *bulkEHR) route(w http.ResponseWriter, r *http.Request) int {
	p := r.URL.Path
	if e.check(r) != "valid" {
		writeOutcome(w, http.StatusUnauthorized, "login", "no valid token")
		return http.StatusUnauthorized
	}
	switch {
	case p == "/fhir/$export":
		w.Header().Set("Content-Location", e.srv.URL+"/fhir/$export-status/job1")
	case p == "/fhir/Patient/$export", p == "/fhir/Group/g1/$export":
		w.Header().Set("Content-Location", "$export-status/job1") // relative
		if p == "/fhir/Group/g1/$export" {
			w.Header().Set("Content-Location", "../../$export-status/job1")
		}
	case strings.HasPrefix(p, "/fhir/Group/"):
		writeOutcome(w, http.StatusNotFound, "not-found", "no such group")
		return http.StatusNotFound
	case p == "/fhir/$export-status/job1":
		return e.status(w, r)
	case strings.HasPrefix(p, "/files/"):
		return e.file(w, r)
	default:
		writeOutcome(w, http.StatusNotFound, "not-found", "unknown path")
		return http.StatusNotFound
	}
	w.WriteHeader(http.StatusAccepted)
	return http.StatusAccepted
}

func (e *bulkEHR) status(w http.ResponseWriter, r *http.Request) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.canceled {
		writeOutcome(w, http.StatusNotFound, "not-found", "no such job")
		return http.StatusNotFound
	}
	if r.Method == http.MethodDelete {
		e.canceled = true
		w.WriteHeader(http.StatusAccepted)
		return http.StatusAccepted
	}
	if len(e.script) > 0 {
		step := e.script[0]
		e.script = e.script[1:]
		switch step {
		case "202":
			w.Header().Set("X-Progress", fmt.Sprintf("%d steps to go", len(e.script)))
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusAccepted)
			return http.StatusAccepted
		case "202-no-retry-after":
			w.WriteHeader(http.StatusAccepted)
			return http.StatusAccepted
		case "429":
			w.Header().Set("Retry-After", "1")
			writeOutcome(w, http.StatusTooManyRequests, "throttled", "slow down")
			return http.StatusTooManyRequests
		case "transient":
			writeOutcome(w, http.StatusInternalServerError, "transient", "try again")
			return http.StatusInternalServerError
		case "fatal":
			writeOutcome(w, http.StatusInternalServerError, "exception", "export failed")
			return http.StatusInternalServerError
		}
	}
	base := e.srv.URL + "/files/"
	m := map[string]any{
		"transactionTime":     "2026-05-06T07:08:09.123+02:00",
		"request":             e.srv.URL + "/fhir/$export",
		"requiresAccessToken": "true", // as Epic sends it
		"output": []map[string]any{
			{"type": "Patient", "url": base + "Patient.ndjson", "count": 40},
			{"type": "Observation", "url": base + "Observation.ndjson", "count": 47},
			{"type": "Condition", "url": "/files/Condition.ndjson.gz"}, // relative
			{"type": "Encounter", "url": base + "moved"},
		},
		"error": []map[string]any{{"type": "OperationOutcome", "url": base + "OperationOutcome.ndjson"}},
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(m)
	return http.StatusOK
}

func (e *bulkEHR) file(w http.ResponseWriter, r *http.Request) int {
	name := strings.TrimPrefix(r.URL.Path, "/files/")
	e.mu.Lock()
	throttled := e.throttle > 0
	if throttled {
		e.throttle--
	}
	e.mu.Unlock()
	switch {
	case throttled:
		w.Header().Set("Retry-After", "1")
		writeOutcome(w, http.StatusTooManyRequests, "throttled", "slow down")
		return http.StatusTooManyRequests
	case name == "moved":
		http.Redirect(w, r, e.blob.URL+"/blob/Encounter.ndjson?sig=abc", http.StatusFound)
		return http.StatusFound
	case name == "moved-here":
		http.Redirect(w, r, "/files/Patient.ndjson", http.StatusTemporaryRedirect)
		return http.StatusTemporaryRedirect
	case name == "loop":
		http.Redirect(w, r, "/files/loop", http.StatusFound)
		return http.StatusFound
	case name == "expired.ndjson":
		writeOutcome(w, http.StatusGone, "expired", "file expired")
		return http.StatusGone
	case name == "cut.ndjson":
		full := e.files["Patient"]
		w.Header().Set("Content-Length", strconv.Itoa(len(full)))
		w.WriteHeader(http.StatusOK)
		w.Write(full[:len(full)/2+5])
		w.(http.Flusher).Flush()
		conn, _, _ := http.NewResponseController(w).Hijack()
		conn.Close()
		return http.StatusOK
	case name == "slow.ndjson" || name == "stall.ndjson":
		// Lines in chunks, with pauses: short ones, or one long stall.
		w.Header().Set("Content-Type", "application/fhir+ndjson")
		for i, line := range lines(e.files["Patient"])[:6] {
			if i > 0 {
				pause := 60 * time.Millisecond
				if name == "stall.ndjson" && i == 3 {
					pause = 2 * time.Second
				}
				select {
				case <-time.After(pause):
				case <-r.Context().Done():
					return http.StatusOK
				}
			}
			io.WriteString(w, line+"\n")
			w.(http.Flusher).Flush()
		}
		return http.StatusOK
	case name == "Condition.ndjson.gz":
		w.Header().Set("Content-Type", "application/gzip")
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(gzipBytes(e.t, e.files["Condition"])))
		return http.StatusOK
	case name == "Observation.ndjson" && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip"):
		w.Header().Set("Content-Type", "application/fhir+ndjson")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gzipBytes(e.t, e.files["Observation"]))
		return http.StatusOK
	case name == "NoRange.ndjson":
		w.Header().Set("Content-Type", "application/fhir+ndjson")
		w.Write(e.files["Patient"])
		return http.StatusOK
	}
	data, ok := e.files[strings.TrimSuffix(name, ".ndjson")]
	if !ok {
		writeOutcome(w, http.StatusNotFound, "not-found", "no such file")
		return http.StatusNotFound
	}
	w.Header().Set("Content-Type", "application/fhir+ndjson")
	status := http.StatusOK
	if r.Header.Get("Range") != "" {
		status = http.StatusPartialContent
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
	return status
}

// lines splits an NDJSON file into its lines.
func lines(data []byte) []string {
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// readFile opens f and reads it to its end.
func readFile(t *testing.T, c *fhirclient.Client, f fhirclient.ExportFile, o fhirclient.FileOptions) ([]string, *fhirclient.NDJSONReader) {
	t.Helper()
	r, err := c.OpenExportFile(context.Background(), f, o)
	if err != nil {
		t.Fatalf("%s: %v", f.Type, err)
	}
	defer r.Close()
	var out []string
	for {
		line, err := r.Next()
		if err == io.EOF {
			return out, r
		}
		if err != nil {
			t.Fatalf("%s line %d: %v", f.Type, r.Line()+1, err)
		}
		out = append(out, string(line))
	}
}

// The whole flow: a system kick-off with every query parameter, polls
// through progress, throttling and a transient 500 to the manifest, and
// every file read back whole with the tenant's token.
func TestExport_KickOffPollAndDownload(t *testing.T) {
	e, c, calls := newBulkEHR(t)
	ctx := context.Background()
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("EST", -5*3600))
	status, err := c.StartExport(ctx, fhirclient.ExportRequest{Level: fhirclient.SystemExport,
		Types: []string{"Patient", "Observation"}, Since: since, Elements: []string{"id", "status"},
		TypeFilters:  []string{"Observation?category=laboratory", "Observation?code=1,2"},
		OutputFormat: "application/fhir+ndjson"})
	if err != nil {
		t.Fatal(err)
	}
	if want := e.srv.URL + "/fhir/$export-status/job1"; status != want {
		t.Errorf("status URL %q, want %q", status, want)
	}
	kick := e.requests("/fhir/$export")[0]
	q, _ := url.ParseQuery(kick.query)
	if kick.method != http.MethodGet || q.Get("_type") != "Patient,Observation" || q.Get("_since") != "2026-01-02T03:04:05.000-05:00" ||
		q.Get("_elements") != "id,status" || q.Get("_outputFormat") != "application/fhir+ndjson" ||
		fmt.Sprint(q["_typeFilter"]) != "[Observation?category=laboratory Observation?code=1,2]" {
		t.Errorf("kick-off %s ?%s", kick.method, kick.query)
	}
	if kick.header.Get("Accept") != "application/fhir+json" || kick.header.Get("Prefer") != "respond-async" || kick.token != "valid" {
		t.Errorf("kick-off Accept %q Prefer %q token %q", kick.header.Get("Accept"), kick.header.Get("Prefer"), kick.token)
	}

	e.mu.Lock()
	e.script = []string{"202", "429", "transient", "202-no-retry-after", "202"}
	e.mu.Unlock()
	var progress []fhirclient.ExportStatus
	m, err := c.WaitExport(ctx, status, func(s fhirclient.ExportStatus) { progress = append(progress, s) })
	if err != nil {
		t.Fatal(err)
	}
	if len(progress) != 3 || progress[0].Progress != "4 steps to go" || progress[0].RetryAfter != 40*time.Millisecond ||
		progress[1].RetryAfter != 0 || progress[2].Progress != "0 steps to go" || progress[2].Complete {
		t.Errorf("progress reports %+v", progress)
	}
	if polls := e.requests("/fhir/$export-status/"); len(polls) != 6 || polls[5].status != http.StatusOK || polls[0].token != "valid" {
		t.Errorf("%d status requests, want 6 ending in 200", len(polls))
	}
	if !m.RequiresAccessToken || m.TransactionTimeRaw != "2026-05-06T07:08:09.123+02:00" || len(m.Output) != 4 || len(m.Error) != 1 {
		t.Fatalf("manifest %+v", m)
	}
	if m.Output[2].URL != e.srv.URL+"/files/Condition.ndjson.gz" {
		t.Errorf("relative file URL resolved to %q", m.Output[2].URL)
	}
	for _, f := range append(m.Output, m.Error...) {
		got, r := readFile(t, c, f, fhirclient.FileOptions{AccessToken: m.RequiresAccessToken})
		if want := lines(e.files[f.Type]); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %d lines differ from the %d served", f.Type, len(got), len(want))
		}
		if r.Offset() != int64(len(e.files[f.Type])) || r.Line() != int64(len(got)) {
			t.Errorf("%s: Offset %d Line %d after the last line", f.Type, r.Offset(), r.Line())
		}
		if compressed := f.Type == "Observation" || f.Type == "Condition"; compressed != (r.WireBytes() < r.Offset()/2) {
			t.Errorf("%s: %d bytes on the wire for %d decoded", f.Type, r.WireBytes(), r.Offset())
		}
	}
	for _, s := range e.requests("/files/") {
		if s.token != "valid" || s.header.Get("Accept") != "application/fhir+ndjson" || s.header.Get("Accept-Encoding") != "gzip" {
			t.Errorf("GET %s: token %q Accept %q Accept-Encoding %q", s.path, s.token, s.header.Get("Accept"), s.header.Get("Accept-Encoding"))
		}
	}
	endpoints := map[string]int{}
	for _, call := range *calls {
		endpoints[call.Endpoint]++
	}
	if endpoints["$export"] != 1 || endpoints["$export-status"] != 6 || endpoints["$export-file"] != 6 || endpoints["token"] != 1 {
		t.Errorf("OnCall endpoints %v", endpoints)
	}
}

// With patients the kick-off is a POST of a Parameters resource; a
// relative Content-Location is resolved against the kick-off URL.
func TestExport_PatientsMakeAPOSTOfParameters(t *testing.T) {
	e, c, _ := newBulkEHR(t)
	ctx := context.Background()
	status, err := c.StartExport(ctx, fhirclient.ExportRequest{Level: fhirclient.GroupExport, GroupID: "g1",
		Types: []string{"Observation"}, Patients: []string{"Patient/1", "Patient/2"},
		Since: time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if want := e.srv.URL + "/fhir/$export-status/job1"; status != want {
		t.Errorf("status URL %q, want %q", status, want)
	}
	kick := e.requests("/fhir/Group/")[0]
	if kick.method != http.MethodPost || kick.query != "" || kick.header.Get("Content-Type") != "application/fhir+json" || kick.token != "valid" {
		t.Fatalf("kick-off %s ?%s Content-Type %q token %q", kick.method, kick.query, kick.header.Get("Content-Type"), kick.token)
	}
	var params struct {
		ResourceType string
		Parameter    []struct {
			Name           string
			ValueString    string
			ValueInstant   string
			ValueReference struct{ Reference string }
		}
	}
	if err := json.Unmarshal([]byte(kick.body), &params); err != nil || params.ResourceType != "Parameters" {
		t.Fatalf("body %s: %v", kick.body, err)
	}
	var got []string
	for _, p := range params.Parameter {
		got = append(got, p.Name+"="+p.ValueString+p.ValueInstant+p.ValueReference.Reference)
	}
	if want := "[_since=2026-02-03T04:05:06.000Z _type=Observation patient=Patient/1 patient=Patient/2]"; fmt.Sprint(got) != want {
		t.Errorf("parameters %v, want %s", got, want)
	}
	// Patient level: relative to the kick-off URL.
	if status, err = c.StartExport(ctx, fhirclient.ExportRequest{Level: fhirclient.PatientExport}); err != nil || status != e.srv.URL+"/fhir/Patient/$export-status/job1" {
		t.Errorf("patient level: %q, %v", status, err)
	}
	// The patient parameter does not exist at system level: no request.
	before := len(e.requests("/"))
	if _, err := c.StartExport(ctx, fhirclient.ExportRequest{Level: fhirclient.SystemExport, Patients: []string{"Patient/1"}}); err == nil {
		t.Error("a system export with patients was sent")
	}
	if _, err := c.StartExport(ctx, fhirclient.ExportRequest{Level: fhirclient.PatientExport, Types: []string{"Patient&_since=x"}}); err == nil {
		t.Error("a _type that is not a resource type was sent")
	}
	if len(e.requests("/")) != before {
		t.Error("a refused kick-off reached the server")
	}
}

// A refused kick-off is an *Error with the server's OperationOutcome that
// names no group id.
func TestExport_RefusedKickOffCarriesTheOutcome(t *testing.T) {
	_, c, _ := newBulkEHR(t)
	_, err := c.StartExport(context.Background(), fhirclient.ExportRequest{Level: fhirclient.GroupExport, GroupID: "SECRET-GROUP-7"})
	var fe *fhirclient.Error
	if !errors.As(err, &fe) || fe.Status != http.StatusNotFound || fe.Outcome == nil || fe.Outcome.Issue[0].Code != "not-found" {
		t.Fatalf("err %v, want a 404 with its OperationOutcome", err)
	}
	if fe.Path != "Group/…/$export" || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error names the group: %v", err)
	}
	if errors.Is(err, fhirclient.ErrExportGone) {
		t.Error("a refused kick-off matches ErrExportGone")
	}
}

// A failed export (500 with a non-transient outcome) ends polling at
// once: it is not retried.
func TestExport_FailedExportIsNotRetried(t *testing.T) {
	e, c, _ := newBulkEHR(t)
	e.script = []string{"202", "fatal"}
	status := e.srv.URL + "/fhir/$export-status/job1"
	_, err := c.WaitExport(context.Background(), status, nil)
	var fe *fhirclient.Error
	if !errors.As(err, &fe) || fe.Status != http.StatusInternalServerError || fe.Outcome == nil || fe.Outcome.Issue[0].Code != "exception" {
		t.Fatalf("err %v, want the 500 with its OperationOutcome", err)
	}
	if fe.Transient() {
		t.Error("a fatal 500 counts as transient")
	}
	if n := len(e.requests("/fhir/$export-status/")); n != 2 {
		t.Errorf("%d status requests, want 2 (no retry of a failed export)", n)
	}
	// A status URL off the server would get the token: never called.
	if _, err := c.PollExport(context.Background(), e.blob.URL+"/status"); err == nil || len(e.requests("/status")) != 0 {
		t.Errorf("polled a status URL on another origin: %v", err)
	}
}

// DELETE cancels; a job the server no longer knows matches ErrExportGone.
func TestExport_CancelThenGone(t *testing.T) {
	e, c, _ := newBulkEHR(t)
	ctx := context.Background()
	status := e.srv.URL + "/fhir/$export-status/job1"
	if err := c.CancelExport(ctx, status); err != nil {
		t.Fatal(err)
	}
	if del := e.requests("/fhir/$export-status/"); len(del) != 1 || del[0].method != http.MethodDelete || del[0].token != "valid" {
		t.Fatalf("cancel sent %+v", del)
	}
	for name, call := range map[string]func() error{
		"cancel again": func() error { return c.CancelExport(ctx, status) },
		"poll":         func() error { _, err := c.PollExport(ctx, status); return err },
	} {
		err := call()
		var fe *fhirclient.Error
		if !errors.Is(err, fhirclient.ErrExportGone) || !errors.As(err, &fe) || fe.Status != http.StatusNotFound {
			t.Errorf("%s after cancel: %v, want a 404 matching ErrExportGone", name, err)
		}
	}
}

// Resume: with an offset the client asks for the rest (Range, no
// compression) and the lines continue as if never interrupted, whether
// the server answers 206, ignores the range, or the file is a .gz.
func TestExportFile_ResumeFromAnOffset(t *testing.T) {
	e, c, _ := newBulkEHR(t)
	for _, tc := range []struct {
		file, typ   string
		wantRange   bool
		wantPartial bool
	}{
		{"Patient.ndjson", "Patient", true, true},
		{"Observation.ndjson", "Observation", true, true}, // gzip encoded when read whole
		{"NoRange.ndjson", "Patient", true, false},
		{"Condition.ndjson.gz", "Condition", false, false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := fhirclient.ExportFile{Type: tc.typ, URL: e.srv.URL + "/files/" + tc.file}
			r, err := c.OpenExportFile(context.Background(), f, fhirclient.FileOptions{AccessToken: true})
			if err != nil {
				t.Fatal(err)
			}
			for range 11 {
				if _, err := r.Next(); err != nil {
					t.Fatal(err)
				}
			}
			o := fhirclient.FileOptions{AccessToken: true, Offset: r.Offset(), Line: r.Line()}
			r.Close()
			before := len(e.requests("/files/"))
			rest, rr := readFile(t, c, f, o)
			if want := lines(e.files[tc.typ])[11:]; fmt.Sprint(rest) != fmt.Sprint(want) {
				t.Errorf("resumed with %d lines, want %d: %.80q…", len(rest), len(want), rest)
			}
			if rr.Line() != int64(len(lines(e.files[tc.typ]))) || rr.Offset() != int64(len(e.files[tc.typ])) {
				t.Errorf("after resuming: Line %d Offset %d", rr.Line(), rr.Offset())
			}
			got := e.requests("/files/")[before]
			wantRange := ""
			if tc.wantRange {
				wantRange = "bytes=" + strconv.FormatInt(o.Offset, 10) + "-"
			}
			if got.header.Get("Range") != wantRange || (tc.wantRange && got.header.Get("Accept-Encoding") != "identity") {
				t.Errorf("resume asked Range %q Accept-Encoding %q, want %q", got.header.Get("Range"), got.header.Get("Accept-Encoding"), wantRange)
			}
			if (got.status == http.StatusPartialContent) != tc.wantPartial {
				t.Errorf("server answered %d", got.status)
			}
		})
	}
}

// 404 and 410 (expired) are *Errors the runner reports and tests with
// ErrExportGone; neither is retried.
func TestExportFile_MissingAndExpired(t *testing.T) {
	e, c, _ := newBulkEHR(t)
	for file, status := range map[string]int{"Medication.ndjson": http.StatusNotFound, "expired.ndjson": http.StatusGone} {
		_, err := c.OpenExportFile(context.Background(), fhirclient.ExportFile{Type: "Medication", URL: e.srv.URL + "/files/" + file},
			fhirclient.FileOptions{AccessToken: true})
		var fe *fhirclient.Error
		if !errors.As(err, &fe) || fe.Status != status || !errors.Is(err, fhirclient.ErrExportGone) || fe.Outcome == nil {
			t.Errorf("%s: %v, want %d matching ErrExportGone", file, err, status)
		}
		if n := len(e.requests("/files/" + file)); n != 1 {
			t.Errorf("%s: %d requests, want 1", file, n)
		}
	}
}

// The token goes only to the FHIR server's origin: a redirect elsewhere
// drops it, a redirect home keeps it, a file elsewhere that wants it is
// refused, and redirects end after five.
func TestExportFile_TokenNeverLeavesTheFHIROrigin(t *testing.T) {
	e, c, _ := newBulkEHR(t)
	ctx := context.Background()
	got, _ := readFile(t, c, fhirclient.ExportFile{Type: "Encounter", URL: e.srv.URL + "/files/moved"}, fhirclient.FileOptions{AccessToken: true})
	if fmt.Sprint(got) != fmt.Sprint(lines(e.files["Encounter"])) {
		t.Errorf("the redirected file read %d lines", len(got))
	}
	blob := e.requests("/blob/")
	if len(blob) != 1 || blob[0].header.Get("Authorization") != "" {
		t.Fatalf("%d blob store requests, Authorization %v: the token followed the redirect", len(blob), len(blob) > 0 && blob[0].header.Get("Authorization") != "")
	}
	if moved := e.requests("/files/moved"); len(moved) != 1 || moved[0].token != "valid" {
		t.Errorf("the FHIR server's own hop: %+v", moved)
	}
	got, _ = readFile(t, c, fhirclient.ExportFile{Type: "Patient", URL: e.srv.URL + "/files/moved-here"}, fhirclient.FileOptions{AccessToken: true})
	if len(got) != len(lines(e.files["Patient"])) || e.requests("/files/Patient.ndjson")[0].token != "valid" {
		t.Errorf("a redirect on the same origin lost the token: %d lines", len(got))
	}
	_, err := c.OpenExportFile(ctx, fhirclient.ExportFile{Type: "Encounter", URL: e.blob.URL + "/blob/x.ndjson"}, fhirclient.FileOptions{AccessToken: true})
	if err == nil || len(e.requests("/blob/")) != 1 {
		t.Errorf("a file on another origin wanting the token: %v, blob requests %d", err, len(e.requests("/blob/")))
	}
	_, err = c.OpenExportFile(ctx, fhirclient.ExportFile{Type: "Patient", URL: e.srv.URL + "/files/loop"}, fhirclient.FileOptions{AccessToken: true})
	var fe *fhirclient.Error
	if !errors.As(err, &fe) || fe.Status != http.StatusFound || len(e.requests("/files/loop")) != 6 {
		t.Errorf("redirect loop: %v after %d requests, want a 302 error after 6", err, len(e.requests("/files/loop")))
	}
}

// Throttling before the body starts is retried; a body cut off is an
// error that is not io.EOF, after only whole lines.
func TestExportFile_ThrottledThenCutOff(t *testing.T) {
	e, c, _ := newBulkEHR(t)
	e.throttle = 2
	r, err := c.OpenExportFile(context.Background(), fhirclient.ExportFile{Type: "Patient", URL: e.srv.URL + "/files/cut.ndjson"},
		fhirclient.FileOptions{AccessToken: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n := len(e.requests("/files/cut.ndjson")); n != 3 {
		t.Errorf("%d requests, want 3 (two 429s retried)", n)
	}
	want := lines(e.files["Patient"])
	n := 0
	for ; ; n++ {
		line, err := r.Next()
		if err != nil {
			if err == io.EOF || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("cut-off body ended with %v, want an unexpected EOF", err)
			}
			break
		}
		if string(line) != want[n] {
			t.Fatalf("line %d is %.60q, want %.60q", n+1, line, want[n])
		}
	}
	if n == 0 || n >= len(want) || r.Offset() > int64(len(e.files["Patient"])/2+5) {
		t.Errorf("%d whole lines to offset %d before the cut", n, r.Offset())
	}
}

// Config.Timeout bounds pauses in a file's body, not the whole download:
// a file that keeps coming takes as long as it takes, one that stalls
// ends with an error that is not io.EOF.
func TestExportFile_TimeoutBoundsStallsNotDownloads(t *testing.T) {
	e, c, _ := newBulkEHR(t, func(cfg *fhirclient.Config) { cfg.Timeout = 200 * time.Millisecond })
	start := time.Now()
	got, _ := readFile(t, c, fhirclient.ExportFile{Type: "Patient", URL: e.srv.URL + "/files/slow.ndjson"}, fhirclient.FileOptions{AccessToken: true})
	if len(got) != 6 || time.Since(start) < 250*time.Millisecond {
		t.Errorf("slow file: %d lines in %v, want 6 over more than the timeout", len(got), time.Since(start))
	}
	r, err := c.OpenExportFile(context.Background(), fhirclient.ExportFile{Type: "Patient", URL: e.srv.URL + "/files/stall.ndjson"},
		fhirclient.FileOptions{AccessToken: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for ; ; n++ {
		if _, err = r.Next(); err != nil {
			break
		}
	}
	if n != 3 || err == io.EOF || !strings.Contains(err.Error(), "stalled") {
		t.Errorf("stalled file: %d lines then %v, want 3 then a stall error", n, err)
	}
}

// A file whose last line was checkpointed before the job stopped resumes
// at its very end: the Range asks for nothing, the server answers 416
// with the file's length, and the file is simply finished.
func TestExportFile_ResumeAtTheEndIsTheEnd(t *testing.T) {
	e, c, _ := newBulkEHR(t)
	data := e.files["Patient"]
	n := int64(len(lines(data)))
	got, r := readFile(t, c, fhirclient.ExportFile{Type: "Patient", URL: e.srv.URL + "/files/Patient.ndjson"},
		fhirclient.FileOptions{AccessToken: true, Offset: int64(len(data)), Line: n})
	if len(got) != 0 || r.Offset() != int64(len(data)) || r.Line() != n {
		t.Errorf("resumed at the end: %d lines, Offset %d, Line %d", len(got), r.Offset(), r.Line())
	}
	// Past the end is not the end: the file changed under us.
	_, err := c.OpenExportFile(context.Background(), fhirclient.ExportFile{Type: "Patient", URL: e.srv.URL + "/files/Patient.ndjson"},
		fhirclient.FileOptions{AccessToken: true, Offset: int64(len(data)) + 10, Line: n})
	if err == nil {
		t.Error("a resume past the end of the file succeeded")
	}
}
