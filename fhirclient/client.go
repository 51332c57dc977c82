// Package fhirclient calls one EHR tenant's FHIR R4 API the way SMART
// Backend Services clients must: signed client assertions, a cached
// access token renewed before it expires, Retry-After honoured, and a
// client-side quota so the engine stays under the customer's limit.
package fhirclient

import (
	"bytes"
	"cmp"
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

	ExportPollInterval time.Duration // first $export status poll interval without Retry-After; default 2s
	ExportPollMax      time.Duration // longest poll interval; default 1m

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
	if cfg.ExportPollInterval <= 0 {
		cfg.ExportPollInterval = 2 * time.Second
	}
	if cfg.ExportPollMax <= 0 {
		cfg.ExportPollMax = time.Minute
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

// request is one FHIR call: a GET for read and search, or the methods,
// headers and bodies of $export.
type request struct {
	method   string // default GET
	url      string // absolute, on this tenant's server
	endpoint string // what OnCall reports
	name     string // what errors call the path; default the resource type in it
	accept   string // default application/fhir+json
	header   http.Header
	body     []byte
}

// get performs a GET of u (absolute, on this tenant's server) with the
// tenant's token and returns the body of a 2xx response.
func (c *Client) get(ctx context.Context, u, endpoint string) ([]byte, error) {
	body, _, err := c.do(ctx, request{url: u, endpoint: endpoint})
	return body, err
}

// do sends r with retries (see retry) and returns the body of a 2xx
// response, and the response itself (body closed) for its status and
// headers.
func (c *Client) do(ctx context.Context, r request) (body []byte, resp *http.Response, err error) {
	err = c.retry(ctx, func() (*http.Response, error) {
		var err error
		body, resp, err = c.try(ctx, r)
		return resp, err
	})
	return body, resp, err
}

// retry calls once until it succeeds. It waits for the quota before every
// attempt, retries throttling and transient failures (Retry-After first,
// else backoff) up to MaxAttempts, and after a 401 tries once more (once
// is expected to have dropped the refused token). once returns the
// response it got, or nil when none came.
func (c *Client) retry(ctx context.Context, once func() (*http.Response, error)) error {
	refreshed := false
	var last error
	for attempt := 0; attempt < c.cfg.MaxAttempts; attempt++ {
		if err := c.quota.wait(ctx); err != nil {
			return fmt.Errorf("tenant %s: %w", c.cfg.Tenant, err)
		}
		resp, err := once()
		if err == nil {
			return nil
		}
		last = err
		var wait time.Duration
		var oauth *OAuthError
		switch {
		case ctx.Err() != nil:
			return err
		case errors.As(err, &oauth) && !retryableStatus(oauth.Status):
			return err // refused credentials do not get better by asking again
		case resp == nil: // no response: connection refused, reset, timed out
			wait = backoff(attempt, c.cfg.BackoffBase, c.cfg.BackoffMax)
		case resp.StatusCode == http.StatusUnauthorized && !refreshed:
			refreshed = true
			attempt-- // a refresh is not a retry of a failing server
			continue
		case isTransient(err):
			d, ok := RetryAfter(resp.Header, time.Now(), c.cfg.MaxRetryAfter)
			if !ok {
				d = backoff(attempt, c.cfg.BackoffBase, c.cfg.BackoffMax)
			}
			wait = d
		default:
			return err
		}
		if attempt == c.cfg.MaxAttempts-1 {
			break
		}
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("%w (while waiting to retry: %w)", err, last)
		}
	}
	return fmt.Errorf("%w (gave up after %d attempts)", last, c.cfg.MaxAttempts)
}

// try makes one request. On an HTTP error it returns the response (body
// closed) with an *Error; on a 401 it drops the token it used.
func (c *Client) try(ctx context.Context, r request) ([]byte, *http.Response, error) {
	tok, err := c.tokens.get(ctx)
	if err != nil {
		return nil, nil, err
	}
	req, err := r.build(ctx)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.observe(r.endpoint, 0, time.Since(start))
		return nil, nil, fmt.Errorf("tenant %s: %s %s: %w", c.cfg.Tenant, req.Method, r.pathName(req), stripURL(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	c.observe(r.endpoint, resp.StatusCode, time.Since(start))
	if err != nil {
		return nil, nil, fmt.Errorf("tenant %s: %s %s: read body: %w", c.cfg.Tenant, req.Method, r.pathName(req), err)
	}
	if resp.StatusCode/100 != 2 {
		if resp.StatusCode == http.StatusUnauthorized {
			c.tokens.invalidate(tok)
		}
		e := newError(c.cfg.Tenant, req, resp.StatusCode, body)
		e.Path = r.pathName(req)
		return nil, resp, e
	}
	return body, resp, nil
}

// build makes the HTTP request for r, without the token.
func (r request) build(ctx context.Context) (*http.Request, error) {
	method := cmp.Or(r.method, http.MethodGet)
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.url, body)
	if err != nil {
		return nil, err
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", cmp.Or(r.accept, "application/fhir+json"))
	return req, nil
}

// pathName is what an error may say of req's path: never an id or query.
func (r request) pathName(req *http.Request) string {
	return cmp.Or(r.name, resourcePath(req.URL.Path))
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
