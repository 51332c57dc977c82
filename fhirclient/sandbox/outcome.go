package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// fhirJSON is the media type of every FHIR response.
const fhirJSON = "application/fhir+json"

// writeFHIR sends a FHIR resource (anything that marshals to one).
func writeFHIR(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Our own types always marshal; this is a bug, say so plainly.
		http.Error(w, "sandbox: encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeRaw(w, status, body)
}

// writeRaw sends stored FHIR JSON as it is.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", fhirJSON)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// operationOutcome is the error body of every failed FHIR request.
type operationOutcome struct {
	ResourceType string         `json:"resourceType"`
	Issue        []outcomeIssue `json:"issue"`
}

type outcomeIssue struct {
	Severity    string `json:"severity"`
	Code        string `json:"code"`
	Diagnostics string `json:"diagnostics"`
}

// writeOutcome answers with an OperationOutcome holding one error issue:
// code is from the FHIR issue-type value set (not-found, transient, ...).
func writeOutcome(w http.ResponseWriter, status int, code, format string, args ...any) {
	writeFHIR(w, status, operationOutcome{
		ResourceType: "OperationOutcome",
		Issue:        []outcomeIssue{{Severity: "error", Code: code, Diagnostics: fmt.Sprintf(format, args...)}},
	})
}

// handleUnsupported answers FHIR paths and methods the sandbox lacks:
// it is read-only and has no history, operations or compartments.
func (s *Server) handleUnsupported(w *exchange, r *http.Request) {
	s.stats.fhirRequests.Add(1)
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writeOutcome(w, http.StatusMethodNotAllowed, "not-supported",
			"%s is not supported: the sandbox is read-only (GET read and search, POST _search)", r.Method)
		return
	}
	writeOutcome(w, http.StatusNotFound, "not-supported",
		"%s %s is not supported: use [base]/{type}, [base]/{type}/{id} or [base]/{type}/_search", r.Method, r.URL.Path)
}
