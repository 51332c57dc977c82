package sandbox

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Stats counts what the server has seen since it started.
type Stats struct {
	TokenRequests int64 // requests to the token endpoint
	TokensIssued  int64 // access tokens granted
	TokenRefusals int64 // token requests refused (any error)
	FHIRRequests  int64 // requests under the FHIR base, discovery (metadata, smart-configuration) excluded
	Throttled     int64 // FHIR requests answered 429
	Transient     int64 // FHIR requests answered 503
	Unauthorized  int64 // FHIR requests answered 401 or 403

	ExportKickOffs int64 // $export kick-off requests
	ExportPolls    int64 // export status requests (GET)
	ExportFiles    int64 // export file downloads started
	ExportBytes    int64 // export file body bytes sent (gzip-compressed when gzip was served)
}

// stats holds the live counters behind Stats.
type stats struct {
	tokenRequests, tokensIssued, tokenRefusals atomic.Int64
	fhirRequests, throttled, transient         atomic.Int64
	unauthorized                               atomic.Int64
	exportKickOffs, exportPolls, exportFiles   atomic.Int64
	exportBytes                                atomic.Int64
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	c := &s.stats
	return Stats{
		TokenRequests: c.tokenRequests.Load(),
		TokensIssued:  c.tokensIssued.Load(),
		TokenRefusals: c.tokenRefusals.Load(),
		FHIRRequests:  c.fhirRequests.Load(),
		Throttled:     c.throttled.Load(),
		Transient:     c.transient.Load(),
		Unauthorized:  c.unauthorized.Load(),

		ExportKickOffs: c.exportKickOffs.Load(),
		ExportPolls:    c.exportPolls.Load(),
		ExportFiles:    c.exportFiles.Load(),
		ExportBytes:    c.exportBytes.Load(),
	}
}

// Request is one logged FHIR or token request. Discovery (metadata and
// smart-configuration) is not logged.
type Request struct {
	Time     time.Time // when it arrived
	Method   string
	Path     string
	Query    string // raw query (a POST _search logs its form body here)
	Status   int
	ClientID string // the authenticated client, or the claimed one on a refusal; "" if unknown
}

// requestLogSize bounds the request log: the oldest entries go first.
const requestLogSize = 10000

// requestLog is a ring of the latest requests.
type requestLog struct {
	mu   sync.Mutex
	buf  []Request
	next int
	full bool
}

func newRequestLog(n int) requestLog { return requestLog{buf: make([]Request, n)} }

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf[l.next] = r
	l.next++
	if l.next == len(l.buf) {
		l.next, l.full = 0, true
	}
}

// Requests returns a copy of the request log, oldest first (at most the
// last 10000).
func (s *Server) Requests() []Request {
	l := &s.log
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.full {
		return append([]Request(nil), l.buf[:l.next]...)
	}
	out := make([]Request, 0, len(l.buf))
	out = append(out, l.buf[l.next:]...)
	return append(out, l.buf[:l.next]...)
}

// exchange is one request in flight: the writer records the status, and
// the client id is filled in once known, so the log entry is complete.
type exchange struct {
	http.ResponseWriter
	status   int
	clientID string
	query    string
}

func (e *exchange) WriteHeader(code int) {
	if e.status == 0 {
		e.status = code
	}
	e.ResponseWriter.WriteHeader(code)
}

func (e *exchange) Write(b []byte) (int, error) {
	if e.status == 0 {
		e.status = http.StatusOK
	}
	return e.ResponseWriter.Write(b)
}

// logged wraps a handler so that it is logged once it has answered.
func (s *Server) logged(h func(*exchange, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		x := &exchange{ResponseWriter: w, query: r.URL.RawQuery}
		start := time.Now()
		// Deferred: an export file cut by DropFileAfter ends in a panic
		// (http.ErrAbortHandler) and is still logged.
		defer func() {
			s.log.add(Request{Time: start, Method: r.Method, Path: r.URL.Path, Query: x.query, Status: x.status, ClientID: x.clientID})
		}()
		h(x, r)
	}
}
