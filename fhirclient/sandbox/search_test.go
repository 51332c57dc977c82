package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/hl7"
)

func TestRead(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{})
	resp, body := get(t, s, tok, "Patient/pat-00001")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/fhir+json" {
		t.Fatalf("%d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	p := resourceOf(t, body)
	meta, _ := p["meta"].(map[string]any)
	if p["resourceType"] != "Patient" || p["id"] != "pat-00001" || meta["versionId"] != "1" || meta["lastUpdated"] == nil {
		t.Errorf("read gave %s", body)
	}
	if resp.Header.Get("ETag") != `W/"1"` {
		t.Errorf("ETag %q", resp.Header.Get("ETag"))
	}
	resp, body = get(t, s, tok, "Patient/nobody")
	if resp.StatusCode != http.StatusNotFound || outcome(t, body).Code != "not-found" {
		t.Errorf("missing patient: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, s, tok, "Spaceship/1")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(outcome(t, body).Diagnostics, "Spaceship") {
		t.Errorf("unknown type: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodDelete, s.BaseURL()+"/Patient/pat-00001", nil)
	if resp, body := do(t, req); resp.StatusCode != http.StatusMethodNotAllowed || outcome(t, body).Code != "not-supported" {
		t.Errorf("DELETE: %d %s", resp.StatusCode, body)
	}
}

// Following next links visits every match once; the pages add up to
// Bundle.total; the client never builds a page URL itself.
func TestSearch_PagingFollowsNextLinks(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Population: 23})
	first := search(t, s, tok, "Patient?_count=7")
	want := 23 + countSamplePatients()
	if first.Total != want || first.Type != "searchset" || len(first.Entry) != 7 {
		t.Fatalf("first page: total %d (want %d), %d entries, type %s", first.Total, want, len(first.Entry), first.Type)
	}
	seen := map[string]bool{}
	pages := 0
	for page := first; ; {
		pages++
		for _, e := range page.Entry {
			p := resourceOf(t, e.Resource)
			id := p["id"].(string)
			if seen[id] {
				t.Errorf("patient %s on two pages", id)
			}
			seen[id] = true
			if e.FullURL != s.BaseURL()+"/Patient/"+id || e.Search.Mode != "match" {
				t.Errorf("entry %s: fullUrl %s mode %s", id, e.FullURL, e.Search.Mode)
			}
		}
		next := page.next()
		if next == "" {
			break
		}
		if !strings.HasPrefix(next, s.BaseURL()+"/Patient?") {
			t.Fatalf("next link %s is not on the server", next)
		}
		page = search(t, s, tok, next)
		if page.Total != want {
			t.Errorf("total changed to %d on page %d", page.Total, pages)
		}
	}
	if len(seen) != want || pages != (want+6)/7 {
		t.Errorf("%d patients over %d pages, want %d over %d", len(seen), pages, want, (want+6)/7)
	}
	// Resources added meanwhile do not shift a search under way.
	mid := search(t, s, tok, "Patient?_count=10")
	if err := s.Put(json.RawMessage(`{"resourceType":"Patient","id":"late-comer"}`)); err != nil {
		t.Fatal(err)
	}
	if p := search(t, s, tok, mid.next()); p.Total != want {
		t.Errorf("a stored search changed: total %d", p.Total)
	}
	resp, body := get(t, s, tok, "Patient?_page=forged.0")
	if resp.StatusCode != http.StatusGone || outcome(t, body).Code != "not-found" {
		t.Errorf("forged page: %d %s", resp.StatusCode, body)
	}
}

func TestSearch_CountAndPost(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{PageSize: 4})
	if b := search(t, s, tok, "Patient"); len(b.Entry) != 4 || b.next() == "" {
		t.Errorf("default page size 4: %d entries", len(b.Entry))
	}
	if b := search(t, s, tok, "Patient?_count=0"); len(b.Entry) != 0 || b.Total == 0 || b.next() != "" {
		t.Errorf("_count=0: %d entries, total %d", len(b.Entry), b.Total)
	}
	if b := search(t, s, tok, "Patient?_count=5000"); len(b.Entry) != b.Total {
		t.Errorf("_count above 1000 is capped, not refused: %d of %d", len(b.Entry), b.Total)
	}
	form := url.Values{"family": {"EVERYMAN"}, "_count": {"10"}}
	req, _ := http.NewRequest(http.MethodPost, s.BaseURL()+"/Patient/_search", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, body := do(t, req)
	var b searchBundle
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &b) != nil || b.Total != 1 {
		t.Errorf("POST _search: %d %s", resp.StatusCode, body)
	}
}

// Each sample message's patient is found by MRN, as the engine's default
// channels look it up. The MRNs are read from testdata/ here, so a new
// sample without a row in samples fails this test.
func TestSamples_EveryTestdataMessageHasItsPatient(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Population: -1})
	files, _ := filepath.Glob("../../testdata/*.hl7")
	more, _ := filepath.Glob("../../testdata/synthetic/*.hl7")
	files = append(files, more...)
	if len(files) < 20 {
		t.Fatalf("found %d sample files", len(files))
	}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range hl7.SplitBatch(data) {
			m, err := hl7.Parse(raw)
			if err != nil {
				continue // the engine NAKs it before any lookup
			}
			mrn := m.Get("PID-3[1].1")
			b := search(t, s, tok, "Patient?identifier="+url.QueryEscape(MRNSystem+"|"+mrn))
			if b.Total != 1 {
				t.Errorf("%s: MRN %q: %d patients", filepath.Base(f), mrn, b.Total)
				continue
			}
			if vn := m.Get("PV1-19.1"); vn != "" {
				e := search(t, s, tok, "Encounter?identifier="+url.QueryEscape(vn)+"&patient="+patientID(t, b))
				if e.Total != 1 {
					t.Errorf("%s: visit %q: %d encounters", filepath.Base(f), vn, e.Total)
				}
			}
			checked++
		}
	}
	if checked < 25 {
		t.Errorf("only %d messages checked", checked)
	}
	b := search(t, s, tok, "Patient?identifier=PATID1234")
	if b.Total != 1 || !strings.Contains(string(b.Entry[0].Resource), `"EVERYMAN"`) {
		t.Errorf("value-only identifier search: %d", b.Total)
	}
}

func patientID(t *testing.T, b searchBundle) string {
	return resourceOf(t, b.Entry[0].Resource)["id"].(string)
}

func countSamplePatients() int {
	seen := map[string]bool{}
	for _, s := range samples {
		seen[s.mrn] = true
	}
	return len(seen)
}

func TestSearch_Parameters(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Population: 30})
	total := func(q string) int { return search(t, s, tok, q).Total }
	all := total("Observation?patient=pat-00002")
	vitals := total("Observation?patient=Patient/pat-00002&category=vital-signs")
	labs := total("Observation?patient=" + url.QueryEscape(s.BaseURL()+"/Patient/pat-00002") + "&category=" + url.QueryEscape(obsCatSystem+"|laboratory"))
	if all == 0 || vitals == 0 || vitals+labs != all {
		t.Errorf("observations %d = vital signs %d + labs %d?", all, vitals, labs)
	}
	hr := search(t, s, tok, "Observation?patient=pat-00002&code="+url.QueryEscape(loincSystem+"|8867-4"))
	for _, e := range hr.Entry {
		if !strings.Contains(string(e.Resource), `"8867-4"`) || !strings.Contains(string(e.Resource), `"/min"`) {
			t.Errorf("heart rate search gave %s", e.Resource)
		}
	}
	if hr.Total == 0 || total("Observation?patient=pat-00002&code=8867-4,8310-5") != 2*hr.Total {
		t.Errorf("code OR: %d heart rates", hr.Total)
	}
	early, late := total("Observation?date=lt2024-06-01"), total("Observation?date=ge2024-06-01")
	if early == 0 || late == 0 || early+late != total("Observation") {
		t.Errorf("date split %d + %d != %d", early, late, total("Observation"))
	}
	if n := total("Observation?date=ge2024-01-01&date=le2023-12-31"); n != 0 {
		t.Errorf("impossible date range matched %d", n)
	}
	for _, q := range []string{"Condition", "MedicationRequest", "AllergyIntolerance"} {
		if n, sum := total(q), sumOver(t, s, tok, q+"?patient=", 30); n != sum {
			t.Errorf("%s: %d in all, %d summed over patients", q, n, sum)
		}
	}
	if total("Coverage?patient=pat-00003") != 1 || total("Coverage?beneficiary=Patient/pat-00003") != 1 {
		t.Error("coverage by patient or beneficiary")
	}
	npiValue := practitioners[0].npi
	if total("Practitioner?identifier="+url.QueryEscape(NPISystem+"|"+npiValue)) != 1 || total("Practitioner?_id=prac-2") != 1 {
		t.Error("practitioner by NPI or _id")
	}
	if total("Location?identifier=ED") != 1 || total("Organization?identifier=SBXHP") != 1 || total("Location?_id=loc-ed,loc-4w") != 2 {
		t.Error("location and organization searches")
	}
	p := resourceOf(t, search(t, s, tok, "Patient?_id=pat-00004").Entry[0].Resource)
	name := p["name"].([]any)[0].(map[string]any)
	family, birth := name["family"].(string), p["birthDate"].(string)
	if n := total("Patient?family=" + url.QueryEscape(strings.ToLower(family[:3])) + "&birthdate=" + birth); n < 1 {
		t.Errorf("family prefix %q and birthdate %s found nothing", family[:3], birth)
	}
	if total("Patient?birthdate="+birth[:4]) < 1 || total("Patient?birthdate=gt"+birth+"&_id=pat-00004") != 0 {
		t.Error("birthdate precision and prefixes")
	}
	if total("Patient?family:exact="+url.QueryEscape(strings.ToLower(family))+"&_id=pat-00004") != 0 {
		t.Error(":exact is case-sensitive")
	}
	g := resourceOf(t, search(t, s, tok, "Group?_id=all").Entry[0].Resource)
	if members := g["member"].([]any); len(members) != total("Patient") {
		t.Errorf("Group/all has %d members, %d patients", len(members), total("Patient"))
	}
}

func sumOver(t *testing.T, s *Server, tok, prefix string, n int) int {
	sum := 0
	for i := 1; i <= n; i++ {
		sum += search(t, s, tok, fmt.Sprintf("%spat-%05d", prefix, i)).Total
	}
	return sum
}

// Epic refuses what it does not support; so does the sandbox, naming the
// parameter.
func TestSearch_RefusesUnknownParameters(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{})
	for q, want := range map[string]string{
		"Patient?name=x&shoe-size=42":         `unknown search parameter "shoe-size" for Patient`,
		"Observation?patient=1&subject=1":     `"subject"`,
		"Patient?_sort=family":                `"_sort"`,
		"Patient?identifier:text=x":           `modifier :text is not supported on search parameter "identifier"`,
		"Observation?date=2024-13-45":         `search parameter "date"`,
		"Observation?date=sa2024-01-01":       `prefix "sa"`,
		"Patient?_count=many":                 "_count",
		"Patient?identifier=":                 "empty value",
		"Condition?patient=1&clinical-status": `"clinical-status"`,
	} {
		resp, body := get(t, s, tok, q)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
			continue
		}
		if d := outcome(t, body).Diagnostics; !strings.Contains(d, want) {
			t.Errorf("%s: %q does not say %q", q, d, want)
		}
	}
}

// Search values honour FHIR escaping: "\," is a comma inside a value, not
// an OR; "\|" a bar inside the code.
func TestSearch_EscapedValues(t *testing.T) {
	s, tok := start(t, Options{Population: 1})
	for _, raw := range []string{
		`{"resourceType":"Patient","id":"comma","identifier":[{"system":"urn:x","value":"A,B"}]}`,
		`{"resourceType":"Patient","id":"a","identifier":[{"system":"urn:x","value":"A"}]}`,
		`{"resourceType":"Patient","id":"bar","identifier":[{"system":"urn:x","value":"C|D"}]}`,
	} {
		if err := s.Put([]byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	for q, want := range map[string]string{
		`identifier=urn:x|A\,B`:      "comma",
		`identifier=urn:x|A,urn:x|B`: "a",
		`identifier=urn:x|C\|D`:      "bar",
		`identifier=urn:x|C`:         "",
	} {
		b := search(t, s, tok, "Patient?"+strings.ReplaceAll(url.QueryEscape(q), "%3D", "="))
		var ids []string
		for _, e := range b.Entry {
			var r struct{ ID string }
			json.Unmarshal(e.Resource, &r)
			ids = append(ids, r.ID)
		}
		if strings.Join(ids, ",") != want {
			t.Errorf("%s: matched %v, want %q", q, ids, want)
		}
	}
}
