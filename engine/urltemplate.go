package engine

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhirclient"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// urlTemplate is an enrichment read or search with {placeholders}: HL7
// paths, {tenant}, {channel} or {STEP.id} (the id of what an earlier step
// found, e.g. Coverage?patient={patient.id}). Values are escaped for where they stand
// (path or query), so a "&" in a name can never add a search parameter.
type urlTemplate struct {
	typ   string // the resource type it reads or searches
	read  bool
	parts []urlPart
}

type urlPart struct {
	lit     string
	name    string    // tenant or channel
	step    string    // or an earlier step whose first match's id goes here
	path    *hl7.Path // or an HL7 path
	inQuery bool
}

// parseURLTemplate parses "Type/{...}" (read) or "Type?params" (search).
func parseURLTemplate(s string, read bool) (*urlTemplate, error) {
	typ := s
	if i := strings.IndexAny(s, "/?"); i >= 0 {
		typ = s[:i]
	}
	if !fhirclient.ValidType(typ) {
		return nil, fmt.Errorf("%q does not start with a FHIR resource type (e.g. Patient)", s)
	}
	if read && (!strings.HasPrefix(s[len(typ):], "/") || strings.ContainsAny(s, "?#")) {
		return nil, fmt.Errorf("read %q: write Type/{id}, e.g. Patient/{PID-3.1}", s)
	}
	if !read && len(s) > len(typ) && s[len(typ)] != '?' {
		return nil, fmt.Errorf("search %q: write Type?param=value, e.g. Patient?identifier={PID-3.1}", s)
	}
	t := &urlTemplate{typ: typ, read: read}
	inQuery := false
	for s != "" {
		i := strings.IndexByte(s, '{')
		lit := s
		if i >= 0 {
			lit = s[:i]
		}
		if lit != "" {
			t.parts = append(t.parts, urlPart{lit: lit, inQuery: inQuery})
			inQuery = inQuery || strings.Contains(lit, "?")
		}
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("%q: unclosed {", s)
		}
		p, err := urlVar(s[i+1 : i+j])
		if err != nil {
			return nil, err
		}
		p.inQuery = inQuery
		t.parts = append(t.parts, p)
		s = s[i+j+1:]
	}
	return t, nil
}

func urlVar(name string) (urlPart, error) {
	if name == "tenant" || name == "channel" {
		return urlPart{name: name}, nil
	}
	if step, ok := strings.CutSuffix(name, ".id"); ok && stepName.MatchString(step) {
		return urlPart{step: step}, nil
	}
	p, err := hl7.ParsePath(name)
	if err != nil {
		return urlPart{}, fmt.Errorf("placeholder {%s}: use {tenant}, {channel}, {STEP.id} or an HL7 path such as {PID-3.1}", name)
	}
	return urlPart{path: &p}, nil
}

// render fills the template from msg and the ids earlier steps found.
// An empty value leaves nothing to look up: render returns "" and the
// placeholder that was empty.
func (t *urlTemplate) render(msg *hl7.Message, channel, tenant string, found map[string]string) (rel, empty string) {
	var b strings.Builder
	for _, p := range t.parts {
		v := p.lit
		switch {
		case p.name == "tenant":
			v = tenant
		case p.name == "channel":
			v = channel
		case p.step != "":
			if v = found[p.step]; v == "" {
				return "", p.step + ".id"
			}
		case p.path != nil:
			v = msg.Value(*p.path).String()
			if v == "" || v == `""` {
				return "", p.path.String()
			}
		}
		if p.lit == "" {
			if p.inQuery {
				v = url.QueryEscape(searchEscaper.Replace(v))
			} else {
				v = url.PathEscape(v)
			}
		}
		b.WriteString(v)
	}
	return b.String(), ""
}

// searchEscaper escapes what FHIR search gives a meaning inside a value
// (a comma is OR, | separates system and code, $ composite parts): an
// MRN "A,B" must search for that one MRN, never for A or B.
var searchEscaper = strings.NewReplacer(`\`, `\\`, `,`, `\,`, `$`, `\$`, `|`, `\|`)

// unescapePath undoes render's escaping of a read's id: the client
// escapes it again when it builds the URL.
func unescapePath(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// steps returns the steps whose results the template uses.
func (t *urlTemplate) steps() []string {
	var out []string
	for _, p := range t.parts {
		if p.step != "" {
			out = append(out, p.step)
		}
	}
	return out
}
