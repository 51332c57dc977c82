package bulk

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/switchboard-hl7/switchboard/fhirclient"
)

// Resource is one line of an export file with the fields that identify it.
type Resource struct {
	Type        string
	ID          string
	VersionID   string
	LastUpdated string
	Line        []byte // the resource as the server wrote it
}

// MsgID is the resource's Nats-Msg-Id: type/id/versionId, so that a line
// delivered again after a resume is stored once. A server that keeps no
// versions gets meta.lastUpdated in its place, which changes with every
// update just the same, and without either a hash of the line: the same
// content is one message, a changed resource another.
func (r Resource) MsgID() string {
	v := r.VersionID
	if v == "" {
		v = r.LastUpdated
	}
	if v == "" {
		sum := sha256.Sum256(r.Line)
		v = "sha256-" + hex.EncodeToString(sum[:12])
	}
	return r.Type + "/" + r.ID + "/" + v
}

// head is the part of a resource a job reads; the rest is passed on as is.
type head struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Meta         struct {
		VersionID   string `json:"versionId"`
		LastUpdated string `json:"lastUpdated"`
	} `json:"meta"`
}

// parseResource reads line as a FHIR resource. It rejects what a consumer
// could not use: not JSON, not an object, no resourceType, an id that is
// not a FHIR id.
func parseResource(line []byte) (Resource, error) {
	h, err := scanHead(line)
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return Resource{}, fmt.Errorf("not JSON (%v)", se)
		}
		return Resource{}, fmt.Errorf("not a FHIR resource: %w", err)
	}
	switch {
	case !fhirclient.ValidType(h.ResourceType):
		return Resource{}, fmt.Errorf("no valid resourceType")
	case !validID(h.ID):
		return Resource{}, fmt.Errorf("%s without a valid id", h.ResourceType)
	}
	return Resource{Type: h.ResourceType, ID: h.ID, VersionID: h.Meta.VersionID, LastUpdated: h.Meta.LastUpdated, Line: line}, nil
}

// validID reports whether s is a FHIR id: 1-64 of [A-Za-z0-9.-].
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
