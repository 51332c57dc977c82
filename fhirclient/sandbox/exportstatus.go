package sandbox

import (
	"net/http"
	"time"
)

// manifest is the body of a complete job's status (Bulk Data STU2).
type manifest struct {
	TransactionTime     string         `json:"transactionTime"`
	Request             string         `json:"request"`
	RequiresAccessToken bool           `json:"requiresAccessToken"`
	Output              []manifestFile `json:"output"`
	Error               []manifestFile `json:"error"`
}

// manifestFile is one output or error file.
type manifestFile struct {
	Type  string `json:"type"`
	URL   string `json:"url"`
	Count int    `json:"count"`
}

// handleExportStatus is GET <origin>/_bulk/status/{job}: 202 with
// X-Progress and Retry-After while running, then the manifest, or 500
// with an OperationOutcome for a failed job.
func (s *Server) handleExportStatus(w *exchange, r *http.Request) {
	s.stats.exportPolls.Add(1)
	j := s.jobFor(w, r, true)
	if j == nil {
		return
	}
	now := time.Now()
	switch s.settle(j, now) {
	case jobRunning:
		w.Header().Set("X-Progress", j.progress(now))
		w.Header().Set("Retry-After", retrySeconds(j.deadline.Sub(now)))
		w.WriteHeader(http.StatusAccepted)
	case jobFailed:
		writeOutcome(w, http.StatusInternalServerError, "exception", "the export failed (injected fault): start a new one")
	default:
		// The manifest is plain JSON, not a FHIR resource: writeAdmin's shape.
		writeAdmin(w, http.StatusOK, s.manifestOf(r, j))
	}
}

// handleExportCancel is DELETE <origin>/_bulk/status/{job}: the job and
// its files are gone.
func (s *Server) handleExportCancel(w *exchange, r *http.Request) {
	j := s.jobFor(w, r, true)
	if j == nil {
		return
	}
	s.jobs.remove(j.id)
	w.WriteHeader(http.StatusAccepted)
}

// jobFor runs the gate of status and file requests (counted, delayed
// and faulted as any FHIR request) and finds the job. A job of another
// client is as unknown as a deleted one.
func (s *Server) jobFor(w *exchange, r *http.Request, needToken bool) *job {
	clientID := ""
	if needToken {
		g := s.authenticate(w, r)
		if g == nil {
			return nil
		}
		clientID = g.clientID
	} else {
		s.stats.fhirRequests.Add(1)
		s.delay(r)
	}
	if s.injectFault(w) {
		return nil
	}
	j := s.jobs.get(r.PathValue("job"))
	if j == nil || needToken && j.clientID != clientID {
		writeOutcome(w, http.StatusNotFound, "not-found", "export job %q is unknown or was deleted", r.PathValue("job"))
		return nil
	}
	return j
}

// manifestOf lists a complete job's files with absolute URLs.
func (s *Server) manifestOf(r *http.Request, j *job) manifest {
	m := manifest{
		TransactionTime:     instant(j.at),
		Request:             j.request,
		RequiresAccessToken: !s.opts.Export.OpenFiles,
		Output:              []manifestFile{},
		Error:               []manifestFile{},
	}
	base := s.origin(r) + filesPath + j.id + "/"
	for _, f := range j.output {
		m.Output = append(m.Output, manifestFile{Type: f.typ, URL: base + f.name + ".ndjson", Count: f.hi - f.lo})
	}
	for _, f := range j.errs {
		m.Error = append(m.Error, manifestFile{Type: f.typ, URL: base + f.name + ".ndjson", Count: f.hi - f.lo})
	}
	return m
}
