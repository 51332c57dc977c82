// Package fhirclient calls one EHR tenant's FHIR R4 API the way SMART
// Backend Services clients must: signed client assertions, a cached
// access token renewed before it expires, Retry-After honoured, and a
// client-side quota so the engine stays under the customer's limit.
package fhirclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config is one tenant: one EHR customer with its own FHIR endpoint, OAuth
// client, keys and limits. Two tenants never share a Client, so they never
// share a token or a key.
type Config struct {
	Tenant   string   // name, used in errors and metrics
	BaseURL  string   // FHIR base, e.g. https://fhir.example.org/api/FHIR/R4
	TokenURL string   // overrides SMART discovery when set
	ClientID string   // the backend-services client id registered with the EHR
	Keys     []*Key   // newest first: Keys[0] signs, the others are published for rotation
	Scopes   []string // e.g. system/Patient.read (SMART v1) or system/Patient.rs (v2)
	JKU      string   // optional jku header: the JWKS URL registered with the EHR

	Quota Quota

	Timeout       time.Duration // per HTTP request; default 20s
	MaxAttempts   int           // per call, the first included; default 4
	MaxRetryAfter time.Duration // Retry-After is clamped to this; default 30s
	BackoffBase   time.Duration // first backoff without Retry-After; default 250ms
	BackoffMax    time.Duration // longest backoff; default 10s

	HTTPClient *http.Client // default: a client with Timeout
	// OnCall, if set, is called after every HTTP request the client
	// makes (endpoint is the resource type, "token" or "discovery";
	// status 0 when no response came).
	OnCall func(c Call)
}

// Call describes one HTTP request made for a tenant, for metrics.
type Call struct {
	Tenant   string
	Endpoint string
	Status   int
	Duration time.Duration
}

// Client calls one tenant's FHIR API. It is safe for concurrent use.
type Client struct {
	cfg    Config
	base   string // BaseURL without a trailing slash
	keys   []*Key
	http   *http.Client
	tokens *tokenSource
	quota  *quota
}

// New checks cfg and returns its Client.
func New(cfg Config) (*Client, error) {
	if err := cfg.fill(); err != nil {
		return nil, fmt.Errorf("tenant %s: %w", cfg.Tenant, err)
	}
	c := &Client{cfg: cfg, base: strings.TrimRight(cfg.BaseURL, "/"), keys: cfg.Keys, http: cfg.HTTPClient}
	if c.http == nil {
		// Redirects are not followed: Go would resend the Authorization
		// header (and a token request's assertion) to wherever a
		// redirect points, another port or a plain-http URL included.
		c.http = &http.Client{Timeout: cfg.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	c.tokens = &tokenSource{c: c}
	c.quota = newQuota(cfg.Quota)
	return c, nil
}

func (cfg *Config) fill() error {
	switch {
	case cfg.Tenant == "":
		return errors.New("no tenant name")
	case cfg.BaseURL == "":
		return errors.New("no FHIR base URL")
	case cfg.ClientID == "":
		return errors.New("no client_id")
	case len(cfg.Keys) == 0:
		return errors.New("no signing key")
	}
	if u, err := url.Parse(cfg.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 4
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = 30 * time.Second
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = 250 * time.Millisecond
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = 10 * time.Second
	}
	return nil
}

// Tenant returns the tenant's name.
func (c *Client) Tenant() string { return c.cfg.Tenant }

// BaseURL returns the FHIR base URL, without a trailing slash.
func (c *Client) BaseURL() string { return c.base }

// Keys returns the tenant's keys, newest first.
func (c *Client) Keys() []*Key { return c.keys }

// CheckToken fetches an access token if none is cached, so that /readyz
// can show a token endpoint that refuses us before an event needs it.
func (c *Client) CheckToken(ctx context.Context) error {
	_, err := c.tokens.get(ctx)
	return err
}

// TokenStatus reports the tenant's token state for health pages: whether a
// usable token is cached, whether any token request has ended yet, and
// the last one's error (nil once one succeeded).
func (c *Client) TokenStatus() (valid, fetched bool, err error) { return c.tokens.status() }

func (c *Client) observe(endpoint string, status int, d time.Duration) {
	if c.cfg.OnCall != nil {
		c.cfg.OnCall(Call{Tenant: c.cfg.Tenant, Endpoint: endpoint, Status: status, Duration: d})
	}
}

// get performs a GET of u (absolute, on this tenant's server) with the
// tenant's token and returns the body of a 2xx response. It waits for the
// quota, retries throttling and transient failures (Retry-After first,
// else backoff) up to MaxAttempts, and on a 401 fetches a new token once.
func (c *Client) get(ctx context.Context, u, endpoint string) ([]byte, error) {
	refreshed := false
	var last error
	for attempt := 0; attempt < c.cfg.MaxAttempts; attempt++ {
		if err := c.quota.wait(ctx); err != nil {
			return nil, fmt.Errorf("tenant %s: %w", c.cfg.Tenant, err)
		}
		body, resp, err := c.try(ctx, u, endpoint)
		if err == nil {
			return body, nil
		}
		last = err
		var wait time.Duration
		var oauth *OAuthError
		switch {
		case ctx.Err() != nil:
			return nil, err
		case errors.As(err, &oauth) && !retryableStatus(oauth.Status):
			return nil, err // refused credentials do not get better by asking again
		case resp == nil: // no response: connection refused, reset, timed out
			wait = backoff(attempt, c.cfg.BackoffBase, c.cfg.BackoffMax)
		case resp.StatusCode == http.StatusUnauthorized && !refreshed:
			refreshed = true
			attempt-- // a refresh is not a retry of a failing server
			continue
		case retryableStatus(resp.StatusCode):
			d, ok := RetryAfter(resp.Header, time.Now(), c.cfg.MaxRetryAfter)
			if !ok {
				d = backoff(attempt, c.cfg.BackoffBase, c.cfg.BackoffMax)
			}
			wait = d
		default:
			return nil, err
		}
		if attempt == c.cfg.MaxAttempts-1 {
			break
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%w (while waiting to retry: %w)", err, last)
		}
	}
	return nil, fmt.Errorf("%w (gave up after %d attempts)", last, c.cfg.MaxAttempts)
}

// try makes one request. On an HTTP error it returns the response (body
// closed) with an *Error; on a 401 it drops the token it used.
func (c *Client) try(ctx context.Context, u, endpoint string) ([]byte, *http.Response, error) {
	tok, err := c.tokens.get(ctx)
	if err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "application/fhir+json")
	req.Header.Set("Authorization", "Bearer "+tok)
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.observe(endpoint, 0, time.Since(start))
		return nil, nil, fmt.Errorf("tenant %s: GET %s: %w", c.cfg.Tenant, req.URL.Path, stripURL(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	c.observe(endpoint, resp.StatusCode, time.Since(start))
	if err != nil {
		return nil, nil, fmt.Errorf("tenant %s: GET %s: read body: %w", c.cfg.Tenant, req.URL.Path, err)
	}
	if resp.StatusCode/100 != 2 {
		if resp.StatusCode == http.StatusUnauthorized {
			c.tokens.invalidate(tok)
		}
		return nil, resp, newError(c.cfg.Tenant, req, resp.StatusCode, body)
	}
	return body, resp, nil
}

// maxBody bounds one response read into memory (a page of a search).
const maxBody = 64 << 20

// stripURL drops the URL from a transport error: its query holds patient
// identifiers, and the caller names the path.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
