package sandbox

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// testKey is a client's signing key and the kid it is published under.
type testKey struct {
	kid    string
	method jwt.SigningMethod
	priv   crypto.Signer
}

// Key generation (RSA 2048 above all) is slow, so tests share keys.
var (
	keysOnce sync.Once
	rsaKey1  *rsa.PrivateKey
	rsaKey2  *rsa.PrivateKey
	ecKey1   *ecdsa.PrivateKey
	ecKey2   *ecdsa.PrivateKey
)

func genKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if rsaKey1, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if rsaKey2, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ecKey1, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
			panic(err)
		}
		if ecKey2, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
			panic(err)
		}
	})
}

func rs384(t testing.TB, kid string, which int) testKey {
	genKeys(t)
	k := rsaKey1
	if which == 2 {
		k = rsaKey2
	}
	return testKey{kid: kid, method: jwt.SigningMethodRS384, priv: k}
}

func es384(t testing.TB, kid string, which int) testKey {
	genKeys(t)
	k := ecKey1
	if which == 2 {
		k = ecKey2
	}
	return testKey{kid: kid, method: jwt.SigningMethodES384, priv: k}
}

// jwks publishes the public halves of keys.
func jwks(keys ...testKey) *jose.JSONWebKeySet {
	set := &jose.JSONWebKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: k.method.Alg(), Use: "sig"})
	}
	return set
}

// claims are good assertion claims for client id at s.
func claims(s *Server, id string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": id, "sub": id, "aud": s.TokenURL(),
		"exp": now.Add(4 * time.Minute).Unix(), "iat": now.Unix(),
		"jti": randomToken(),
	}
}

// sign makes a client assertion with k.
func sign(t testing.TB, k testKey, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(k.method, c)
	tok.Header["kid"] = k.kid
	s, err := tok.SignedString(k.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tokenReply is either answer of the token endpoint.
type tokenReply struct {
	status      int
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// postToken sends a token request with the given form fields set over
// the defaults (a good client_credentials request without assertion).
func postToken(t testing.TB, s *Server, fields map[string]string) tokenReply {
	t.Helper()
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {assertionType},
		"scope":                 {"system/Patient.read"},
	}
	for k, v := range fields {
		form.Set(k, v)
	}
	resp, err := http.PostForm(s.TokenURL(), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r tokenReply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	r.status = resp.StatusCode
	return r
}

// token gets an access token for client id signed with k.
func token(t testing.TB, s *Server, k testKey, id, scope string) string {
	t.Helper()
	r := postToken(t, s, map[string]string{"client_assertion": sign(t, k, claims(s, id)), "scope": scope})
	if r.status != http.StatusOK {
		t.Fatalf("token: %d %s: %s", r.status, r.Error, r.Description)
	}
	return r.AccessToken
}

// start runs a server for the test with one client, "app", holding an
// RS384 and an ES384 key, and returns it with a read-everything token.
func start(t testing.TB, opts Options) (*Server, string) {
	t.Helper()
	if opts.Population == 0 {
		opts.Population = 5
	}
	opts.Clients = append(opts.Clients, Client{ID: "app", JWKS: jwks(rs384(t, "rsa-1", 1), es384(t, "ec-1", 1))})
	s, err := Start("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, token(t, s, rs384(t, "rsa-1", 1), "app", "system/*.read")
}

// get does an authenticated GET (url relative to the FHIR base unless it
// is absolute) and returns the response with its body read.
func get(t testing.TB, s *Server, tok, u string) (*http.Response, []byte) {
	t.Helper()
	if !strings.HasPrefix(u, "http") {
		u = s.BaseURL() + "/" + u
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// searchBundle is the part of a searchset Bundle the tests read.
type searchBundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Total        int    `json:"total"`
	Link         []struct {
		Relation, URL string
	} `json:"link"`
	Entry []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   struct{ Mode string }
	} `json:"entry"`
}

func (b searchBundle) next() string {
	for _, l := range b.Link {
		if l.Relation == "next" {
			return l.URL
		}
	}
	return ""
}

// search runs a search that must succeed and returns its first page.
func search(t testing.TB, s *Server, tok, query string) searchBundle {
	t.Helper()
	resp, body := get(t, s, tok, query)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", query, resp.StatusCode, body)
	}
	var b searchBundle
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// outcome decodes an OperationOutcome body and returns its first issue.
func outcome(t testing.TB, body []byte) outcomeIssue {
	t.Helper()
	var oo operationOutcome
	if err := json.Unmarshal(body, &oo); err != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 {
		t.Fatalf("not an OperationOutcome: %s", body)
	}
	return oo.Issue[0]
}

// resourceOf decodes a resource into a generic map.
func resourceOf(t testing.TB, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
