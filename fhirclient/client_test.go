package fhirclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/switchboard-hl7/switchboard/fhirclient"
	"github.com/switchboard-hl7/switchboard/fhirclient/sandbox"
)

// These tests run the client against the sandbox over real HTTP: the
// sandbox verifies every assertion with the published keys, as an EHR does.

func newKey(t testing.TB, alg string) *fhirclient.Key {
	t.Helper()
	k, err := fhirclient.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func startSandbox(t testing.TB, opts sandbox.Options) *sandbox.Server {
	t.Helper()
	sb, err := sandbox.Start("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

func register(t testing.TB, sb *sandbox.Server, id string, keys ...*fhirclient.Key) {
	t.Helper()
	set := fhirclient.JWKS(keys...)
	if err := sb.AddClient(sandbox.Client{ID: id, JWKS: &set}); err != nil {
		t.Fatal(err)
	}
}

func newClient(t testing.TB, sb *sandbox.Server, id string, keys []*fhirclient.Key, mod func(*fhirclient.Config)) *fhirclient.Client {
	t.Helper()
	cfg := fhirclient.Config{Tenant: id, BaseURL: sb.BaseURL(), ClientID: id, Keys: keys,
		Scopes: []string{"system/Patient.read", "system/Encounter.rs"}, BackoffBase: 10 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	c, err := fhirclient.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClient_TokenFlowWithRS384AndES384(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Population: 5})
	for _, alg := range []string{fhirclient.RS384, fhirclient.ES384} {
		t.Run(alg, func(t *testing.T) {
			k := newKey(t, alg)
			register(t, sb, "app-"+alg, k)
			c := newClient(t, sb, "app-"+alg, []*fhirclient.Key{k}, nil)
			before := sb.Stats()
			p, err := c.Search(context.Background(), "Patient?_count=2")
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Matches) != 2 || p.Matches[0].Type != "Patient" || p.Matches[0].ID == "" {
				t.Fatalf("search gave %+v", p.Matches)
			}
			// A second call reuses the cached token.
			if _, err := c.Read(context.Background(), "Patient", p.Matches[0].ID); err != nil {
				t.Fatal(err)
			}
			st := sb.Stats()
			if st.TokensIssued-before.TokensIssued != 1 || st.TokenRefusals != before.TokenRefusals {
				t.Errorf("tokens issued %d, refused %d; want 1 and 0", st.TokensIssued-before.TokensIssued, st.TokenRefusals-before.TokenRefusals)
			}
		})
	}
}

// Concurrent callers with no token fetch one, and every fresh assertion
// (a new jti each) is accepted: the sandbox refuses a replayed jti.
func TestClient_OneTokenForConcurrentCallersAndFreshJTIs(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Population: 3, TokenLifetime: time.Second})
	k := newKey(t, fhirclient.RS384)
	register(t, sb, "app", k)
	c := newClient(t, sb, "app", []*fhirclient.Key{k}, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			if _, err := c.Search(context.Background(), "Patient?_count=1"); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := sb.Stats().TokensIssued; n != 1 {
		t.Errorf("%d tokens for 20 concurrent callers, want 1", n)
	}
	// Tokens live 1 s and are renewed a fifth early: several renewals,
	// each with a new assertion, none refused as a replay.
	deadline := time.Now().Add(2500 * time.Millisecond)
	for time.Now().Before(deadline) {
		if _, err := c.Search(context.Background(), "Patient?_count=1"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	st := sb.Stats()
	if st.TokensIssued < 3 || st.TokenRefusals != 0 {
		t.Errorf("tokens issued %d, refused %d: want renewals before expiry and no refusal", st.TokensIssued, st.TokenRefusals)
	}
	if st.Unauthorized != 0 {
		t.Errorf("%d calls were made with an expired token", st.Unauthorized)
	}
}

// A token the server stops accepting gets one new token and one retry.
func TestClient_RevokedTokenIsRefreshedOnce(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Population: 2})
	k := newKey(t, fhirclient.ES384)
	register(t, sb, "app", k)
	c := newClient(t, sb, "app", []*fhirclient.Key{k}, nil)
	ctx := context.Background()
	if _, err := c.Search(ctx, "Patient"); err != nil {
		t.Fatal(err)
	}
	sb.RevokeTokens()
	if _, err := c.Search(ctx, "Patient"); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	st := sb.Stats()
	if st.TokensIssued != 2 || st.Unauthorized != 1 {
		t.Errorf("tokens %d, 401s %d; want 2 and 1", st.TokensIssued, st.Unauthorized)
	}
}

// Rotation: the EHR fetches the JWKS URL again when a new kid arrives, and
// the newest key signs.
func TestClient_KeyRotationThroughAHostedJWKS(t *testing.T) {
	old := newKey(t, fhirclient.RS384)
	var published atomic.Pointer[jose.JSONWebKeySet]
	set := fhirclient.JWKS(old)
	published.Store(&set)
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(published.Load())
	}))
	defer jwks.Close()
	sb := startSandbox(t, sandbox.Options{Population: 2})
	if err := sb.AddClient(sandbox.Client{ID: "app", JWKSURL: jwks.URL}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := newClient(t, sb, "app", []*fhirclient.Key{old}, nil).Search(ctx, "Patient"); err != nil {
		t.Fatalf("old key: %v", err)
	}
	// Rotate: publish both keys, sign with the new one.
	newer := newKey(t, fhirclient.ES384)
	both := fhirclient.JWKS(newer, old)
	published.Store(&both)
	c := newClient(t, sb, "app", []*fhirclient.Key{newer, old}, nil)
	var err error
	for deadline := time.Now().Add(8 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		// The sandbox refetches a JWKS at most every 5 s, as Epic does.
		if _, err = c.Search(ctx, "Patient"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("new key never accepted: %v", err)
	}
}

// A refused assertion surfaces the OAuth error and description, and is
// not retried.
func TestClient_RefusedCredentialsSurfaceTheOAuthError(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Population: 1})
	registered, other := newKey(t, fhirclient.RS384), newKey(t, fhirclient.RS384)
	register(t, sb, "app", registered)
	c := newClient(t, sb, "app", []*fhirclient.Key{other}, nil)
	_, err := c.Search(context.Background(), "Patient")
	var oe *fhirclient.OAuthError
	if !errors.As(err, &oe) || oe.Code == "" || oe.Description == "" {
		t.Fatalf("err %v, want an OAuthError with error and error_description", err)
	}
	if n := sb.Stats().TokenRequests; n != 1 {
		t.Errorf("%d token requests, want 1 (a refusal is not retried)", n)
	}
}

// 429 with Retry-After: the client waits as told before the next attempt.
func TestClient_HonoursRetryAfter(t *testing.T) {
	for _, date := range []bool{false, true} {
		name := "seconds"
		if date {
			name = "http-date"
		}
		t.Run(name, func(t *testing.T) {
			sb := startSandbox(t, sandbox.Options{Population: 2,
				Faults: sandbox.Faults{Every429: 2, RetryAfter: time.Second, RetryAfterDate: date}})
			k := newKey(t, fhirclient.RS384)
			register(t, sb, "app", k)
			c := newClient(t, sb, "app", []*fhirclient.Key{k}, nil)
			for range 3 {
				if _, err := c.Search(context.Background(), "Patient"); err != nil {
					t.Fatal(err)
				}
			}
			reqs := fhirRequests(sb.Requests())
			throttled := 0
			for i, r := range reqs {
				if r.Status != http.StatusTooManyRequests {
					continue
				}
				throttled++
				if i+1 == len(reqs) {
					t.Fatal("a 429 was the last request: the call was not retried")
				}
				// An HTTP-date has whole-second precision: allow for
				// the fraction already gone.
				least := 900 * time.Millisecond
				if date {
					least = 10 * time.Millisecond
				}
				if gap := reqs[i+1].Time.Sub(r.Time); gap < least {
					t.Errorf("retried %v after a 429 with Retry-After 1s", gap)
				}
			}
			if throttled == 0 || sb.Stats().Throttled != int64(throttled) {
				t.Errorf("%d throttled requests logged, stats %d", throttled, sb.Stats().Throttled)
			}
		})
	}
}

// fhirRequests drops token requests from the log.
func fhirRequests(all []sandbox.Request) []sandbox.Request {
	var out []sandbox.Request
	for _, r := range all {
		if strings.Contains(r.Path, "/api/FHIR/") {
			out = append(out, r)
		}
	}
	return out
}

// Transient 503s are retried up to MaxAttempts, then the error carries
// the server's OperationOutcome.
func TestClient_TransientErrorsRetriedThenSurfaceTheOutcome(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Population: 2, Faults: sandbox.Faults{Every5xx: 1}})
	k := newKey(t, fhirclient.RS384)
	register(t, sb, "app", k)
	c := newClient(t, sb, "app", []*fhirclient.Key{k}, func(cfg *fhirclient.Config) {
		cfg.MaxAttempts, cfg.MaxRetryAfter = 3, 50*time.Millisecond
	})
	_, err := c.Search(context.Background(), "Patient?identifier=urn:oid:2.16.840.1.113883.19.5|SECRET-MRN")
	var fe *fhirclient.Error
	if !errors.As(err, &fe) || fe.Status != http.StatusServiceUnavailable || fe.Outcome == nil || fe.Outcome.Issue[0].Code != "transient" {
		t.Fatalf("err %v, want a 503 with its OperationOutcome", err)
	}
	if strings.Contains(err.Error(), "SECRET-MRN") {
		t.Errorf("error text carries the query (patient identifiers): %v", err)
	}
	if n := sb.Stats().Transient; n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
}

// Under concurrent load the client stays inside its quota: never more
// calls in a second than rate plus burst.
func TestClient_QuotaIsNeverExceeded(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Population: 2})
	k := newKey(t, fhirclient.RS384)
	register(t, sb, "app", k)
	c := newClient(t, sb, "app", []*fhirclient.Key{k}, func(cfg *fhirclient.Config) {
		cfg.Quota = fhirclient.Quota{Rate: 20, Burst: 5}
	})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 6 {
				if _, err := c.Search(context.Background(), "Patient?_count=1"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	reqs := fhirRequests(sb.Requests())
	if len(reqs) != 48 {
		t.Fatalf("%d requests, want 48", len(reqs))
	}
	for i := range reqs {
		n := 0
		for j := i; j < len(reqs) && reqs[j].Time.Sub(reqs[i].Time) < time.Second; j++ {
			n++
		}
		if n > 25 {
			t.Fatalf("%d requests within one second from request %d; quota is 20/s + burst 5", n, i)
		}
	}
	// The daily cap fails at once, without a call.
	capped := newClient(t, sb, "app", []*fhirclient.Key{k}, func(cfg *fhirclient.Config) { cfg.Quota = fhirclient.Quota{Daily: 1} })
	if _, err := capped.Search(context.Background(), "Patient"); err != nil {
		t.Fatal(err)
	}
	before := sb.Stats().FHIRRequests
	if _, err := capped.Search(context.Background(), "Patient"); !errors.Is(err, fhirclient.ErrQuotaExhausted) {
		t.Errorf("over the daily cap: %v", err)
	}
	if sb.Stats().FHIRRequests != before {
		t.Error("a call over the daily cap reached the server")
	}
}

// Paging follows the server's next links to the end; the count matches
// Bundle.total.
func TestClient_SearchAllFollowsPaging(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Population: 23})
	k := newKey(t, fhirclient.RS384)
	register(t, sb, "app", k)
	c := newClient(t, sb, "app", []*fhirclient.Key{k}, nil)
	first, err := c.Search(context.Background(), "Patient?_count=5")
	if err != nil {
		t.Fatal(err)
	}
	if first.Next == "" || first.Total < 23 {
		t.Fatalf("first page: total %d next %q", first.Total, first.Next)
	}
	ids := map[string]bool{}
	err = c.SearchAll(context.Background(), "Patient?_count=5", 0, func(r fhirclient.Resource) error {
		if ids[r.ID] {
			t.Errorf("patient %s twice", r.ID)
		}
		ids[r.ID] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != first.Total {
		t.Errorf("%d patients over all pages, Bundle.total %d", len(ids), first.Total)
	}
	n := 0
	c.SearchAll(context.Background(), "Patient?_count=5", 7, func(fhirclient.Resource) error { n++; return nil })
	if n != 7 {
		t.Errorf("limit 7 gave %d", n)
	}
}

// Two tenants on one server never share a token or a key: each client
// signs with its own key, gets its own token, and one tenant's key cannot
// obtain a token for the other.
func TestClient_TenantsAreIsolated(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Population: 2})
	ka, kb := newKey(t, fhirclient.RS384), newKey(t, fhirclient.ES384)
	register(t, sb, "hospital-a", ka)
	register(t, sb, "hospital-b", kb)
	a := newClient(t, sb, "hospital-a", []*fhirclient.Key{ka}, nil)
	b := newClient(t, sb, "hospital-b", []*fhirclient.Key{kb}, nil)
	for _, c := range []*fhirclient.Client{a, b, a, b} {
		if _, err := c.Search(context.Background(), "Patient"); err != nil {
			t.Fatal(err)
		}
	}
	perClient := map[string]int{}
	for _, r := range sb.Requests() {
		if strings.HasSuffix(r.Path, "/oauth2/token") && r.Status == http.StatusOK {
			perClient[r.ClientID]++
		}
	}
	if perClient["hospital-a"] != 1 || perClient["hospital-b"] != 1 {
		t.Errorf("tokens per client %v, want one each", perClient)
	}
	// b's client id with a's key: refused.
	mixed := newClient(t, sb, "hospital-b", []*fhirclient.Key{ka}, nil)
	if _, err := mixed.Search(context.Background(), "Patient"); err == nil {
		t.Error("hospital-a's key obtained a token for hospital-b")
	}
}

// A redirect never carries the token elsewhere: the client does not
// follow it, and says what the server answered.
func TestClient_DoesNotFollowRedirectsWithTheToken(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Population: 1})
	k := newKey(t, fhirclient.RS384)
	register(t, sb, "app", k)
	var leaked atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
	}))
	defer evil.Close()
	ehr := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/.well-known/smart-configuration") {
			json.NewEncoder(w).Encode(map[string]string{"token_endpoint": sb.TokenURL()})
			return
		}
		http.Redirect(w, r, evil.URL+r.URL.Path, http.StatusFound)
	}))
	defer ehr.Close()
	c, err := fhirclient.New(fhirclient.Config{Tenant: "t", BaseURL: ehr.URL + "/fhir", ClientID: "app",
		Keys: []*fhirclient.Key{k}, Scopes: []string{"system/Patient.read"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Search(context.Background(), "Patient?name=x")
	var fe *fhirclient.Error
	if !errors.As(err, &fe) || fe.Status != http.StatusFound {
		t.Errorf("err %v, want the 302 as an error", err)
	}
	if leaked.Load() != 0 {
		t.Error("the token followed the redirect to another server")
	}
}
