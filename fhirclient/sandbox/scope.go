package sandbox

import (
	"fmt"
	"strings"
)

// scope is a parsed SMART system scope: system/<type|*>.<permissions>.
// SMART v1 "read" is the v2 "rs" (read and search), "write" is "cud",
// and "*" is all of them; so v1 and v2 scopes compare directly.
type scope struct {
	text  string // as requested
	typ   string // resource type or "*"
	perms string // subset of "cruds", in that order
}

// defaultScopes is what a client registered without Scopes may ask for.
var defaultScopes = []scope{{text: "system/*.read", typ: "*", perms: "rs"}, {text: "system/*.rs", typ: "*", perms: "rs"}}

// parseScope parses one scope; the error says what is wrong with it.
func parseScope(text string) (scope, error) {
	ctx, rest, ok := strings.Cut(text, "/")
	if !ok || ctx != "system" {
		return scope{}, fmt.Errorf("scope %q is not a system scope (backend services clients ask for system/<type>.read or system/<type>.rs)", text)
	}
	if strings.Contains(rest, "?") {
		return scope{}, fmt.Errorf("scope %q: granular scopes (with ?) are not supported", text)
	}
	typ, perm, ok := strings.Cut(rest, ".")
	if !ok || (typ != "*" && !isTypeName(typ)) {
		return scope{}, fmt.Errorf("scope %q: want system/<ResourceType or *>.<permissions>", text)
	}
	perms, err := permissions(perm)
	if err != nil {
		return scope{}, fmt.Errorf("scope %q: %v", text, err)
	}
	return scope{text: text, typ: typ, perms: perms}, nil
}

// permissions maps v1 ("read", "write", "*") and v2 ("cruds" subsets, in
// order) permissions to v2 letters.
func permissions(p string) (string, error) {
	switch p {
	case "read":
		return "rs", nil
	case "write":
		return "cud", nil
	case "*":
		return "cruds", nil
	case "":
		return "", fmt.Errorf("no permissions after the dot")
	}
	const order = "cruds"
	at := 0
	for _, c := range p {
		i := strings.IndexRune(order[at:], c)
		if i < 0 {
			return "", fmt.Errorf("permissions %q: want read, write, * or letters of cruds in that order", p)
		}
		at += i + 1
	}
	return p, nil
}

// covers reports whether scope g grants everything scope want asks for.
func (g scope) covers(want scope) bool {
	if g.typ != "*" && g.typ != want.typ {
		return false
	}
	for _, c := range want.perms {
		if !strings.ContainsRune(g.perms, c) {
			return false
		}
	}
	return true
}

// allows reports whether scope g lets its holder do perm ('r' read, 's'
// search) on resources of type typ.
func (g scope) allows(typ string, perm rune) bool {
	return (g.typ == "*" || g.typ == typ) && strings.ContainsRune(g.perms, perm)
}

// isTypeName reports whether s looks like a FHIR resource type name.
func isTypeName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// grantScopes checks the space-separated scopes a client asked for
// against what it may have, returning the granted ones.
func grantScopes(requested string, allowed []scope) ([]scope, error) {
	fields := strings.Fields(requested)
	if len(fields) == 0 {
		return nil, fmt.Errorf("scope is required, e.g. scope=system/Patient.read")
	}
	var out []scope
	for _, f := range fields {
		sc, err := parseScope(f)
		if err != nil {
			return nil, err
		}
		ok := false
		for _, a := range allowed {
			ok = ok || a.covers(sc)
		}
		if !ok {
			return nil, fmt.Errorf("scope %q is not allowed for this client (allowed: %s)", f, scopeList(allowed))
		}
		out = append(out, sc)
	}
	return out, nil
}

// scopeList formats scopes as the space-separated list OAuth uses.
func scopeList(sc []scope) string {
	parts := make([]string, len(sc))
	for i, s := range sc {
		parts[i] = s.text
	}
	return strings.Join(parts, " ")
}
