package sandbox

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// compartmentTypes are the synthetic types that belong to a patient.
var compartmentTypes = []string{"AllergyIntolerance", "Condition", "Coverage", "Encounter", "MedicationRequest", "Observation", "Patient"}

func TestExport_GroupAllFullFlow(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: 300 * time.Millisecond, FileLines: 7}})
	before := time.Now().Add(-time.Millisecond)
	status := startExport(t, s, tok, "Group/all/$export", nil)
	m, waits := awaitManifest(t, s, tok, status)
	if waits == 0 {
		t.Error("the manifest came at the first poll: want 202s for 300 ms")
	}
	at, err := time.Parse(time.RFC3339Nano, m.TransactionTime)
	if err != nil || at.Before(before) || at.After(time.Now()) {
		t.Errorf("transactionTime %q (%v), want the kick-off time", m.TransactionTime, err)
	}
	if m.Request != s.BaseURL()+"/Group/all/$export" || !m.RequiresAccessToken || len(m.Error) != 0 {
		t.Errorf("manifest request %q requiresAccessToken %v error %v", m.Request, m.RequiresAccessToken, m.Error)
	}
	got := exported(t, s, tok, m)
	group := resourceOf(t, mustRead(t, s, tok, "Group/all"))
	members := map[string]bool{}
	for _, mem := range group["member"].([]any) {
		members[strings.TrimPrefix(mem.(map[string]any)["entity"].(map[string]any)["reference"].(string), "Patient/")] = true
	}
	for typ, res := range got {
		if !slices.Contains(compartmentTypes, typ) {
			t.Errorf("%d %s exported: not in a patient compartment", len(res), typ)
		}
		if want := searchTotal(t, s, tok, typ+"?"); len(res) != want {
			t.Errorf("%d %s exported, search finds %d", len(res), typ, want)
		}
		for _, r := range res {
			if !members[patientOf(r)] {
				t.Fatalf("%s/%s belongs to %q, not a member of Group/all", typ, r["id"], patientOf(r))
			}
		}
	}
	if len(got) != len(compartmentTypes) {
		t.Errorf("types exported %d, want %v", len(got), compartmentTypes)
	}
	files := 0
	for _, o := range m.Output {
		files++
		if o.Count > 7 || !strings.HasPrefix(o.URL, s.URL()+filesPath) {
			t.Errorf("output %+v: want at most 7 lines at %s", o, s.URL()+filesPath)
		}
	}
	st := s.Stats()
	if st.ExportKickOffs != 1 || st.ExportPolls != int64(waits+1) || st.ExportFiles != int64(files) {
		t.Errorf("stats %+v, want 1 kick-off, %d polls, %d files", st, waits+1, files)
	}
	logged := 0
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Path, filesPath) && r.Status == http.StatusOK && r.ClientID == "app" {
			logged++
		}
	}
	if logged != files {
		t.Errorf("%d file downloads logged, want %d", logged, files)
	}
}

func mustRead(t testing.TB, s *Server, tok, path string) []byte {
	t.Helper()
	resp, body := get(t, s, tok, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return body
}

func TestExport_SystemAndPatientLevel(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: -1}})
	_, system := runExport(t, s, tok, "$export", nil)
	for _, typ := range []string{"Patient", "Observation", "Practitioner", "Organization", "Location", "Group"} {
		if want := searchTotal(t, s, tok, typ+"?"); len(system[typ]) != want || want == 0 {
			t.Errorf("system export: %d %s, search finds %d", len(system[typ]), typ, want)
		}
	}
	_, patient := runExport(t, s, tok, "Patient/$export", nil)
	if _, ok := patient["Practitioner"]; ok {
		t.Error("a Patient-level export holds Practitioners")
	}
	for _, typ := range compartmentTypes {
		if len(patient[typ]) != len(system[typ]) {
			t.Errorf("Patient level: %d %s, system level %d", len(patient[typ]), typ, len(system[typ]))
		}
	}
}

func TestExport_TypeSinceAndTypeFilter(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: -1}})
	m, got := runExport(t, s, tok, "Patient/$export?_type=Patient,Condition", nil)
	if len(got) != 2 || len(got["Patient"]) == 0 || len(got["Condition"]) == 0 || len(m.Output) != 2 {
		t.Errorf("_type=Patient,Condition exported %d types over %d files", len(got), len(m.Output))
	}

	since := time.Now().Add(-time.Second).UTC().Format(time.RFC3339Nano)
	p := resourceOf(t, mustRead(t, s, tok, "Patient/pat-00002"))
	p["gender"] = "unknown"
	raw, _ := json.Marshal(p)
	if err := s.Put(raw); err != nil {
		t.Fatal(err)
	}
	_, got = runExport(t, s, tok, "$export?_since="+since, nil)
	if len(got) != 1 || len(got["Patient"]) != 1 || got["Patient"][0]["id"] != "pat-00002" {
		t.Errorf("_since %s exported %v, want just Patient/pat-00002", since, got)
	}

	_, got = runExport(t, s, tok, "Group/all/$export?_type=Observation&_typeFilter=Observation%3Fcategory%3Dlaboratory", nil)
	if want := searchTotal(t, s, tok, "Observation?category=laboratory"); len(got["Observation"]) != want || want == 0 {
		t.Errorf("_typeFilter: %d Observations, search finds %d", len(got["Observation"]), want)
	}
}

func TestExport_PostWithPatientAndElements(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: -1}})
	body := parameters("patient", "Patient/pat-00002", "_type", "Patient,Observation", "_elements", "Patient.gender,Observation.code")
	_, got := runExport(t, s, tok, "Patient/$export", body)
	if len(got["Patient"]) != 1 || got["Patient"][0]["id"] != "pat-00002" {
		t.Fatalf("patient parameter: Patients %v", got["Patient"])
	}
	if want := searchTotal(t, s, tok, "Observation?patient=pat-00002"); len(got["Observation"]) != want || want == 0 {
		t.Errorf("%d Observations, pat-00002 has %d", len(got["Observation"]), want)
	}
	pat := got["Patient"][0]
	want := []string{"gender", "id", "meta", "resourceType"}
	if keys := slices.Sorted(func(yield func(string) bool) {
		for k := range pat {
			yield(k)
		}
	}); !slices.Equal(keys, want) {
		t.Errorf("_elements=Patient.gender left %v, want %v", keys, want)
	}
	tags, _ := pat["meta"].(map[string]any)["tag"].([]any)
	if len(tags) != 1 || tags[0].(map[string]any)["code"] != "SUBSETTED" {
		t.Errorf("meta.tag %v, want SUBSETTED", tags)
	}
	for _, o := range got["Observation"] {
		if patientOf(o) != "" || o["code"] == nil {
			t.Fatalf("Observation kept %v", o)
		}
	}
}

func TestExport_KickOffRefusals(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{})
	req, _ := http.NewRequest(http.MethodGet, s.BaseURL()+"/$export", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusBadRequest || outcome(t, body).Code != "invalid" {
		t.Errorf("without Prefer: %d %s", resp.StatusCode, body)
	}
	for _, tc := range []struct {
		path string
		want int
	}{
		{"$export?_outputFormat=text/csv", http.StatusBadRequest},
		{"$export?_outputFormat=application/fhir%2Bndjson", http.StatusAccepted},
		{"$export?_outputFormat=ndjson", http.StatusAccepted},
		{"$export?_type=Patient,Spaceship", http.StatusBadRequest},
		{"$export?_since=yesterday", http.StatusBadRequest},
		{"$export?_typeFilter=Observation%3Fcolour%3Dred", http.StatusBadRequest},
		{"$export?includeAssociatedData=LatestProvenanceResources", http.StatusBadRequest},
		{"Group/nobody/$export", http.StatusNotFound},
		{"Patient/$export?patient=Patient/pat-00001", http.StatusBadRequest}, // POST only
	} {
		resp, body := kickOff(t, s, tok, tc.path, nil)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.path, resp.StatusCode, body, tc.want)
		}
	}
	resp, body = kickOff(t, s, tok, "Patient/$export", parameters("patient", "Patient/nobody"))
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown patient: %d %s", resp.StatusCode, body)
	}
	resp, body = kickOff(t, s, "not-a-token", "$export", nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad token: %d %s", resp.StatusCode, body)
	}
}

func TestExport_LenientIgnoresWhatItCannotDoInTheErrorFile(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: -1}})
	req, _ := http.NewRequest(http.MethodGet, s.BaseURL()+"/Patient/$export?_type=Patient&_typeFilter=Patient%3Fcolour%3Dred", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Prefer", "respond-async, handling=lenient")
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("lenient kick-off: %d %s", resp.StatusCode, body)
	}
	m, _ := awaitManifest(t, s, tok, resp.Header.Get("Content-Location"))
	if len(m.Error) != 1 || m.Error[0].Count != 1 {
		t.Fatalf("error files %+v, want one line", m.Error)
	}
	_, body = get(t, s, tok, m.Error[0].URL)
	if iss := outcome(t, body); iss.Code != "not-supported" || !strings.Contains(iss.Diagnostics, "colour") {
		t.Errorf("error line %s", body)
	}
	if got := exported(t, s, tok, m); len(got["Patient"]) != searchTotal(t, s, tok, "Patient?") {
		t.Errorf("lenient export left out Patients: %d", len(got["Patient"]))
	}
}

func TestExport_ScopesLimitTypes(t *testing.T) {
	t.Parallel()
	s, _ := start(t, Options{Export: ExportOptions{Delay: -1}})
	patOnly := token(t, s, rs384(t, "rsa-1", 1), "app", "system/Patient.read")
	m, got := runExport(t, s, patOnly, "Patient/$export?_type=Patient,Condition", nil)
	if len(got) != 1 || len(got["Patient"]) == 0 {
		t.Errorf("a Patient.read token exported %d types", len(got))
	}
	if len(m.Error) != 1 {
		t.Fatalf("error files %+v", m.Error)
	}
	_, body := get(t, s, patOnly, m.Error[0].URL)
	if iss := outcome(t, body); iss.Code != "forbidden" || !strings.Contains(iss.Diagnostics, "Condition") {
		t.Errorf("error line %s", body)
	}
	resp, body := kickOff(t, s, patOnly, "$export?_type=Condition", nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("no readable type: %d %s", resp.StatusCode, body)
	}
}

func TestExport_CancelDeletesJobAndFiles(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: -1}})
	status := startExport(t, s, tok, "Patient/$export?_type=Patient", nil)
	m, _ := awaitManifest(t, s, tok, status)
	req, _ := http.NewRequest(http.MethodDelete, status, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, body := do(t, req); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("DELETE: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, s, tok, status); resp.StatusCode != http.StatusNotFound {
		t.Errorf("status after DELETE: %d", resp.StatusCode)
	}
	if resp, _ := get(t, s, tok, m.Output[0].URL); resp.StatusCode != http.StatusNotFound {
		t.Errorf("file after DELETE: %d", resp.StatusCode)
	}
	if resp, _ := do(t, req); resp.StatusCode != http.StatusNotFound {
		t.Errorf("second DELETE: %d", resp.StatusCode)
	}
}

// oneFile runs an export of Observations into one file and returns its
// URL and identity bytes.
func oneFile(t testing.TB, s *Server, tok string) (string, []byte) {
	t.Helper()
	m, _ := awaitManifest(t, s, tok, startExport(t, s, tok, "Patient/$export?_type=Observation", nil))
	if len(m.Output) != 1 {
		t.Fatalf("want one file, manifest %+v", m.Output)
	}
	// Go's transport asks for gzip (and decodes it) unless told otherwise.
	resp, body := getWith(t, tok, m.Output[0].URL, "Accept-Encoding", "identity")
	if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(body)) || len(body) < 10_000 {
		t.Fatalf("file: %d Content-Length %d, %d bytes", resp.StatusCode, resp.ContentLength, len(body))
	}
	return m.Output[0].URL, body
}

// getWith is get with extra request headers.
func getWith(t testing.TB, tok, u string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return do(t, req)
}

func TestExport_GzipDecodesToTheSameLines(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: -1, Gzip: true}})
	u, plain := oneFile(t, s, tok)
	// Setting Accept-Encoding by hand stops the transport from decoding.
	resp, zipped := getWith(t, tok, u, "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || len(zipped) >= len(plain) {
		t.Fatalf("Content-Encoding %q, %d bytes for %d", resp.Header.Get("Content-Encoding"), len(zipped), len(plain))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, plain) {
		t.Errorf("gzip body decodes to %d bytes (%v), identity has %d", len(unzipped), err, len(plain))
	}
}

func TestExport_RangeResumesByteExact(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: -1}})
	u, full := oneFile(t, s, tok)
	at := len(full)/2 + 3 // mid-line, most likely
	resp, tail := getWith(t, tok, u, "Range", fmt.Sprintf("bytes=%d-", at))
	want := fmt.Sprintf("bytes %d-%d/%d", at, len(full)-1, len(full))
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Range") != want || !bytes.Equal(tail, full[at:]) {
		t.Errorf("Range: %d Content-Range %q (want %q), tail equal %v", resp.StatusCode, resp.Header.Get("Content-Range"), want, bytes.Equal(tail, full[at:]))
	}
	resp, _ = getWith(t, tok, u, "Range", fmt.Sprintf("bytes=%d-", len(full)))
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("Range past the end: %d", resp.StatusCode)
	}
}

func TestExport_DropFileAfterCutsMidLineAndRangeResumes(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: -1}})
	u, full := oneFile(t, s, tok)
	const cut = 4001
	s.SetFaults(Faults{DropFileAfter: cut})
	var got []byte
	cuts, midLine := 0, false
	for tries := 0; len(got) < len(full); tries++ {
		if tries > len(full)/cut+1 {
			t.Fatalf("no progress after %d tries: %d of %d bytes", tries, len(got), len(full))
		}
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if len(got) > 0 {
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-", len(got)))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		part, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if int64(len(part)) < resp.ContentLength {
			if err == nil || len(part) != cut {
				t.Fatalf("cut response: %d bytes of %d, error %v", len(part), resp.ContentLength, err)
			}
			cuts++
			midLine = midLine || part[len(part)-1] != '\n'
		} else if err != nil {
			t.Fatal(err)
		}
		got = append(got, part...)
	}
	if !bytes.Equal(got, full) || cuts < 2 || !midLine {
		t.Errorf("resumed file equal %v after %d cuts (one mid-line: %v)", bytes.Equal(got, full), cuts, midLine)
	}
}

func TestExport_FaultsReachExportRequests(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: -1}})
	status := startExport(t, s, tok, "Patient/$export?_type=Patient", nil)
	s.SetFaults(Faults{Every5xx: 1})
	resp, body := get(t, s, tok, status)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || outcome(t, body).Code != "transient" {
		t.Errorf("status under Every5xx: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	s.SetFaults(Faults{Every429: 1})
	if resp, _ := kickOff(t, s, tok, "$export", nil); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("kick-off under Every429: %d", resp.StatusCode)
	}
	s.SetFaults(Faults{ExportFail: true})
	resp, body = get(t, s, tok, startExport(t, s, tok, "$export", nil))
	if iss := outcome(t, body); resp.StatusCode != http.StatusInternalServerError || iss.Code != "exception" {
		t.Errorf("ExportFail: %d %+v", resp.StatusCode, iss)
	}
	s.SetFaults(Faults{})
	if m, _ := awaitManifest(t, s, tok, status); len(m.Output) != 1 {
		t.Errorf("manifest %+v", m)
	}
}

func TestExport_ExportErrorsWritesAnErrorFile(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: -1}})
	s.SetFaults(Faults{ExportErrors: true})
	m, got := runExport(t, s, tok, "Patient/$export?_type=Patient,Condition", nil)
	if len(m.Error) != 1 || m.Error[0].Count != 2 || m.Error[0].Type != "OperationOutcome" {
		t.Fatalf("error files %+v, want one with a line per type", m.Error)
	}
	_, body := get(t, s, tok, m.Error[0].URL)
	for _, line := range ndjson(t, body) {
		raw, _ := json.Marshal(line)
		if iss := outcome(t, raw); iss.Code != "processing" {
			t.Errorf("error line %s", raw)
		}
	}
	for _, typ := range []string{"Patient", "Condition"} {
		if want := searchTotal(t, s, tok, typ+"?") - 1; len(got[typ]) != want {
			t.Errorf("%d %s exported, want %d (one failed)", len(got[typ]), typ, want)
		}
	}
}

func TestExport_FilesExpireAndNeedTheToken(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: -1, FileExpiry: 300 * time.Millisecond}})
	m, _ := awaitManifest(t, s, tok, startExport(t, s, tok, "Patient/$export?_type=Patient", nil))
	if resp, _ := getWith(t, "", m.Output[0].URL); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("file without token: %d", resp.StatusCode)
	}
	if resp, _ := get(t, s, tok, m.Output[0].URL); resp.StatusCode != http.StatusOK {
		t.Errorf("file with token: %d", resp.StatusCode)
	}
	time.Sleep(400 * time.Millisecond)
	if resp, body := get(t, s, tok, m.Output[0].URL); resp.StatusCode != http.StatusGone {
		t.Errorf("expired file: %d %s", resp.StatusCode, body)
	}

	open, otok := start(t, Options{Export: ExportOptions{Delay: -1, OpenFiles: true}})
	status := startExport(t, open, otok, "Patient/$export?_type=Patient", nil)
	if resp, _ := getWith(t, "", status); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status without token: %d", resp.StatusCode)
	}
	m, _ = awaitManifest(t, open, otok, status)
	if resp, _ := getWith(t, "", m.Output[0].URL); resp.StatusCode != http.StatusOK || m.RequiresAccessToken {
		t.Errorf("OpenFiles: %d without token, requiresAccessToken %v", resp.StatusCode, m.RequiresAccessToken)
	}
}

func TestExport_TooManyJobsIs429(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: time.Minute, MaxJobs: 1}})
	status := startExport(t, s, tok, "$export", nil)
	resp, _ := kickOff(t, s, tok, "$export", nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("second job: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	req, _ := http.NewRequest(http.MethodDelete, status, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	do(t, req)
	if resp, body := kickOff(t, s, tok, "$export", nil); resp.StatusCode != http.StatusAccepted {
		t.Errorf("after cancelling the first: %d %s", resp.StatusCode, body)
	}
}

// TestExport_BulkObservationsStreamInBoundedMemory serves 50,000
// synthetic Observations (about 50 MB) as one file and checks that
// serving and reading it allocate a small fraction of that: the file is
// generated as it is sent, never built whole. Not parallel, so that the
// allocation count is this test's alone.
func TestExport_BulkObservationsStreamInBoundedMemory(t *testing.T) {
	const bulk = 50_000
	s, tok := start(t, Options{Population: 3, Export: ExportOptions{Delay: -1, BulkSize: bulk, FileLines: 100_000}})
	m, _ := awaitManifest(t, s, tok, startExport(t, s, tok, "Group/all/$export?_type=Observation", nil))
	stored := searchTotal(t, s, tok, "Observation?")
	if len(m.Output) != 1 || m.Output[0].Count != stored+bulk {
		t.Fatalf("manifest %+v, want one file of %d lines", m.Output, stored+bulk)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	req, _ := http.NewRequest(http.MethodGet, m.Output[0].URL, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	var size int64
	lines, subjects := 0, map[string]bool{}
	for {
		line, err := br.ReadSlice('\n')
		if err == io.EOF && len(line) == 0 {
			break
		}
		if err != nil || !json.Valid(line) {
			t.Fatalf("line %d: %v: %.200s", lines+1, err, line)
		}
		if lines >= stored && lines%997 == 0 { // decode a sample in full
			o := resourceOf(t, line)
			meta := o["meta"].(map[string]any)
			if o["resourceType"] != "Observation" || meta["versionId"] != "1" || meta["lastUpdated"] != instant(synthEpoch) || len(line) < 800 {
				t.Fatalf("bulk line %d: %.300s", lines+1, line)
			}
			subjects[patientOf(o)] = true
		}
		size += int64(len(line))
		lines++
	}
	runtime.ReadMemStats(&after)
	if lines != stored+bulk || size != resp.ContentLength || size < 40<<20 {
		t.Fatalf("%d lines, %d bytes of Content-Length %d", lines, size, resp.ContentLength)
	}
	if len(subjects) != 3 || !subjects["pat-00001"] {
		t.Errorf("bulk subjects %v, want the 3 synthetic patients", subjects)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(size)/10 { // built whole, it would cost the size at least
		t.Errorf("serving and reading %d MB allocated %d MB: the file is not streamed", size>>20, alloc>>20)
	} else {
		t.Logf("%d MB served with %d KB allocated", size>>20, alloc>>10)
	}
}

func TestExport_BulkFollowsGroupMembersAndFilters(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Population: 4, Export: ExportOptions{Delay: -1, BulkSize: 1000}})
	body := parameters("patient", "Patient/pat-00002", "_type", "Observation")
	_, got := runExport(t, s, tok, "Group/all/$export", body)
	stored := searchTotal(t, s, tok, "Observation?patient=pat-00002")
	if len(got["Observation"]) != stored+250 {
		t.Errorf("%d Observations of pat-00002, want %d stored + 250 bulk", len(got["Observation"]), stored)
	}
	for _, o := range got["Observation"] {
		if patientOf(o) != "pat-00002" {
			t.Fatalf("Observation of %s", patientOf(o))
		}
	}
	group := `{"resourceType":"Group","id":"two","type":"person","actual":true,"member":[` +
		`{"entity":{"reference":"Patient/pat-00001"}},{"entity":{"reference":"Patient/pat-00003"}}]}`
	if err := s.Put(json.RawMessage(group)); err != nil {
		t.Fatal(err)
	}
	_, got = runExport(t, s, tok, "Group/two/$export", nil)
	for _, typ := range compartmentTypes {
		want := searchTotal(t, s, tok, typ+"?_id=pat-00001,pat-00003")
		if typ != "Patient" {
			want = searchTotal(t, s, tok, typ+"?patient=pat-00001,pat-00003")
		}
		if typ == "Observation" {
			want += 500 // bulk Observations 0, 2, 4... of 4 patients
		}
		if len(got[typ]) != want {
			t.Errorf("Group/two: %d %s, want %d", len(got[typ]), typ, want)
		}
	}
	_, got = runExport(t, s, tok, "$export?_type=Observation&_typeFilter=Observation%3Fcode%3Dhttp://loinc.org%7C4548-4", nil)
	bulkA1c := 0
	for _, o := range got["Observation"] {
		if code := o["code"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"]; code != "4548-4" {
			t.Fatalf("_typeFilter code=4548-4 let %v through", code)
		}
		if strings.HasPrefix(o["id"].(string), "bulk-") {
			bulkA1c++
		}
	}
	if bulkA1c == 0 || bulkA1c > 300 {
		t.Errorf("%d bulk HbA1c Observations of 1000 (one test in 7)", bulkA1c)
	}
	_, got = runExport(t, s, tok, "$export?_type=Observation&_since="+instant(synthEpoch), nil)
	if len(got["Observation"]) != 0 {
		t.Errorf("_since the synthetic epoch exported %d Observations", len(got["Observation"]))
	}
}

// BenchmarkExportFile measures serving generated Observations: "http" is
// a whole file over loopback HTTP read by a plain client, "generate" the
// generator writing to io.Discard. The client's ingest goal is 50 MB/s.
func BenchmarkExportFile(b *testing.B) {
	const bulk = 20_000
	s, tok := start(b, Options{Population: 1, Export: ExportOptions{Delay: -1, BulkSize: bulk, FileLines: bulk}})
	m, _ := awaitManifest(b, s, tok, startExport(b, s, tok, "$export?_type=Observation", nil))
	if len(m.Output) == 0 || m.Output[0].Count != bulk {
		b.Fatalf("manifest %+v", m.Output)
	}
	b.Run("http", func(b *testing.B) {
		req, _ := http.NewRequest(http.MethodGet, m.Output[0].URL, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept-Encoding", "identity")
		var n int64
		for b.Loop() {
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			n, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil || n != resp.ContentLength {
				b.Fatalf("%d bytes: %v", n, err)
			}
		}
		b.SetBytes(n)
	})
	b.Run("generate", func(b *testing.B) {
		f := &exportFile{src: bulkLines{gen: s.bulk, n: bulk}, hi: bulk}
		size := f.length()
		b.SetBytes(size)
		for b.Loop() {
			if err := f.writeRange(io.Discard, 0, size); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestExport_JobsAreTheirClientsOwn(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: -1}})
	if err := s.AddClient(Client{ID: "other", JWKS: jwks(es384(t, "ec-2", 2))}); err != nil {
		t.Fatal(err)
	}
	other := token(t, s, es384(t, "ec-2", 2), "other", "system/*.read")
	status := startExport(t, s, tok, "Patient/$export?_type=Patient", nil)
	if resp, _ := get(t, s, other, status); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another client's status: %d", resp.StatusCode)
	}
	m, _ := awaitManifest(t, s, tok, status)
	if resp, _ := get(t, s, other, m.Output[0].URL); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another client's file: %d", resp.StatusCode)
	}
}

func TestExport_FaultsSwitchAtRunTimeOverAdmin(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Export: ExportOptions{Delay: -1}})
	body := `{"export_fail": true, "export_errors": true, "drop_file_after": 512, "malformed_every": 7}`
	req, _ := http.NewRequest(http.MethodPut, s.URL()+adminPath+"/faults", strings.NewReader(body))
	if resp, out := do(t, req); resp.StatusCode != http.StatusOK || !strings.Contains(string(out), `"drop_file_after":512`) {
		t.Fatalf("PUT faults: %d %s", resp.StatusCode, out)
	}
	if f := s.Faults(); !f.ExportFail || !f.ExportErrors || f.DropFileAfter != 512 || f.MalformedEvery != 7 {
		t.Errorf("faults %+v", f)
	}
	if resp, _ := get(t, s, tok, startExport(t, s, tok, "$export", nil)); resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status with export_fail: %d", resp.StatusCode)
	}
}
