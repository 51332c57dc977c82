package sandbox

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// paramKind is a FHIR search parameter type.
type paramKind int

const (
	pID paramKind = iota
	pToken
	pString
	pDate
	pReference
)

var kindNames = map[paramKind]string{pID: "token", pToken: "token", pString: "string", pDate: "date", pReference: "reference"}

// searchParam says where a parameter looks in a resource: dotted element
// paths, arrays flattened on the way.
type searchParam struct {
	kind   paramKind
	paths  []string
	target string // reference parameters: the type a bare id means
}

var (
	identifierParam = searchParam{kind: pToken, paths: []string{"identifier"}}
	subjectParam    = searchParam{kind: pReference, paths: []string{"subject"}, target: "Patient"}
)

// searchParams are the parameters each type supports besides _id. A type
// absent here supports _id alone (resources loaded from DataDir).
var searchParams = map[string]map[string]searchParam{
	"Patient": {
		"identifier": identifierParam,
		"family":     {kind: pString, paths: []string{"name.family"}},
		"given":      {kind: pString, paths: []string{"name.given"}},
		"name":       {kind: pString, paths: []string{"name.family", "name.given", "name.text"}},
		"birthdate":  {kind: pDate, paths: []string{"birthDate"}},
		"gender":     {kind: pToken, paths: []string{"gender"}},
	},
	"Encounter": {
		"identifier": identifierParam,
		"patient":    subjectParam,
		"date":       {kind: pDate, paths: []string{"period"}},
	},
	"Observation": {
		"patient":  subjectParam,
		"category": {kind: pToken, paths: []string{"category"}},
		"code":     {kind: pToken, paths: []string{"code"}},
		"date":     {kind: pDate, paths: []string{"effectiveDateTime", "effectivePeriod", "effectiveInstant"}},
	},
	"Condition":          {"patient": subjectParam},
	"AllergyIntolerance": {"patient": {kind: pReference, paths: []string{"patient"}, target: "Patient"}},
	"Coverage": {
		"patient":     {kind: pReference, paths: []string{"beneficiary"}, target: "Patient"},
		"beneficiary": {kind: pReference, paths: []string{"beneficiary"}, target: "Patient"},
	},
	"MedicationRequest": {"patient": subjectParam},
	"Practitioner":      {"identifier": identifierParam},
	"Location":          {"identifier": identifierParam},
	"Organization":      {"identifier": identifierParam},
	"Group":             {},
}

// controlParams shape the result rather than filter it.
var controlParams = []string{"_count", "_format", "_page"}

// paramsOf returns the parameters of a type, _id included.
func paramsOf(typ string) map[string]searchParam {
	out := map[string]searchParam{"_id": {kind: pID}}
	maps.Copy(out, searchParams[typ])
	return out
}

// supportedList names the parameters of a type, for error messages.
func supportedList(typ string) string {
	var names []string
	for k := range paramsOf(typ) {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(append(names, "_count"), ", ")
}

// criterion is one parameter occurrence: a resource matches if any of
// its comma-separated values matches; all criteria must match.
type criterion struct {
	name, modifier string
	param          searchParam
	values         []string
}

// compileQuery checks a query against the type's parameters and returns
// its criteria and page size. Errors name the offending parameter.
func compileQuery(typ string, q url.Values, defaultCount int) ([]criterion, int, error) {
	known := paramsOf(typ)
	var unknown []string
	var crit []criterion
	for _, key := range slices.Sorted(maps.Keys(q)) {
		if slices.Contains(controlParams, key) {
			continue
		}
		name, mod, _ := strings.Cut(key, ":")
		p, ok := known[name]
		if !ok {
			unknown = append(unknown, strconv.Quote(key))
			continue
		}
		if err := checkModifier(name, mod, p); err != nil {
			return nil, 0, err
		}
		for _, v := range q[key] {
			c := criterion{name: name, modifier: mod, param: p, values: splitEscaped(v, ',')}
			if err := c.check(); err != nil {
				return nil, 0, err
			}
			crit = append(crit, c)
		}
	}
	if len(unknown) > 0 {
		return nil, 0, fmt.Errorf("unknown search parameter %s for %s (supported: %s)", strings.Join(unknown, ", "), typ, supportedList(typ))
	}
	count, err := pageSize(q, defaultCount)
	return crit, count, err
}

// checkModifier allows :exact and :contains on strings, nothing else.
func checkModifier(name, mod string, p searchParam) error {
	if mod == "" || p.kind == pString && (mod == "exact" || mod == "contains") {
		return nil
	}
	return fmt.Errorf("modifier :%s is not supported on search parameter %q (a %s parameter)", mod, name, kindNames[p.kind])
}

// check validates the values of a criterion up front, so that a bad
// value is a 400 rather than a silent non-match.
func (c criterion) check() error {
	for _, v := range c.values {
		if v == "" {
			return fmt.Errorf("search parameter %q has an empty value", c.name)
		}
		if c.param.kind == pDate {
			if _, _, err := parseDateParam(v); err != nil {
				return fmt.Errorf("search parameter %q: %v", c.name, err)
			}
		}
	}
	return nil
}

// pageSize reads _count: the default when absent, capped at 1000.
func pageSize(q url.Values, def int) (int, error) {
	v := q.Get("_count")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("_count must be a whole number ≥ 0, not %q", v)
	}
	return min(n, maxPageSize), nil
}

// matches reports whether a resource meets every criterion.
func matches(doc map[string]any, id string, crit []criterion) bool {
	for _, c := range crit {
		if !c.matches(doc, id) {
			return false
		}
	}
	return true
}

func (c criterion) matches(doc map[string]any, id string) bool {
	var leaves []any
	for _, p := range c.param.paths {
		leaves = collect(doc, strings.Split(p, "."), leaves)
	}
	for _, v := range c.values {
		if c.param.kind == pID && unescapeSearch(v) == id {
			return true
		}
		for _, leaf := range leaves {
			if c.matchLeaf(leaf, v) {
				return true
			}
		}
	}
	return false
}

func (c criterion) matchLeaf(leaf any, v string) bool {
	switch c.param.kind {
	case pToken:
		return matchToken(leaf, v)
	case pString:
		return matchString(leaf, unescapeSearch(v), c.modifier)
	case pDate:
		return matchDate(leaf, v)
	case pReference:
		return matchReference(leaf, unescapeSearch(v), c.param.target)
	}
	return false
}

// collect appends the values at path under v, flattening arrays.
func collect(v any, path []string, out []any) []any {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			out = collect(e, path, out)
		}
		return out
	case map[string]any:
		if len(path) == 0 {
			return append(out, x)
		}
		if next, ok := x[path[0]]; ok {
			return collect(next, path[1:], out)
		}
		return out
	case nil:
		return out
	}
	if len(path) == 0 {
		return append(out, v)
	}
	return out
}
