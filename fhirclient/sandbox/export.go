package sandbox

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// ExportOptions shape Bulk Data $export (FHIR Bulk Data Access STU2)
// jobs. The zero value is a working export: jobs complete 1 s after
// kick-off, files need the access token and hold at most 10,000 lines.
type ExportOptions struct {
	// Delay is the time from kick-off to a complete job (default 1s; a
	// negative value completes jobs at once). Progress grows over it.
	Delay time.Duration
	// OpenFiles lets anyone download the output files without a bearer
	// token (the manifest says requiresAccessToken false). Status
	// requests always need the token.
	OpenFiles bool
	// Gzip serves files gzip-encoded to clients that accept it.
	Gzip bool
	// FileLines is the most lines (resources) in one output file
	// (default 10,000); a type with more is split over several files.
	FileLines int
	// BulkSize adds this many synthetic laboratory Observations (about
	// 1 KB each, deterministic by index) to exports that include
	// Observation. They are generated line by line as files are served
	// and are not searchable.
	BulkSize int
	// FileExpiry is how long files stay downloadable after the job
	// completes; later they answer 410 Gone. 0 keeps them.
	FileExpiry time.Duration
	// MaxJobs is the most jobs in progress at once (default 32); a
	// kick-off beyond it gets 429 with Retry-After.
	MaxJobs int
}

const (
	defaultExportDelay = time.Second
	defaultFileLines   = 10_000
	defaultMaxJobs     = 32
)

func (o ExportOptions) withDefaults() ExportOptions {
	switch {
	case o.Delay == 0:
		o.Delay = defaultExportDelay
	case o.Delay < 0:
		o.Delay = 0
	}
	if o.FileLines <= 0 {
		o.FileLines = defaultFileLines
	}
	if o.MaxJobs <= 0 {
		o.MaxJobs = defaultMaxJobs
	}
	o.BulkSize = max(o.BulkSize, 0)
	return o
}

// Export levels: what a kick-off starts from.
const (
	levelSystem  = "system"
	levelPatient = "patient"
	levelGroup   = "group"
)

// handleExportSystem is [base]/$export.
func (s *Server) handleExportSystem(w *exchange, r *http.Request) {
	s.kickOff(w, r, levelSystem, "")
}

// handleExportPatient is [base]/Patient/$export.
func (s *Server) handleExportPatient(w *exchange, r *http.Request) {
	s.kickOff(w, r, levelPatient, "")
}

// handleExportGroup is [base]/Group/{id}/$export.
func (s *Server) handleExportGroup(w *exchange, r *http.Request) {
	s.kickOff(w, r, levelGroup, r.PathValue("id"))
}

// kickOff starts an export job and answers 202 with its status URL, or
// says why not.
func (s *Server) kickOff(w *exchange, r *http.Request, level, group string) {
	s.stats.exportKickOffs.Add(1)
	g := s.authenticate(w, r)
	if g == nil || s.injectFault(w) {
		return
	}
	if !prefers(r, "respond-async") {
		writeOutcome(w, http.StatusBadRequest, "invalid", "$export is asynchronous: send Prefer: respond-async")
		return
	}
	req, status, err := s.parseExport(r, level, group)
	if err != nil {
		writeOutcome(w, status, codeFor(status), "%v", err)
		return
	}
	types, denied := s.exportTypes(g, req)
	if len(types) == 0 {
		s.stats.unauthorized.Add(1)
		writeOutcome(w, http.StatusForbidden, "forbidden", "the token's scopes (%s) allow reading none of the types asked for (%s)",
			scopeList(g.scopes), strings.Join(denied, ", "))
		return
	}
	j := s.newJob(r, g.clientID, req, types, denied)
	if !s.jobs.add(j, s.opts.Export.MaxJobs) {
		s.stats.throttled.Add(1)
		w.Header().Set("Retry-After", retrySeconds(s.opts.Export.Delay))
		writeOutcome(w, http.StatusTooManyRequests, "throttled", "%d exports are in progress already: retry later", s.opts.Export.MaxJobs)
		return
	}
	w.Header().Set("Content-Location", s.origin(r)+statusPath+j.id)
	w.WriteHeader(http.StatusAccepted)
}

// prefers reports whether a Prefer header of the request holds the
// preference want ("respond-async", "handling=lenient"), ignoring case
// and spaces. Under handling=lenient, unsupported parameters are ignored
// and reported in the error file instead of failing the kick-off.
func prefers(r *http.Request, want string) bool {
	for _, h := range r.Header.Values("Prefer") {
		for p := range strings.SplitSeq(h, ",") {
			if strings.EqualFold(strings.ReplaceAll(p, " ", ""), want) {
				return true
			}
		}
	}
	return false
}

// codeFor is the OperationOutcome issue code of a kick-off refusal.
func codeFor(status int) string {
	if status == http.StatusNotFound {
		return "not-found"
	}
	return "invalid"
}

// exportTypes splits the types an export covers into those the grant
// may read and those it may not. Without _type the export covers every
// stored type (Group included: it is data like any other), plus
// Observation when synthetic bulk Observations are on.
func (s *Server) exportTypes(g *grant, req *exportRequest) (allowed, denied []string) {
	types := req.types
	if types == nil {
		types = s.data.typeNames()
		if s.opts.Export.BulkSize > 0 && !slices.Contains(types, "Observation") {
			types = append(types, "Observation")
			slices.Sort(types)
		}
	}
	for _, t := range types {
		if grantAllows(g, t, 'r') {
			allowed = append(allowed, t)
		} else {
			denied = append(denied, t)
		}
	}
	return allowed, denied
}

// typeNames lists the stored resource types in name order.
func (st *store) typeNames() []string {
	st.mu.RLock()
	defer st.mu.RUnlock()
	var out []string
	for t := range st.types {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
