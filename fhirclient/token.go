package fhirclient

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// assertionLifetime is how long a client assertion is valid. SMART allows
// at most five minutes; one less leaves room for clock skew.
const assertionLifetime = 4 * time.Minute

// signAssertion makes the client assertion JWT of SMART Backend Services:
// iss = sub = client id, aud = the exact token URL, a fresh jti.
func signAssertion(k *Key, clientID, tokenURL, jku string, now time.Time) (string, error) {
	var method jwt.SigningMethod
	switch k.Alg {
	case RS384:
		method = jwt.SigningMethodRS384
	case ES384:
		method = jwt.SigningMethodES384 // signs R‖S, not DER, as JWS requires
	default:
		return "", fmt.Errorf("key %s: algorithm %q", k.ID, k.Alg)
	}
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	// aud as a plain string: the library would make a one-element array,
	// which some EHRs refuse.
	claims := jwt.MapClaims{
		"iss": clientID,
		"sub": clientID,
		"aud": tokenURL,
		"jti": hex.EncodeToString(jti),
		"iat": now.Unix(),
		"exp": now.Add(assertionLifetime).Unix(),
	}
	t := jwt.NewWithClaims(method, claims)
	t.Header["kid"] = k.ID
	if jku != "" {
		t.Header["jku"] = jku
	}
	return t.SignedString(k.Signer)
}

// token is an access token and when to stop using it.
type token struct {
	value     string
	renewAt   time.Time // when to start asking for the next one
	expiresAt time.Time // when the server stops taking it
}

// usable reports whether t may still be sent at now.
func (t *token) usable(now time.Time) bool { return t != nil && now.Before(t.expiresAt) }

// tokenSource hands out one tenant's access token: cached, renewed before
// it expires, fetched once for all callers that need a new one at the same
// time. A renewal that fails leaves the current token in use until it
// really expires: a token endpoint down for a minute must not fail calls
// that a valid token would carry.
type tokenSource struct {
	c *Client

	mu       sync.Mutex
	tok      *token
	fetching chan struct{} // closed when the fetch in progress ends
	lastErr  error         // of the last fetch; nil once one succeeds
	failedAt time.Time     // when the last fetch failed
	tokenURL string        // discovered once
}

// refusalHold is how long a failed token request answers for the next
// ones: a token endpoint that refuses us is not asked again by every
// event in a burst.
const refusalHold = 2 * time.Second

// get returns a valid access token.
func (ts *tokenSource) get(ctx context.Context) (string, error) {
	for {
		ts.mu.Lock()
		now := time.Now()
		tok := ts.tok
		if tok != nil && now.Before(tok.renewAt) {
			ts.mu.Unlock()
			return tok.value, nil
		}
		held := ts.lastErr != nil && !isContextErr(ts.lastErr) && now.Sub(ts.failedAt) < refusalHold
		switch {
		case held && tok.usable(now):
			ts.mu.Unlock()
			return tok.value, nil // the renewal just failed: keep using this one
		case held:
			err := ts.lastErr
			ts.mu.Unlock()
			return "", err
		case ts.fetching == nil:
			ts.fetching = make(chan struct{})
			ts.mu.Unlock()
			return ts.fetch(ctx)
		case tok.usable(now):
			ts.mu.Unlock()
			return tok.value, nil // another caller is renewing it
		}
		wait := ts.fetching
		ts.mu.Unlock()
		select {
		case <-wait:
			// Loop: the new token is there, or the fetch failed (held
			// answers), or its caller gave up and this one fetches.
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// invalidate drops value if it is still the cached token: the server
// refused it (revoked, or expired early), so the next get fetches anew.
func (ts *tokenSource) invalidate(value string) {
	ts.mu.Lock()
	if ts.tok != nil && ts.tok.value == value {
		ts.tok = nil
	}
	ts.mu.Unlock()
}

// fetch runs the one token request in flight and publishes its result.
// It runs on the caller's context; a caller giving up makes the others
// wait for a fetch of their own rather than fail.
func (ts *tokenSource) fetch(ctx context.Context) (string, error) {
	tok, err := ts.request(ctx)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	close(ts.fetching)
	ts.fetching = nil
	ts.lastErr = err
	if err != nil {
		ts.failedAt = time.Now()
		if old := ts.tok; old.usable(ts.failedAt) && !isContextErr(err) {
			return old.value, nil
		}
		return "", err
	}
	ts.tok = tok
	return tok.value, nil
}

// status reports whether a usable token is cached and the last fetch's
// error; fetched is false before the first fetch has ended.
func (ts *tokenSource) status() (valid, fetched bool, err error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.tok.usable(time.Now()), ts.tok != nil || ts.lastErr != nil, ts.lastErr
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// tokenResponse is RFC 6749's success body. expires_in arrives as a
// number or, from some servers, a string.
type tokenResponse struct {
	AccessToken string          `json:"access_token"`
	TokenType   string          `json:"token_type"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
	Scope       string          `json:"scope"`
}

func (ts *tokenSource) request(ctx context.Context) (*token, error) {
	c := ts.c
	tokenURL, err := ts.endpoint(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	assertion, err := signAssertion(c.keys[0], c.cfg.ClientID, tokenURL, c.cfg.JKU, now)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: sign client assertion: %w", c.cfg.Tenant, err)
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
		"scope":                 {strings.Join(c.cfg.Scopes, " ")},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.observe("token", 0, time.Since(start))
		return nil, fmt.Errorf("tenant %s: token request: %w", c.cfg.Tenant, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	c.observe("token", resp.StatusCode, time.Since(start))
	if err != nil {
		return nil, fmt.Errorf("tenant %s: token response: %w", c.cfg.Tenant, err)
	}
	if resp.StatusCode != http.StatusOK {
		oe := &OAuthError{Tenant: c.cfg.Tenant, Status: resp.StatusCode}
		if json.Unmarshal(body, oe) != nil || oe.Code == "" {
			oe.Description = strings.TrimSpace(string(body[:min(len(body), maxErrorText)]))
		}
		return nil, oe
	}
	return parseToken(c.cfg.Tenant, body, start)
}

func parseToken(tenant string, body []byte, issued time.Time) (*token, error) {
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		return nil, fmt.Errorf("tenant %s: token response is not JSON: %w", tenant, err)
	}
	if tr.AccessToken == "" {
		return nil, fmt.Errorf("tenant %s: token response has no access_token", tenant)
	}
	if !strings.EqualFold(tr.TokenType, "bearer") {
		return nil, fmt.Errorf("tenant %s: token_type %q, want bearer", tenant, tr.TokenType)
	}
	life := 5 * time.Minute // RFC 6749 makes expires_in optional; assume the short end
	if s := strings.Trim(string(tr.ExpiresIn), `"`); s != "" && s != "null" {
		secs, err := strconv.ParseInt(s, 10, 64)
		if err != nil || secs <= 0 {
			return nil, fmt.Errorf("tenant %s: expires_in %s is not a positive number of seconds", tenant, tr.ExpiresIn)
		}
		life = time.Duration(secs) * time.Second
	}
	// Renew a fifth of the lifetime early (at most a minute): a call
	// that starts with the token must not reach the server after it.
	return &token{value: tr.AccessToken, renewAt: issued.Add(life - min(life/5, time.Minute)), expiresAt: issued.Add(life)}, nil
}

// endpoint returns the token URL: the configured one, or the one the
// server's SMART configuration names, read once.
func (ts *tokenSource) endpoint(ctx context.Context) (string, error) {
	if u := ts.c.cfg.TokenURL; u != "" {
		return u, nil
	}
	ts.mu.Lock()
	u := ts.tokenURL
	ts.mu.Unlock()
	if u != "" {
		return u, nil
	}
	u, err := ts.c.discover(ctx)
	if err != nil {
		return "", err
	}
	ts.mu.Lock()
	ts.tokenURL = u
	ts.mu.Unlock()
	return u, nil
}

// smartConfiguration is the part of .well-known/smart-configuration the
// client uses.
type smartConfiguration struct {
	TokenEndpoint string `json:"token_endpoint"`
}

// discover reads [base]/.well-known/smart-configuration.
func (c *Client) discover(ctx context.Context) (string, error) {
	u := c.base + "/.well-known/smart-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("tenant %s: SMART discovery: %w", c.cfg.Tenant, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("tenant %s: SMART discovery: %w", c.cfg.Tenant, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("tenant %s: SMART discovery: %w (set token_url to skip discovery)", c.cfg.Tenant, newError(c.cfg.Tenant, req, resp.StatusCode, body))
	}
	var sc smartConfiguration
	if err := json.Unmarshal(body, &sc); err != nil || sc.TokenEndpoint == "" {
		return "", fmt.Errorf("tenant %s: SMART configuration at %s has no token_endpoint", c.cfg.Tenant, u)
	}
	return sc.TokenEndpoint, nil
}
