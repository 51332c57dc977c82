package fhirclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrQuotaExhausted is returned without calling the server once a
// tenant's daily call cap is used up.
var ErrQuotaExhausted = errors.New("daily call quota exhausted")

// OperationOutcome is the part of a FHIR OperationOutcome an operator
// needs: what went wrong, per issue.
type OperationOutcome struct {
	ResourceType string  `json:"resourceType"`
	Issue        []Issue `json:"issue"`
}

// Issue is one OperationOutcome.issue.
type Issue struct {
	Severity    string `json:"severity"`
	Code        string `json:"code"`
	Diagnostics string `json:"diagnostics,omitempty"`
	Details     *struct {
		Text string `json:"text,omitempty"`
	} `json:"details,omitempty"`
}

// String joins the issues as "severity code: text; ...".
func (o *OperationOutcome) String() string {
	var b strings.Builder
	for i, is := range o.Issue {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %s", is.Severity, is.Code)
		text := is.Diagnostics
		if text == "" && is.Details != nil {
			text = is.Details.Text
		}
		if text != "" {
			b.WriteString(": " + text)
		}
	}
	return b.String()
}

// Error is a FHIR call that ended with an HTTP error status. Its message
// names the method and resource type, never the query or a read's id,
// which carry patient identifiers; URL has the whole address for the
// message log. (The server's OperationOutcome text may still echo them:
// log Status and the issue codes where PHI must not go.)
type Error struct {
	Tenant  string
	Method  string
	URL     string
	Path    string
	Status  int
	Outcome *OperationOutcome // the server's OperationOutcome, if it sent one
	Text    string            // otherwise the start of its body
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("tenant %s: %s %s: %d %s", e.Tenant, e.Method, e.Path, e.Status, http.StatusText(e.Status))
	switch {
	case e.Outcome != nil && len(e.Outcome.Issue) > 0:
		msg += ": " + e.Outcome.String()
	case e.Text != "":
		msg += ": " + e.Text
	}
	return msg
}

// Transient reports whether the same call may succeed later: throttled,
// a gateway or server briefly unavailable, or a 500 whose OperationOutcome
// says the problem is transient (as Bulk Data servers do).
func (e *Error) Transient() bool {
	return retryableStatus(e.Status) || e.Status == http.StatusInternalServerError && e.Outcome.has("transient")
}

// isTransient reports whether err is an *Error that is Transient.
func isTransient(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Transient()
}

// has reports whether any issue has the code.
func (o *OperationOutcome) has(code string) bool {
	if o == nil {
		return false
	}
	for _, is := range o.Issue {
		if is.Code == code {
			return true
		}
	}
	return false
}

// OAuthError is a refusal from the token endpoint (RFC 6749 section 5.2).
type OAuthError struct {
	Tenant      string
	Status      int
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func (e *OAuthError) Error() string {
	msg := fmt.Sprintf("tenant %s: token endpoint refused: %d", e.Tenant, e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// maxErrorText bounds the plain text kept from an error body.
const maxErrorText = 300

// newError reads an error response's body into an Error.
func newError(tenant string, req *http.Request, status int, body []byte) *Error {
	e := &Error{Tenant: tenant, Method: req.Method, URL: req.URL.String(), Path: resourcePath(req.URL.Path), Status: status}
	var oo OperationOutcome
	if json.Unmarshal(body, &oo) == nil && oo.ResourceType == "OperationOutcome" {
		e.Outcome = &oo
		return e
	}
	text := strings.TrimSpace(string(body))
	if len(text) > maxErrorText {
		text = text[:maxErrorText] + "…"
	}
	e.Text = text
	return e
}

// resourcePath keeps what an error message may name of a URL path: the
// resource type after the FHIR base, not the id.
func resourcePath(p string) string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if ValidType(parts[i]) {
			if i < len(parts)-1 {
				return parts[i] + "/…"
			}
			return parts[i]
		}
	}
	return "…"
}
