package fhirclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrExportGone matches (with errors.Is) the *Error of an export job or
// file the server no longer has: a 404 or 410 from a status URL or a
// file URL. The export has to be started again.
var ErrExportGone = errors.New("export job or file gone")

// Is makes errors.Is(err, ErrExportGone) true for a 404 or 410 from an
// export's status or file URL.
func (e *Error) Is(target error) bool {
	return target == ErrExportGone &&
		(e.Status == http.StatusNotFound || e.Status == http.StatusGone) &&
		(e.Path == statusEndpoint || strings.HasPrefix(e.Path, fileEndpoint))
}

// ExportStatus is one answer of an export's status URL.
type ExportStatus struct {
	Complete   bool
	Progress   string        // X-Progress, as sent (may be empty)
	RetryAfter time.Duration // the server's Retry-After, clamped to MaxRetryAfter; 0 if none
	Manifest   *Manifest     // set when Complete
}

// PollExport makes one status request: 202 is in progress, 200 complete
// with the manifest. Throttling (429) and transient failures (503, or a
// 500 whose OperationOutcome says "transient") are retried like any
// call; any other error status means the export failed, and is an *Error
// with the server's OperationOutcome.
func (c *Client) PollExport(ctx context.Context, statusURL string) (ExportStatus, error) {
	if err := c.onServer(statusURL); err != nil {
		return ExportStatus{}, err
	}
	body, resp, err := c.do(ctx, request{url: statusURL, endpoint: statusEndpoint, name: statusEndpoint, accept: "application/json"})
	if err != nil {
		return ExportStatus{}, err
	}
	switch resp.StatusCode {
	case http.StatusAccepted:
		st := ExportStatus{Progress: resp.Header.Get("X-Progress")}
		st.RetryAfter, _ = RetryAfter(resp.Header, time.Now(), c.cfg.MaxRetryAfter)
		return st, nil
	case http.StatusOK:
		m, err := decodeManifest(body, resp.Request.URL)
		if err != nil {
			return ExportStatus{}, fmt.Errorf("tenant %s: %s: %w", c.cfg.Tenant, statusEndpoint, err)
		}
		return ExportStatus{Complete: true, Manifest: m}, nil
	}
	return ExportStatus{}, c.unexpected(resp, statusEndpoint, body)
}

// WaitExport polls statusURL until the export is complete and returns its
// manifest. Between polls it sleeps the server's Retry-After, or without
// one an interval that starts at Config.ExportPollInterval and grows by
// half each time up to Config.ExportPollMax. progress, if not nil, is
// called after each answer "in progress".
func (c *Client) WaitExport(ctx context.Context, statusURL string, progress func(ExportStatus)) (*Manifest, error) {
	interval := c.cfg.ExportPollInterval
	for {
		st, err := c.PollExport(ctx, statusURL)
		if err != nil {
			return nil, err
		}
		if st.Complete {
			return st.Manifest, nil
		}
		if progress != nil {
			progress(st)
		}
		wait := st.RetryAfter
		if wait <= 0 {
			wait = interval
			interval = min(interval*3/2, c.cfg.ExportPollMax)
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("tenant %s: waiting for export: %w", c.cfg.Tenant, err)
		}
	}
}

// CancelExport asks the server to stop an export and delete its files (a
// DELETE of the status URL). A job the server no longer knows is an
// *Error that matches ErrExportGone.
func (c *Client) CancelExport(ctx context.Context, statusURL string) error {
	if err := c.onServer(statusURL); err != nil {
		return err
	}
	body, resp, err := c.do(ctx, request{method: http.MethodDelete, url: statusURL, endpoint: statusEndpoint, name: statusEndpoint})
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
		return c.unexpected(resp, statusEndpoint, body)
	}
	return nil
}

// onServer refuses a status URL off the tenant's server: it would be
// handed our token.
func (c *Client) onServer(statusURL string) error {
	u, err := url.Parse(statusURL)
	if err != nil || !c.ownOrigin(u) {
		return fmt.Errorf("tenant %s: %s: the status URL is not on the tenant's server; not called", c.cfg.Tenant, statusEndpoint)
	}
	return nil
}
