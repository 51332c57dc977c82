package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// adminPath serves the sandbox's own controls, outside the FHIR base: an
// operator switches throttling on in a running demo with
//
//	curl -X PUT localhost:8090/_sandbox/faults -d '{"every_429": 2, "retry_after": "2s"}'
//
// and reads what the sandbox counted at /_sandbox/stats. A real EHR has
// no such thing; it is why the sandbox must never be exposed.
const adminPath = "/_sandbox"

// faultsJSON is Faults with durations written as Go durations ("1.5s").
type faultsJSON struct {
	RateLimit      float64 `json:"rate_limit"`
	Every429       int     `json:"every_429"`
	RetryAfter     string  `json:"retry_after"`
	RetryAfterDate bool    `json:"retry_after_date"`
	Every5xx       int     `json:"every_5xx"`
	Latency        string  `json:"latency"`
	ExportFail     bool    `json:"export_fail"`
	ExportErrors   bool    `json:"export_errors"`
	DropFileAfter  int64   `json:"drop_file_after"`
	MalformedEvery int     `json:"malformed_every"`
}

// Faults returns the faults in force.
func (s *Server) Faults() Faults {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.f
}

func (s *Server) handleGetFaults(w http.ResponseWriter, _ *http.Request) {
	f := s.Faults()
	writeAdmin(w, http.StatusOK, faultsJSON{RateLimit: f.RateLimit, Every429: f.Every429, RetryAfter: f.RetryAfter.String(),
		RetryAfterDate: f.RetryAfterDate, Every5xx: f.Every5xx, Latency: f.Latency.String(),
		ExportFail: f.ExportFail, ExportErrors: f.ExportErrors, DropFileAfter: f.DropFileAfter, MalformedEvery: f.MalformedEvery})
}

func (s *Server) handlePutFaults(w http.ResponseWriter, r *http.Request) {
	var in faultsJSON
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeAdmin(w, http.StatusBadRequest, map[string]string{"error": "faults: " + err.Error()})
		return
	}
	f := Faults{RateLimit: in.RateLimit, Every429: in.Every429, RetryAfterDate: in.RetryAfterDate, Every5xx: in.Every5xx,
		ExportFail: in.ExportFail, ExportErrors: in.ExportErrors, DropFileAfter: in.DropFileAfter, MalformedEvery: in.MalformedEvery}
	for _, d := range []struct {
		name, v string
		dst     *time.Duration
	}{{"retry_after", in.RetryAfter, &f.RetryAfter}, {"latency", in.Latency, &f.Latency}} {
		if d.v == "" {
			continue
		}
		v, err := time.ParseDuration(d.v)
		if err != nil || v < 0 {
			writeAdmin(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("faults: %s %q: want a duration such as 1s", d.name, d.v)})
			return
		}
		*d.dst = v
	}
	if f.RateLimit < 0 || f.Every429 < 0 || f.Every5xx < 0 || f.DropFileAfter < 0 || f.MalformedEvery < 0 {
		writeAdmin(w, http.StatusBadRequest, map[string]string{"error": "faults: values cannot be negative"})
		return
	}
	s.SetFaults(f)
	s.handleGetFaults(w, r)
}

func (s *Server) handleStats(w http.ResponseWriter, _ *http.Request) {
	writeAdmin(w, http.StatusOK, s.Stats())
}

func writeAdmin(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
