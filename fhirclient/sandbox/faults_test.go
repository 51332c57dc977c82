package sandbox

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFaults_Every429WithRetryAfterSecondsAndDate(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Faults: Faults{Every429: 3, RetryAfter: 2500 * time.Millisecond}})
	var statuses []int
	for range 6 {
		resp, body := get(t, s, tok, "Patient?_count=1")
		statuses = append(statuses, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			if ra := resp.Header.Get("Retry-After"); ra != "3" {
				t.Errorf("Retry-After %q, want 3 (2.5 s rounded up)", ra)
			}
			if outcome(t, body).Code != "throttled" {
				t.Errorf("429 body %s", body)
			}
		}
	}
	if want := []int{200, 200, 429, 200, 200, 429}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	s.SetFaults(Faults{Every429: 1, RetryAfterDate: true})
	before := time.Now()
	resp, _ := get(t, s, tok, "Patient?_count=1")
	at, err := http.ParseTime(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusTooManyRequests || err != nil {
		t.Fatalf("%d Retry-After %q: %v", resp.StatusCode, resp.Header.Get("Retry-After"), err)
	}
	if d := at.Sub(before); d < time.Second || d > 3*time.Second {
		t.Errorf("Retry-After date is %v ahead, want about 1 s (the default)", d)
	}
	st := s.Stats()
	if st.Throttled != 3 || st.FHIRRequests != 7 {
		t.Errorf("stats %+v: want 3 throttled of 7", st)
	}
	n429 := 0
	for _, r := range s.Requests() {
		if r.Status == http.StatusTooManyRequests {
			n429++
			if r.ClientID != "app" || !strings.HasSuffix(r.Path, "/Patient") || r.Query != "_count=1" {
				t.Errorf("logged %+v", r)
			}
		}
	}
	if n429 != 3 {
		t.Errorf("%d 429s in the request log, want 3", n429)
	}
}

func TestFaults_RateLimitThrottlesABurst(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Faults: Faults{RateLimit: 5}})
	start := time.Now()
	ok, throttled := 0, 0
	for range 12 {
		resp, _ := get(t, s, tok, "Patient/pat-00001")
		switch resp.StatusCode {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			throttled++
			if resp.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		default:
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	// A burst of 5, then 5 a second.
	allowed := 5 + int(time.Since(start).Seconds()*5) + 1
	if ok < 5 || ok > allowed || throttled == 0 {
		t.Errorf("%d served, %d throttled in %v; want 5..%d served", ok, throttled, time.Since(start), allowed)
	}
	if s.Stats().Throttled != int64(throttled) {
		t.Errorf("Stats.Throttled %d, saw %d", s.Stats().Throttled, throttled)
	}
	s.SetFaults(Faults{})
	if resp, _ := get(t, s, tok, "Patient/pat-00001"); resp.StatusCode != http.StatusOK {
		t.Errorf("faults off: %d", resp.StatusCode)
	}
}

func TestFaults_Every5xxIsTransient(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Faults: Faults{Every5xx: 2}})
	var statuses []int
	for range 4 {
		resp, body := get(t, s, tok, "Observation?_count=1")
		statuses = append(statuses, resp.StatusCode)
		if resp.StatusCode == http.StatusServiceUnavailable {
			if iss := outcome(t, body); iss.Code != "transient" || iss.Severity != "error" {
				t.Errorf("503 outcome %+v", iss)
			}
			if resp.Header.Get("Retry-After") != "1" {
				t.Errorf("Retry-After %q, want the default 1", resp.Header.Get("Retry-After"))
			}
		}
	}
	if want := []int{200, 503, 200, 503}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	if st := s.Stats(); st.Transient != 2 || st.Throttled != 0 {
		t.Errorf("stats %+v", st)
	}
	// SetFaults starts the count again: the third request from now fails.
	s.SetFaults(Faults{Every5xx: 3})
	statuses = statuses[:0]
	for range 3 {
		resp, _ := get(t, s, tok, "Observation?_count=1")
		statuses = append(statuses, resp.StatusCode)
	}
	if want := []int{200, 200, 503}; !slices.Equal(statuses, want) {
		t.Errorf("after SetFaults: statuses %v, want %v", statuses, want)
	}
	// The token endpoint is never failed.
	token(t, s, es384(t, "ec-1", 1), "app", "system/Patient.read")
}

func TestFaults_Latency(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{Faults: Faults{Latency: 150 * time.Millisecond}})
	t0 := time.Now()
	if resp, _ := get(t, s, tok, "Patient?_count=1"); resp.StatusCode != http.StatusOK {
		t.Fatal(resp.Status)
	}
	if d := time.Since(t0); d < 150*time.Millisecond {
		t.Errorf("answered in %v despite 150ms latency", d)
	}
}

// An operator switches throttling on in a running sandbox over HTTP.
func TestAdmin_FaultsSwitchAtRunTime(t *testing.T) {
	s, _ := start(t, Options{Population: 1})
	put := func(body string) *http.Response {
		req, _ := http.NewRequest(http.MethodPut, s.URL()+"/_sandbox/faults", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := put(`{"every_429": 2, "retry_after": "3s"}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT faults: %s", resp.Status)
	}
	if f := s.Faults(); f.Every429 != 2 || f.RetryAfter != 3*time.Second {
		t.Errorf("faults %+v", f)
	}
	for _, bad := range []string{`{"every_429": -1}`, `{"retry_after": "soon"}`, `{"every429": 2}`, `not json`} {
		if resp := put(bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("PUT %s: %s, want 400", bad, resp.Status)
		}
	}
	if f := s.Faults(); f.Every429 != 2 {
		t.Errorf("a refused PUT changed the faults: %+v", f)
	}
	resp, err := http.Get(s.URL() + "/_sandbox/stats")
	if err != nil {
		t.Fatal(err)
	}
	var st Stats
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("stats: %v %s", err, resp.Status)
	}
}
