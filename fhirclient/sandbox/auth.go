package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// admit runs the gate every FHIR read and search passes: count, latency,
// bearer token, scope for typ and perm ('r' read, 's' search), then the
// faults. It answers and returns false when the request stops here.
func (s *Server) admit(w *exchange, r *http.Request, typ string, perm rune) bool {
	g := s.authenticate(w, r)
	if g == nil {
		return false
	}
	if !grantAllows(g, typ, perm) {
		s.stats.unauthorized.Add(1)
		need := fmt.Sprintf("system/%s.read", typ)
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="insufficient_scope", scope=%q`, need))
		writeOutcome(w, http.StatusForbidden, "forbidden", "the token's scopes (%s) do not allow %s of %s: ask for %s or system/%s.%s",
			scopeList(g.scopes), interaction(perm), typ, need, typ, string(perm))
		return false
	}
	return !s.injectFault(w)
}

// authenticate counts a FHIR request, waits out the latency and checks
// its bearer token. It returns the grant, or answers 401 and returns nil.
func (s *Server) authenticate(w *exchange, r *http.Request) *grant {
	s.stats.fhirRequests.Add(1)
	s.delay(r)
	g, why := s.bearer(r)
	if g == nil {
		s.stats.unauthorized.Add(1)
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="invalid_token", error_description=%q`, why))
		writeOutcome(w, http.StatusUnauthorized, "login", "%s", why)
		return nil
	}
	w.clientID = g.clientID
	return g
}

// injectFault answers the request with a fault (429, 503) when the
// faults pick it, and reports whether they did.
func (s *Server) injectFault(w http.ResponseWriter) bool {
	now := time.Now()
	if f := s.faults.next(now); f.status != 0 {
		s.writeFault(w, f, now)
		return true
	}
	return false
}

// bearer returns the live grant of the request's bearer token, or why
// there is none.
func (s *Server) bearer(r *http.Request) (*grant, string) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, "no Authorization header: send Authorization: Bearer <access token>"
	}
	scheme, tok, _ := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return nil, "the Authorization header must be Bearer <access token>"
	}
	g := s.tokens.lookup(tok)
	if g == nil {
		return nil, "unknown access token"
	}
	if !time.Now().Before(g.expires) {
		return nil, fmt.Sprintf("the access token expired at %s: get a new one", g.expires.UTC().Format(time.RFC3339))
	}
	return g, ""
}

// grantAllows reports whether any of the grant's scopes allows perm on typ.
func grantAllows(g *grant, typ string, perm rune) bool {
	for _, sc := range g.scopes {
		if sc.allows(typ, perm) {
			return true
		}
	}
	return false
}

func interaction(perm rune) string {
	if perm == 's' {
		return "search"
	}
	return "read"
}
