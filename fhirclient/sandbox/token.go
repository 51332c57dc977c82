package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The SMART Backend Services rules for client assertions.
const (
	assertionType    = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	maxAssertionLife = 5 * time.Minute  // exp at most this far ahead
	clockSkew        = 10 * time.Second // tolerated on every time claim
)

// assertionAlgs are the signature algorithms SMART allows.
var assertionAlgs = []string{"RS384", "ES384"}

// tokenError is an OAuth 2.0 error (RFC 6749 §5.2).
type tokenError struct {
	status int
	Code   string `json:"error"`
	Desc   string `json:"error_description"`
}

func (e *tokenError) Error() string { return e.Code + ": " + e.Desc }

func refuse(code, format string, args ...any) *tokenError {
	status := http.StatusBadRequest
	if code == "invalid_client" {
		status = http.StatusUnauthorized
	}
	return &tokenError{status: status, Code: code, Desc: fmt.Sprintf(format, args...)}
}

// tokenResponse is the successful answer (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// handleToken is the client_credentials grant with a private_key_jwt
// client assertion.
func (s *Server) handleToken(w *exchange, r *http.Request) {
	s.stats.tokenRequests.Add(1)
	w.query = "" // the form holds the assertion: keep it out of the log
	s.delay(r)
	resp, terr := s.grantToken(w, r)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if terr != nil {
		s.stats.tokenRefusals.Add(1)
		w.WriteHeader(terr.status)
		_ = json.NewEncoder(w).Encode(terr)
		return
	}
	s.stats.tokensIssued.Add(1)
	_ = json.NewEncoder(w).Encode(resp)
}

// handleTokenMethod refuses anything but POST at the token endpoint.
func (s *Server) handleTokenMethod(w *exchange, r *http.Request) {
	s.stats.tokenRequests.Add(1)
	s.stats.tokenRefusals.Add(1)
	w.Header().Set("Allow", http.MethodPost)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusMethodNotAllowed)
	_ = json.NewEncoder(w).Encode(refuse("invalid_request", "the token endpoint takes POST, not %s", r.Method))
}

// grantToken checks the form and the assertion, then issues a token.
func (s *Server) grantToken(w *exchange, r *http.Request) (*tokenResponse, *tokenError) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return nil, refuse("invalid_request", "Content-Type must be application/x-www-form-urlencoded, not %q", r.Header.Get("Content-Type"))
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return nil, refuse("invalid_request", "cannot read the form: %v", err)
	}
	f := r.PostForm
	switch gt := f.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		return nil, refuse("invalid_request", "grant_type is required (client_credentials)")
	default:
		return nil, refuse("unsupported_grant_type", "grant_type %q is not supported: use client_credentials", gt)
	}
	if at := f.Get("client_assertion_type"); at != assertionType {
		return nil, refuse("invalid_request", "client_assertion_type must be %s, not %q", assertionType, at)
	}
	if f.Get("client_assertion") == "" {
		return nil, refuse("invalid_request", "client_assertion is required (a JWT signed with RS384 or ES384)")
	}
	cl, terr := s.verifyAssertion(w, r, f.Get("client_assertion"), f.Get("client_id"))
	if terr != nil {
		return nil, terr
	}
	scopes, err := grantScopes(f.Get("scope"), cl.scopes)
	if err != nil {
		return nil, refuse("invalid_scope", "%v", err)
	}
	life := s.opts.TokenLifetime
	tok := s.tokens.issue(&grant{clientID: cl.id, scopes: scopes, expires: time.Now().Add(life)})
	return &tokenResponse{
		AccessToken: tok,
		TokenType:   "Bearer",
		ExpiresIn:   max(1, int64(math.Ceil(life.Seconds()))),
		Scope:       scopeList(scopes),
	}, nil
}

// verifyAssertion authenticates the client by its signed JWT: header,
// issuer, key, signature, then the time and replay claims.
func (s *Server) verifyAssertion(w *exchange, r *http.Request, assertion, formClientID string) (*client, *tokenError) {
	parser := jwt.NewParser(jwt.WithValidMethods(assertionAlgs), jwt.WithoutClaimsValidation())
	var claims jwt.RegisteredClaims
	tok, _, err := parser.ParseUnverified(assertion, &claims)
	if tok == nil || tok.Header == nil {
		return nil, refuse("invalid_client", "client_assertion is not a JWT: %v", err)
	}
	alg, _ := tok.Header["alg"].(string)
	if !slices.Contains(assertionAlgs, alg) {
		return nil, refuse("invalid_client", "JWT alg %q is not accepted: sign with RS384 or ES384", alg)
	}
	if err != nil {
		return nil, refuse("invalid_client", "client_assertion is malformed: %v", err)
	}
	cl, terr := s.assertedClient(w, claims, formClientID)
	if terr != nil {
		return nil, terr
	}
	if terr := s.checkSignature(r, cl, tok, parser, assertion); terr != nil {
		return nil, terr
	}
	now := time.Now()
	if err := checkTimes(claims, s.tokenURL(r), now); err != nil {
		return nil, refuse("invalid_client", "%v", err)
	}
	fresh, full := s.jtis.use(cl.id+"\x00"+claims.ID, claims.ExpiresAt.Add(clockSkew))
	if full {
		return nil, &tokenError{status: http.StatusServiceUnavailable, Code: "temporarily_unavailable",
			Desc: "too many recent assertions to remember; retry shortly"}
	}
	if !fresh {
		return nil, refuse("invalid_client", "jti %q was already used: each assertion is single-use (replay refused)", claims.ID)
	}
	return cl, nil
}

// assertedClient finds the registered client the claims speak for.
func (s *Server) assertedClient(w *exchange, c jwt.RegisteredClaims, formClientID string) (*client, *tokenError) {
	if c.Issuer == "" {
		return nil, refuse("invalid_client", "iss is required: it must be the client_id")
	}
	w.clientID = c.Issuer
	if c.Subject != c.Issuer {
		return nil, refuse("invalid_client", "sub must equal iss (both are the client_id): iss %q, sub %q", c.Issuer, c.Subject)
	}
	if formClientID != "" && formClientID != c.Issuer {
		return nil, refuse("invalid_client", "client_id %q does not match the assertion's iss %q", formClientID, c.Issuer)
	}
	cl := s.lookupClient(c.Issuer)
	if cl == nil {
		return nil, refuse("invalid_client", "unknown client %q: no client is registered with that id (iss)", c.Issuer)
	}
	return cl, nil
}

// checkSignature verifies the JWT with the client's key named by kid.
func (s *Server) checkSignature(r *http.Request, cl *client, tok *jwt.Token, parser *jwt.Parser, assertion string) *tokenError {
	kid, _ := tok.Header["kid"].(string)
	if kid == "" {
		return refuse("invalid_client", "the JWT header has no kid: it must name a key of the client's JWK Set")
	}
	if jku, ok := tok.Header["jku"].(string); ok && jku != cl.keys.url {
		return refuse("invalid_client", "jku %q is not the JWK Set URL registered for client %q", jku, cl.id)
	}
	keys, err := cl.keys.lookup(r.Context(), kid)
	if err != nil {
		return refuse("invalid_client", "%v", err)
	}
	alg := tok.Method.Alg()
	pub, err := verificationKey(keys, alg)
	if err != nil {
		return refuse("invalid_client", "%v", err)
	}
	keyFunc := func(*jwt.Token) (any, error) { return pub, nil }
	if _, err := parser.ParseWithClaims(assertion, &jwt.RegisteredClaims{}, keyFunc); err != nil {
		return refuse("invalid_client", "the signature does not verify with key %q (%s): %v", kid, alg, err)
	}
	return nil
}

// checkTimes checks aud, exp, nbf, iat and the presence of jti.
func checkTimes(c jwt.RegisteredClaims, tokenURL string, now time.Time) error {
	if len(c.Audience) == 0 {
		return fmt.Errorf("aud is required: it must be the token URL %s", tokenURL)
	}
	if !slices.Contains(c.Audience, tokenURL) {
		return fmt.Errorf("aud must be the token URL %s (got %s)", tokenURL, strings.Join(c.Audience, ", "))
	}
	if c.ExpiresAt == nil {
		return fmt.Errorf("exp is required (at most %s ahead)", maxAssertionLife)
	}
	exp := c.ExpiresAt.Time
	if now.After(exp.Add(clockSkew)) {
		return fmt.Errorf("the assertion expired at %s (now %s)", exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if exp.After(now.Add(maxAssertionLife + clockSkew)) {
		return fmt.Errorf("exp is %s ahead: at most %s is allowed", exp.Sub(now).Round(time.Second), maxAssertionLife)
	}
	if c.NotBefore != nil && c.NotBefore.After(now.Add(clockSkew)) {
		return fmt.Errorf("nbf is %s ahead: the assertion is not valid yet", c.NotBefore.Sub(now).Round(time.Second))
	}
	if c.IssuedAt != nil && c.IssuedAt.After(now.Add(clockSkew)) {
		return fmt.Errorf("iat is %s ahead: check the client's clock", c.IssuedAt.Sub(now).Round(time.Second))
	}
	if c.ID == "" {
		return fmt.Errorf("jti is required: a unique id for each assertion")
	}
	return nil
}
