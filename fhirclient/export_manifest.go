package fhirclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Manifest is a completed export's output: where its files are.
type Manifest struct {
	TransactionTime     time.Time // the instant the export's data are current to: the next _since
	TransactionTimeRaw  string    // as the server sent it
	Request             string    // the kick-off URL, as the server recorded it
	RequiresAccessToken bool      // the files want the bearer token (FileOptions.AccessToken)
	Output              []ExportFile
	Error               []ExportFile // NDJSON files of OperationOutcomes
	Deleted             []ExportFile // NDJSON files of deleted resources (Bundles), with _since
}

// ExportFile is one file of a manifest.
type ExportFile struct {
	Type  string `json:"type"`
	URL   string `json:"url"`
	Count int64  `json:"count,omitempty"`
}

// UnmarshalJSON decodes a manifest. requiresAccessToken may be a JSON
// boolean or the string "true" or "false" (Epic sends a string); a
// missing transactionTime leaves TransactionTime zero.
func (m *Manifest) UnmarshalJSON(data []byte) error {
	var raw struct {
		TransactionTime     string          `json:"transactionTime"`
		Request             string          `json:"request"`
		RequiresAccessToken json.RawMessage `json:"requiresAccessToken"`
		Output              []ExportFile    `json:"output"`
		Error               []ExportFile    `json:"error"`
		Deleted             []ExportFile    `json:"deleted"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	needs, err := looseBool(raw.RequiresAccessToken)
	if err != nil {
		return fmt.Errorf("manifest requiresAccessToken: %w", err)
	}
	*m = Manifest{TransactionTimeRaw: raw.TransactionTime, Request: raw.Request, RequiresAccessToken: needs,
		Output: raw.Output, Error: raw.Error, Deleted: raw.Deleted}
	if raw.TransactionTime != "" {
		if m.TransactionTime, err = parseInstant(raw.TransactionTime); err != nil {
			return fmt.Errorf("manifest transactionTime: %w", err)
		}
	}
	return nil
}

// MarshalJSON encodes the manifest as the Bulk Data IG writes it, so a
// stored manifest reads like the server's.
func (m Manifest) MarshalJSON() ([]byte, error) {
	empty := func(f []ExportFile) []ExportFile {
		if f == nil {
			return []ExportFile{}
		}
		return f
	}
	return json.Marshal(struct {
		TransactionTime     string       `json:"transactionTime"`
		Request             string       `json:"request"`
		RequiresAccessToken bool         `json:"requiresAccessToken"`
		Output              []ExportFile `json:"output"`
		Error               []ExportFile `json:"error"`
		Deleted             []ExportFile `json:"deleted,omitempty"`
	}{m.TransactionTimeRaw, m.Request, m.RequiresAccessToken, empty(m.Output), empty(m.Error), m.Deleted})
}

// looseBool reads true, false, "true", "false" (any case) or nothing.
func looseBool(v json.RawMessage) (bool, error) {
	switch s := strings.ToLower(strings.Trim(string(v), `"`)); s {
	case "true":
		return true, nil
	case "false", "", "null":
		return false, nil
	}
	return false, fmt.Errorf("%s is not a boolean", v)
}

// parseInstant reads a FHIR instant. Some servers leave the colon out of
// the offset (+0000); that is read too.
func parseInstant(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil {
		return t, nil
	}
	if t, err2 := time.Parse("2006-01-02T15:04:05.999999999Z0700", s); err2 == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a FHIR instant: %w", s, err)
}

// decodeManifest decodes a complete status response, resolving file URLs
// relative to the status URL (the IG wants them absolute; not all
// servers oblige).
func decodeManifest(body []byte, statusURL *url.URL) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if m.Output == nil && m.Error == nil && m.TransactionTimeRaw == "" {
		return nil, errors.New("manifest: no transactionTime, output or error: not a manifest")
	}
	for _, list := range [][]ExportFile{m.Output, m.Error, m.Deleted} {
		for i := range list {
			u, err := statusURL.Parse(list[i].URL)
			if err != nil || list[i].URL == "" {
				return nil, fmt.Errorf("manifest: %s file %d has no usable url", list[i].Type, i+1)
			}
			list[i].URL = u.String()
		}
	}
	return &m, nil
}

// ParseOperationOutcome decodes one line of an export's error file.
func ParseOperationOutcome(line []byte) (*OperationOutcome, error) {
	var oo OperationOutcome
	if err := json.Unmarshal(line, &oo); err != nil {
		return nil, fmt.Errorf("error file line: %w", err)
	}
	if oo.ResourceType != "OperationOutcome" {
		return nil, fmt.Errorf("error file line is a %q, not an OperationOutcome", oo.ResourceType)
	}
	return &oo, nil
}
