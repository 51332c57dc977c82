package fhirclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Resources come back as raw JSON: the client never drops an element it
// does not know, and a field that changed shape between EHR releases
// fails only the code that reads it, not the call.

// Resource is a FHIR resource as the server sent it, with the few members
// every resource has.
type Resource struct {
	Type string
	ID   string
	JSON json.RawMessage
}

// Page is one page of a search: the matches, and where the next page is.
type Page struct {
	Total   int // Bundle.total, or -1 when the server did not say
	Matches []Resource
	Next    string // the next page's URL, opaque; "" on the last page
}

// Read returns the resource typ/id.
func (c *Client) Read(ctx context.Context, typ, id string) (Resource, error) {
	if !ValidType(typ) || !validID(id) {
		return Resource{}, fmt.Errorf("tenant %s: read %s: the id is not a FHIR id (1-64 of A-Z a-z 0-9 - .)", c.cfg.Tenant, typ)
	}
	body, err := c.get(ctx, c.base+"/"+typ+"/"+id, typ)
	if err != nil {
		return Resource{}, err
	}
	r, err := parseResource(body)
	if err != nil {
		return Resource{}, fmt.Errorf("tenant %s: read %s: %w", c.cfg.Tenant, typ, err)
	}
	if r.Type != typ {
		return Resource{}, fmt.Errorf("tenant %s: read %s answered a %s", c.cfg.Tenant, typ, r.Type)
	}
	return r, nil
}

// Search runs a search such as "Patient?identifier=urn:oid:1.2|123" (the
// query is relative to the base URL) and returns its first page.
func (c *Client) Search(ctx context.Context, query string) (*Page, error) {
	typ, params, _ := strings.Cut(query, "?")
	if !ValidType(typ) {
		return nil, fmt.Errorf("tenant %s: search %q: %q is not a resource type", c.cfg.Tenant, query, typ)
	}
	u := c.base + "/" + typ
	if params != "" {
		u += "?" + params
	}
	return c.page(ctx, u, typ)
}

// NextPage fetches the page after p. The next link is followed as the
// server gave it, never rebuilt, and only on the tenant's own server: a
// link elsewhere would be handed our token.
func (c *Client) NextPage(ctx context.Context, typ string, p *Page) (*Page, error) {
	if p.Next == "" {
		return nil, nil
	}
	if !sameServer(c.base, p.Next) {
		return nil, fmt.Errorf("tenant %s: next link leads off the tenant's server; not followed", c.cfg.Tenant)
	}
	return c.page(ctx, p.Next, typ)
}

// SearchAll runs query and calls fn for every match on every page, up to
// limit matches (0 = no limit).
func (c *Client) SearchAll(ctx context.Context, query string, limit int, fn func(Resource) error) error {
	typ, _, _ := strings.Cut(query, "?")
	p, err := c.Search(ctx, query)
	seen := 0
	for ; err == nil && p != nil; p, err = c.NextPage(ctx, typ, p) {
		for _, r := range p.Matches {
			if limit > 0 && seen == limit {
				return nil
			}
			seen++
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return err
}

// bundle is the part of a searchset Bundle the client reads.
type bundle struct {
	ResourceType string `json:"resourceType"`
	Total        *int   `json:"total"`
	Link         []struct {
		Relation string `json:"relation"`
		URL      string `json:"url"`
	} `json:"link"`
	Entry []struct {
		Resource json.RawMessage `json:"resource"`
		Search   *struct {
			Mode string `json:"mode"`
		} `json:"search"`
	} `json:"entry"`
}

func (c *Client) page(ctx context.Context, u, typ string) (*Page, error) {
	body, err := c.get(ctx, u, typ)
	if err != nil {
		return nil, err
	}
	var b bundle
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, fmt.Errorf("tenant %s: search %s: response is not a Bundle: %w", c.cfg.Tenant, typ, err)
	}
	if b.ResourceType != "Bundle" {
		return nil, fmt.Errorf("tenant %s: search %s answered a %q, not a Bundle", c.cfg.Tenant, typ, b.ResourceType)
	}
	p := &Page{Total: -1}
	if b.Total != nil {
		p.Total = *b.Total
	}
	for _, l := range b.Link {
		if l.Relation == "next" {
			p.Next = l.URL
		}
	}
	for _, e := range b.Entry {
		// Epic adds OperationOutcome entries (mode "outcome") with
		// warnings; they are not matches.
		if e.Search != nil && e.Search.Mode != "" && e.Search.Mode != "match" {
			continue
		}
		r, err := parseResource(e.Resource)
		if err != nil {
			return nil, fmt.Errorf("tenant %s: search %s: entry: %w", c.cfg.Tenant, typ, err)
		}
		if r.Type == "OperationOutcome" {
			continue
		}
		p.Matches = append(p.Matches, r)
	}
	return p, nil
}

func parseResource(data []byte) (Resource, error) {
	var head struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return Resource{}, fmt.Errorf("not a FHIR resource: %w", err)
	}
	if head.ResourceType == "" {
		return Resource{}, fmt.Errorf("not a FHIR resource: no resourceType")
	}
	return Resource{Type: head.ResourceType, ID: head.ID, JSON: json.RawMessage(data)}, nil
}

// ValidType reports whether s looks like a FHIR resource type name
// (an upper-case letter, then letters and digits).
func ValidType(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// validID reports whether s is a FHIR id: 1-64 letters, digits, - and .
// ("." and ".." would walk the URL path).
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// sameServer reports whether u has base's scheme and host.
func sameServer(base, u string) bool {
	b, err1 := url.Parse(base)
	n, err2 := url.Parse(u)
	return err1 == nil && err2 == nil && b.Scheme == n.Scheme && strings.EqualFold(b.Host, n.Host)
}
