package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

func TestToken_GoodAssertionsRS384AndES384(t *testing.T) {
	t.Parallel()
	s, _ := start(t, Options{})
	for _, k := range []testKey{rs384(t, "rsa-1", 1), es384(t, "ec-1", 1)} {
		t.Run(k.method.Alg(), func(t *testing.T) {
			r := postToken(t, s, map[string]string{
				"client_assertion": sign(t, k, claims(s, "app")),
				"scope":            "system/Patient.read system/Observation.rs",
			})
			if r.status != http.StatusOK || r.TokenType != "Bearer" || r.AccessToken == "" {
				t.Fatalf("got %+v", r)
			}
			if r.ExpiresIn != 300 || r.Scope != "system/Patient.read system/Observation.rs" {
				t.Errorf("expires_in %d scope %q; want 300 and the requested scopes", r.ExpiresIn, r.Scope)
			}
			if resp, body := get(t, s, r.AccessToken, "Patient?_count=1"); resp.StatusCode != http.StatusOK {
				t.Errorf("the token does not work: %d %s", resp.StatusCode, body)
			}
		})
	}
}

// Every refusal carries the OAuth error code and a description that says
// precisely what is wrong.
func TestToken_Refusals(t *testing.T) {
	t.Parallel()
	s, _ := start(t, Options{})
	if err := s.AddClient(Client{ID: "narrow", JWKS: jwks(rs384(t, "rsa-1", 1)), Scopes: []string{"system/Patient.read"}}); err != nil {
		t.Fatal(err)
	}
	good := rs384(t, "rsa-1", 1)
	with := func(change func(jwt.MapClaims)) func() map[string]string {
		return func() map[string]string {
			c := claims(s, "app")
			change(c)
			return map[string]string{"client_assertion": sign(t, good, c)}
		}
	}
	signedBy := func(k testKey) func() map[string]string {
		return func() map[string]string { return map[string]string{"client_assertion": sign(t, k, claims(s, "app"))} }
	}
	now := time.Now()
	cases := []struct {
		name       string
		form       func() map[string]string
		status     int
		code, desc string
	}{
		{"wrong aud", with(func(c jwt.MapClaims) { c["aud"] = s.BaseURL() }), 401, "invalid_client", "aud must be the token URL " + s.TokenURL()},
		{"no aud", with(func(c jwt.MapClaims) { delete(c, "aud") }), 401, "invalid_client", "aud is required"},
		{"exp too far", with(func(c jwt.MapClaims) { c["exp"] = now.Add(10 * time.Minute).Unix() }), 401, "invalid_client", "at most 5m0s"},
		{"expired", with(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() }), 401, "invalid_client", "expired"},
		{"no exp", with(func(c jwt.MapClaims) { delete(c, "exp") }), 401, "invalid_client", "exp is required"},
		{"nbf ahead", with(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Minute).Unix() }), 401, "invalid_client", "nbf"},
		{"no jti", with(func(c jwt.MapClaims) { delete(c, "jti") }), 401, "invalid_client", "jti is required"},
		{"iss is not sub", with(func(c jwt.MapClaims) { c["sub"] = "someone-else" }), 401, "invalid_client", "sub must equal iss"},
		{"unknown client", with(func(c jwt.MapClaims) { c["iss"], c["sub"] = "stranger", "stranger" }), 401, "invalid_client", `unknown client "stranger"`},
		{"unknown kid", signedBy(rs384(t, "rsa-9", 1)), 401, "invalid_client", `no key with kid "rsa-9"`},
		{"another key", signedBy(rs384(t, "rsa-1", 2)), 401, "invalid_client", "signature does not verify"},
		{"EC key for RSA kid", signedBy(es384(t, "rsa-1", 1)), 401, "invalid_client", "cannot verify ES384"},
		{"alg none", func() map[string]string {
			tok := jwt.NewWithClaims(jwt.SigningMethodNone, claims(s, "app"))
			tok.Header["kid"] = "rsa-1"
			a, _ := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
			return map[string]string{"client_assertion": a}
		}, 401, "invalid_client", `alg "none" is not accepted`},
		{"HS256 with the public key as secret", func() map[string]string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(s, "app"))
			tok.Header["kid"] = "rsa-1"
			a, _ := tok.SignedString(rsaKey1.PublicKey.N.Bytes())
			return map[string]string{"client_assertion": a}
		}, 401, "invalid_client", `alg "HS256" is not accepted`},
		{"not a JWT", func() map[string]string { return map[string]string{"client_assertion": "hello"} }, 401, "invalid_client", "not a JWT"},
		{"scope not allowed for client", func() map[string]string {
			return map[string]string{"client_assertion": sign(t, good, claims(s, "narrow")), "scope": "system/Observation.read"}
		}, 400, "invalid_scope", `scope "system/Observation.read" is not allowed`},
		{"write scope", func() map[string]string {
			return map[string]string{"client_assertion": sign(t, good, claims(s, "app")), "scope": "system/Patient.write"}
		}, 400, "invalid_scope", "not allowed"},
		{"patient scope", func() map[string]string {
			return map[string]string{"client_assertion": sign(t, good, claims(s, "app")), "scope": "patient/*.read"}
		}, 400, "invalid_scope", "not a system scope"},
		{"no scope", func() map[string]string {
			return map[string]string{"client_assertion": sign(t, good, claims(s, "app")), "scope": ""}
		}, 400, "invalid_scope", "scope is required"},
		{"grant type", func() map[string]string { return map[string]string{"grant_type": "password"} }, 400, "unsupported_grant_type", `"password"`},
		{"assertion type", func() map[string]string {
			return map[string]string{"client_assertion_type": "saml", "client_assertion": sign(t, good, claims(s, "app"))}
		}, 400, "invalid_request", "client_assertion_type must be"},
		{"no assertion", func() map[string]string { return nil }, 400, "invalid_request", "client_assertion is required"},
		{"client_id differs", func() map[string]string {
			return map[string]string{"client_assertion": sign(t, good, claims(s, "app")), "client_id": "narrow"}
		}, 401, "invalid_client", "does not match"},
	}
	before := s.Stats()
	for _, tc := range cases {
		r := postToken(t, s, tc.form())
		if r.status != tc.status || r.Error != tc.code || !strings.Contains(r.Description, tc.desc) {
			t.Errorf("%s: got %d %s %q; want %d %s containing %q", tc.name, r.status, r.Error, r.Description, tc.status, tc.code, tc.desc)
		}
		if r.AccessToken != "" {
			t.Errorf("%s: an access token came with the refusal", tc.name)
		}
	}
	st := s.Stats()
	if got := st.TokenRefusals - before.TokenRefusals; got != int64(len(cases)) {
		t.Errorf("TokenRefusals went up by %d, want %d", got, len(cases))
	}
	if st.TokensIssued != before.TokensIssued {
		t.Errorf("tokens issued during refusals: %d", st.TokensIssued-before.TokensIssued)
	}
}

func TestToken_ReplayedJTIRefused(t *testing.T) {
	t.Parallel()
	s, _ := start(t, Options{})
	a := sign(t, es384(t, "ec-1", 1), claims(s, "app"))
	if r := postToken(t, s, map[string]string{"client_assertion": a}); r.status != http.StatusOK {
		t.Fatalf("first use: %+v", r)
	}
	r := postToken(t, s, map[string]string{"client_assertion": a})
	if r.status != http.StatusUnauthorized || r.Error != "invalid_client" || !strings.Contains(r.Description, "already used") {
		t.Errorf("replay: %+v", r)
	}
	// The same jti from another client is that client's business.
	if err := s.AddClient(Client{ID: "other", JWKS: jwks(rs384(t, "k", 1))}); err != nil {
		t.Fatal(err)
	}
	c := claims(s, "other")
	c["jti"] = "shared-jti"
	c2 := claims(s, "app")
	c2["jti"] = "shared-jti"
	for _, f := range []string{sign(t, rs384(t, "k", 1), c), sign(t, rs384(t, "rsa-1", 1), c2)} {
		if r := postToken(t, s, map[string]string{"client_assertion": f}); r.status != http.StatusOK {
			t.Errorf("jti scoped per client: %+v", r)
		}
	}
}

// A token stops working after TokenLifetime; missing and unknown tokens
// and a scope that does not cover the type are refused too.
func TestToken_ExpiryAndBearerChecks(t *testing.T) {
	t.Parallel()
	s, tok := start(t, Options{TokenLifetime: time.Second})
	narrow := token(t, s, rs384(t, "rsa-1", 1), "app", "system/Patient.rs")
	if resp, body := get(t, s, tok, "Patient?_count=1"); resp.StatusCode != http.StatusOK {
		t.Fatalf("fresh token: %d %s", resp.StatusCode, body)
	}
	resp, body := get(t, s, narrow, "Observation?_count=1")
	if resp.StatusCode != http.StatusForbidden || outcome(t, body).Code != "forbidden" ||
		!strings.Contains(resp.Header.Get("WWW-Authenticate"), "insufficient_scope") {
		t.Errorf("Patient scope on Observation: %d %s", resp.StatusCode, body)
	}
	for name, bad := range map[string]string{"missing": "", "unknown": "not-a-token"} {
		resp, body := get(t, s, bad, "Patient")
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("%s token: %d %q", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
		if outcome(t, body).Code != "login" {
			t.Errorf("%s token: %s", name, body)
		}
	}
	other := token(t, s, es384(t, "ec-1", 1), "app", "system/*.read")
	s.RevokeTokens()
	resp, body = get(t, s, other, "Patient?_count=1")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(outcome(t, body).Diagnostics, "unknown access token") {
		t.Errorf("revoked token: %d %s", resp.StatusCode, body)
	}
	tok = token(t, s, rs384(t, "rsa-1", 1), "app", "system/*.read")
	time.Sleep(1100 * time.Millisecond)
	resp, body = get(t, s, tok, "Patient?_count=1")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(outcome(t, body).Diagnostics, "expired") ||
		!strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("expired token: %d %s", resp.StatusCode, body)
	}
	if st := s.Stats(); st.Unauthorized != 5 {
		t.Errorf("Unauthorized = %d, want 5 (403, missing, unknown, revoked, expired)", st.Unauthorized)
	}
}

// A JWKS URL client's new key is picked up once the set is fetched
// again, which happens on an unknown kid, but not more often than the
// refresh interval.
func TestToken_JWKSURLKeyRotation(t *testing.T) {
	t.Parallel()
	var published atomic.Pointer[jose.JSONWebKeySet]
	var fetches atomic.Int32
	old, rotated := rs384(t, "2024-key", 1), es384(t, "2025-key", 2)
	published.Store(jwks(old))
	keys := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		_ = json.NewEncoder(w).Encode(published.Load())
	}))
	defer keys.Close()
	const refresh = 400 * time.Millisecond
	s, err := Start("127.0.0.1:0", Options{Population: -1, jwksRefresh: refresh,
		Clients: []Client{{ID: "rotating", JWKSURL: keys.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	try := func(k testKey) tokenReply {
		return postToken(t, s, map[string]string{"client_assertion": sign(t, k, claims(s, "rotating"))})
	}
	if fetches.Load() != 0 {
		t.Errorf("JWKS fetched before it was needed")
	}
	if r := try(old); r.status != http.StatusOK {
		t.Fatalf("old key: %+v", r)
	}
	published.Store(jwks(rotated))
	// Within the refresh interval the set is not fetched again.
	if r := try(rotated); r.status != http.StatusUnauthorized || !strings.Contains(r.Description, `no key with kid "2025-key"`) {
		t.Errorf("new kid right after a fetch: %+v", r)
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("%d fetches, want 1 (at most one per interval)", n)
	}
	time.Sleep(refresh)
	if r := try(rotated); r.status != http.StatusOK {
		t.Fatalf("rotated key after the interval: %+v", r)
	}
	if r := try(rotated); r.status != http.StatusOK || fetches.Load() != 2 {
		t.Errorf("cached set: %+v after %d fetches, want 2", r, fetches.Load())
	}
}

func TestAddClient_Validation(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Population: -1})
	if err != nil {
		t.Fatal(err)
	}
	set := jwks(rs384(t, "k", 1))
	for name, c := range map[string]Client{
		"no id":      {JWKS: set},
		"no keys":    {ID: "a"},
		"two keys":   {ID: "a", JWKS: set, JWKSURL: "http://x"},
		"bad file":   {ID: "a", JWKSFile: t.TempDir() + "/missing.json"},
		"bad scope":  {ID: "a", JWKS: set, Scopes: []string{"system/Patient"}},
		"user scope": {ID: "a", JWKS: set, Scopes: []string{"user/*.read"}},
	} {
		if err := s.AddClient(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := s.AddClient(Client{ID: "a", JWKS: set}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddClient(Client{ID: "a", JWKS: set}); err == nil {
		t.Error("duplicate id accepted")
	}
}

func TestScopes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		granted, want string
		ok            bool
	}{
		{"system/*.read", "system/Patient.read", true},
		{"system/*.read", "system/Patient.rs", true},
		{"system/*.rs", "system/Observation.r", true},
		{"system/Patient.read", "system/Patient.s", true},
		{"system/Patient.r", "system/Patient.read", false},
		{"system/Patient.read", "system/Observation.read", false},
		{"system/*.read", "system/Patient.write", false},
		{"system/*.*", "system/Patient.cruds", true},
	} {
		g, err1 := parseScope(tc.granted)
		w, err2 := parseScope(tc.want)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s / %s: %v %v", tc.granted, tc.want, err1, err2)
		}
		if g.covers(w) != tc.ok {
			t.Errorf("%s covers %s = %v, want %v", tc.granted, tc.want, !tc.ok, tc.ok)
		}
	}
	for _, bad := range []string{"system/Patient.sr", "system/Patient.", "system/patient.read", "launch", "system/Patient.rs?category=x"} {
		if _, err := parseScope(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
