package fhirclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FileOptions say how to read one export file.
type FileOptions struct {
	// AccessToken sends the bearer token (Manifest.RequiresAccessToken).
	// It only ever goes to the FHIR server's own origin: a file elsewhere
	// that wants it is an error, and a redirect elsewhere drops it.
	AccessToken bool
	Offset      int64 // decoded bytes already consumed (resume): skip them
	Line        int64 // lines already consumed before Offset, so Line() numbering continues
	MaxLine     int   // longest line accepted; default DefaultMaxLine
}

// maxRedirects bounds the redirects a file download follows (to a blob
// store, typically).
const maxRedirects = 5

// ErrStalled ends a download that received nothing for Config.Timeout
// (errors.Is): a resume may succeed.
var ErrStalled = errors.New("no data within the timeout: connection stalled")

// OpenExportFile starts reading one output or error file of a manifest,
// compressed on the wire when the server will (gzip, or a .gz file) and
// decompressed here. Throttling and transient failures before the body
// starts are retried; a 404 or a 410 (the file expired) is an *Error
// matching ErrExportGone. With o.Offset > 0 it asks for the rest of the
// file only (Range, uncompressed): a 206 starts there, a 200 is read
// from the start and the first o.Offset decoded bytes are discarded.
//
// Config.Timeout bounds the wait for the response and any pause in the
// body, not the whole download.
func (c *Client) OpenExportFile(ctx context.Context, f ExportFile, o FileOptions) (*NDJSONReader, error) {
	name := fileEndpoint
	if ValidType(f.Type) {
		name += " " + f.Type
	}
	u, err := url.Parse(f.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("tenant %s: %s: the file URL is not an http(s) URL", c.cfg.Tenant, name)
	}
	if o.AccessToken && !c.ownOrigin(u) {
		return nil, fmt.Errorf("tenant %s: %s: the file wants the access token but is not on the FHIR server; not sent", c.cfg.Tenant, name)
	}
	// A range of a .gz file would be compressed bytes, not the decoded
	// offset: ask for the whole file.
	from := o.Offset
	if strings.HasSuffix(u.Path, ".gz") {
		from = 0
	}
	for {
		d, err := c.openFile(ctx, u, name, o.AccessToken, from)
		if err != nil {
			return nil, err
		}
		if d.resp.StatusCode == http.StatusPartialContent && compressed(d.resp.Header) && from > 0 {
			d.close() // a range of compressed bytes after all
			from = 0
			continue
		}
		if d.resp.StatusCode == http.StatusRequestedRangeNotSatisfiable {
			// Nothing after the resume offset. When the server gives the
			// file's length and it is the offset, the file was read to its
			// end before the stop; otherwise read it whole and let the
			// skip tell.
			size, ok := completeLength(d.resp.Header.Get("Content-Range"))
			d.close()
			switch {
			case !ok:
				from = 0
				continue
			case size != o.Offset:
				return nil, fmt.Errorf("tenant %s: %s: the file has %d bytes, fewer than the %d already read: it changed", c.cfg.Tenant, name, size, o.Offset)
			}
			return newNDJSONReader(http.NoBody, nil, false, 0, o)
		}
		r, err := d.reader(o)
		if err != nil {
			d.close()
			return nil, fmt.Errorf("tenant %s: %s: %w", c.cfg.Tenant, name, err)
		}
		return r, nil
	}
}

// download is a file response whose body is being read.
type download struct {
	resp   *http.Response
	ctx    context.Context
	cancel context.CancelCauseFunc
	idle   *time.Timer // cancels ctx when the body pauses too long
	wait   time.Duration
}

func (d *download) close() error {
	d.idle.Stop()
	err := d.resp.Body.Close()
	d.cancel(nil)
	return err
}

// reader reads d's body as NDJSON resuming at o.Offset.
func (d *download) reader(o FileOptions) (*NDJSONReader, error) {
	skip := o.Offset
	if d.resp.StatusCode == http.StatusPartialContent {
		start, ok := rangeStart(d.resp.Header.Get("Content-Range"))
		if !ok || start > o.Offset {
			return nil, fmt.Errorf("206 with Content-Range %q for a resume at %d", d.resp.Header.Get("Content-Range"), o.Offset)
		}
		skip = o.Offset - start
	}
	encoded := hasGzip(d.resp.Header.Get("Content-Encoding"))
	return newNDJSONReader(&idleReader{d: d}, d.close, encoded, skip, o)
}

// openFile GETs u, following redirects, retrying like every call.
func (c *Client) openFile(ctx context.Context, u *url.URL, name string, token bool, from int64) (*download, error) {
	var d *download
	err := c.retry(ctx, func() (*http.Response, error) {
		var resp *http.Response
		var err error
		d, resp, err = c.tryFile(ctx, u, name, token, from)
		return resp, err
	})
	return d, err
}

// tryFile makes one attempt: on success a download with its body open;
// else, as try does, the response (body closed) and an *Error, or no
// response and the transport's error.
func (c *Client) tryFile(ctx context.Context, u *url.URL, name string, token bool, from int64) (*download, *http.Response, error) {
	actx, cancel := context.WithCancelCause(ctx)
	d := &download{ctx: actx, cancel: cancel, wait: c.cfg.Timeout}
	d.idle = time.AfterFunc(c.cfg.Timeout, func() { cancel(ErrStalled) })
	resp, tok, err := c.follow(actx, u, name, token, from)
	if err != nil {
		d.idle.Stop()
		cancel(nil)
		return nil, resp, err
	}
	d.resp = resp
	if resp.StatusCode == http.StatusOK || (resp.StatusCode == http.StatusPartialContent || resp.StatusCode == http.StatusRequestedRangeNotSatisfiable) && from > 0 {
		return d, resp, nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorText*4))
	d.close()
	if resp.StatusCode == http.StatusUnauthorized && tok != "" {
		c.tokens.invalidate(tok)
	}
	e := newError(c.cfg.Tenant, resp.Request, resp.StatusCode, body)
	e.Path = name
	return nil, resp, e
}

// follow GETs u and up to maxRedirects redirects from it. The token goes
// only with a request to the FHIR server's origin. It returns the final
// response, its body open, and the token it sent with it.
func (c *Client) follow(ctx context.Context, u *url.URL, name string, token bool, from int64) (*http.Response, string, error) {
	hc := *c.http
	hc.Timeout = 0 // a file may stream for an hour; the idle timer catches stalls
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for hop := 0; ; hop++ {
		req, tok, err := c.fileRequest(ctx, u, token, from)
		if err != nil {
			return nil, "", err
		}
		start := time.Now()
		resp, err := hc.Do(req)
		if err != nil {
			c.observe(fileEndpoint, 0, time.Since(start))
			if cause := context.Cause(ctx); cause == ErrStalled {
				err = cause
			}
			return nil, "", fmt.Errorf("tenant %s: GET %s: %w", c.cfg.Tenant, name, stripURL(err))
		}
		c.observe(fileEndpoint, resp.StatusCode, time.Since(start))
		loc := resp.Header.Get("Location")
		if !isRedirect(resp.StatusCode) || loc == "" {
			return resp, tok, nil
		}
		resp.Body.Close()
		next, err := u.Parse(loc)
		if hop == maxRedirects || err != nil || next.Scheme != "https" && next.Scheme != "http" {
			e := &Error{Tenant: c.cfg.Tenant, Method: http.MethodGet, URL: u.String(), Path: name, Status: resp.StatusCode,
				Text: fmt.Sprintf("redirect not followed (%d redirects at most, to http(s) URLs)", maxRedirects)}
			return resp, "", e
		}
		u = next
	}
}

// fileRequest makes the GET of one hop, with the token when it goes to
// the FHIR server's origin.
func (c *Client) fileRequest(ctx context.Context, u *url.URL, token bool, from int64) (*http.Request, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Accept", "application/fhir+ndjson")
	if from > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(from, 10)+"-")
		req.Header.Set("Accept-Encoding", "identity")
	} else {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	if !token || !c.ownOrigin(u) {
		return req, "", nil
	}
	tok, err := c.tokens.get(ctx)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return req, tok, nil
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// compressed reports whether a response's bytes are gzip: encoded for
// the wire, or a .gz file.
func compressed(h http.Header) bool {
	ct, _, _ := strings.Cut(h.Get("Content-Type"), ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	return hasGzip(h.Get("Content-Encoding")) || ct == "application/gzip" || ct == "application/x-gzip"
}

func hasGzip(encoding string) bool {
	e := strings.ToLower(strings.TrimSpace(encoding))
	return e == "gzip" || e == "x-gzip"
}

// rangeStart reads the first byte position of "bytes first-last/length".
func rangeStart(contentRange string) (int64, bool) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(contentRange), "bytes ")
	if !ok {
		return 0, false
	}
	first, _, ok := strings.Cut(spec, "-")
	n, err := strconv.ParseInt(strings.TrimSpace(first), 10, 64)
	return n, ok && err == nil && n >= 0
}

// completeLength reads the length of "bytes */length" (a 416's
// Content-Range) or "bytes first-last/length".
func completeLength(contentRange string) (int64, bool) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(contentRange), "bytes ")
	if !ok {
		return 0, false
	}
	_, length, ok := strings.Cut(spec, "/")
	n, err := strconv.ParseInt(strings.TrimSpace(length), 10, 64)
	return n, ok && err == nil && n >= 0
}

// idleReader reads a download's body, restarting its idle timer on
// every read that brings data.
type idleReader struct{ d *download }

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.d.resp.Body.Read(p)
	if n > 0 {
		r.d.idle.Reset(r.d.wait)
	}
	if err != nil && err != io.EOF && context.Cause(r.d.ctx) == ErrStalled {
		err = fmt.Errorf("%w: %w", ErrStalled, err)
	}
	return n, err
}

// ownOrigin reports whether u is on the FHIR server's origin: the only
// place the tenant's token may go.
func (c *Client) ownOrigin(u *url.URL) bool {
	b, err := url.Parse(c.base)
	return err == nil && sameOrigin(b, u)
}

// sameOrigin reports whether a and b have the same scheme, host and port,
// a scheme's default port counting as given.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}
