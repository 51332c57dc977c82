package fhirclient

// Bulk Data Access ($export, FHIR Bulk Data IG STU2): a kick-off request
// starts an export job on the server, a status URL is polled until the
// job's manifest lists its NDJSON files, and the files are streamed.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ExportLevel is where an $export kick-off goes.
type ExportLevel string

// The three kick-off endpoints of the Bulk Data IG.
const (
	SystemExport  ExportLevel = "system"  // [base]/$export
	PatientExport ExportLevel = "patient" // [base]/Patient/$export
	GroupExport   ExportLevel = "group"   // [base]/Group/{GroupID}/$export
)

// ExportRequest is one $export kick-off. Its JSON form is how a job
// records what it asked for.
type ExportRequest struct {
	Level        ExportLevel `json:"level"`
	GroupID      string      `json:"group,omitempty"`        // with GroupExport
	Types        []string    `json:"types,omitempty"`        // _type: resource types to export
	Since        time.Time   `json:"since,omitzero"`         // _since (zero: none), sent as a FHIR instant with its offset
	TypeFilters  []string    `json:"typeFilters,omitempty"`  // _typeFilter, each e.g. "Observation?category=laboratory"
	Elements     []string    `json:"elements,omitempty"`     // _elements
	OutputFormat string      `json:"outputFormat,omitempty"` // _outputFormat; empty sends none (the server's default, ndjson)
	// Patients are "Patient/123" references (the patient parameter): they
	// make the kick-off a POST with a Parameters body. Not at system level.
	Patients []string `json:"patients,omitempty"`
}

// Endpoints reported to Config.OnCall for $export requests.
const (
	exportEndpoint = "$export"
	statusEndpoint = "$export-status"
	fileEndpoint   = "$export-file"
)

// StartExport sends the kick-off (a GET with query parameters, or a POST
// with a FHIR Parameters body when r.Patients is set) and returns the
// absolute status URL the server gave in Content-Location. Any answer
// but 202 is an *Error with the server's OperationOutcome.
func (c *Client) StartExport(ctx context.Context, r ExportRequest) (statusURL string, err error) {
	u, name, err := c.kickOffURL(r)
	for _, typ := range r.Types {
		if !ValidType(typ) {
			err = fmt.Errorf("_type %q is not a resource type", typ)
		}
	}
	if err != nil {
		return "", fmt.Errorf("tenant %s: $export: %w", c.cfg.Tenant, err)
	}
	req := request{url: u, endpoint: exportEndpoint, name: name,
		header: http.Header{"Prefer": {"respond-async"}}}
	params := r.parameters()
	if len(r.Patients) > 0 {
		body, err := json.Marshal(parametersResource(params))
		if err != nil {
			return "", err
		}
		req.method, req.body = http.MethodPost, body
		req.header.Set("Content-Type", "application/fhir+json")
	} else if len(params) > 0 {
		req.url += "?" + params.query()
	}
	body, resp, err := c.do(ctx, req)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusAccepted {
		return "", c.unexpected(resp, name, body)
	}
	loc := resp.Header.Get("Content-Location")
	status, err := resp.Request.URL.Parse(loc)
	if loc == "" || err != nil {
		return "", fmt.Errorf("tenant %s: %s: 202 without a usable Content-Location", c.cfg.Tenant, name)
	}
	return status.String(), nil
}

// kickOffURL returns the kick-off endpoint for r and its name for errors
// (without the group id).
func (c *Client) kickOffURL(r ExportRequest) (u, name string, err error) {
	switch r.Level {
	case SystemExport:
		if len(r.Patients) > 0 {
			return "", "", fmt.Errorf("the patient parameter needs a patient or group level export")
		}
		return c.base + "/$export", "$export", nil
	case PatientExport:
		return c.base + "/Patient/$export", "Patient/$export", nil
	case GroupExport:
		if !validID(r.GroupID) {
			return "", "", fmt.Errorf("group export: the group id is not a FHIR id")
		}
		return c.base + "/Group/" + r.GroupID + "/$export", "Group/…/$export", nil
	}
	return "", "", fmt.Errorf("export level %q: want system, patient or group", r.Level)
}

// unexpected makes an *Error of a 2xx response that is not the one
// expected: the caller cannot go on with it.
func (c *Client) unexpected(resp *http.Response, name string, body []byte) error {
	e := newError(c.cfg.Tenant, resp.Request, resp.StatusCode, body)
	e.Path = name
	return e
}

// exportParam is one kick-off parameter: a query parameter, or a
// Parameters.parameter with the named value type.
type exportParam struct {
	name, valueType, value string
}

type exportParams []exportParam

// parameters lists r's parameters in the order the IG names them.
// _typeFilter is repeated rather than comma-joined: its queries may hold
// commas of their own.
func (r ExportRequest) parameters() exportParams {
	var ps exportParams
	add := func(name, typ, v string) {
		if v != "" {
			ps = append(ps, exportParam{name, typ, v})
		}
	}
	add("_outputFormat", "valueString", r.OutputFormat)
	if !r.Since.IsZero() {
		add("_since", "valueInstant", r.Since.Format("2006-01-02T15:04:05.000Z07:00"))
	}
	add("_type", "valueString", strings.Join(r.Types, ","))
	add("_elements", "valueString", strings.Join(r.Elements, ","))
	for _, f := range r.TypeFilters {
		add("_typeFilter", "valueString", f)
	}
	for _, p := range r.Patients {
		add("patient", "valueReference", p)
	}
	return ps
}

func (ps exportParams) query() string {
	q := url.Values{}
	for _, p := range ps {
		q.Add(p.name, p.value)
	}
	return q.Encode()
}

// parametersResource is the FHIR Parameters body of a POST kick-off.
func parametersResource(ps exportParams) map[string]any {
	list := make([]map[string]any, 0, len(ps))
	for _, p := range ps {
		var v any = p.value
		if p.valueType == "valueReference" {
			v = map[string]string{"reference": p.value}
		}
		list = append(list, map[string]any{"name": p.name, p.valueType: v})
	}
	return map[string]any{"resourceType": "Parameters", "parameter": list}
}
