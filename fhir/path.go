package fhir

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Path names an element of a resource, in a small subset of FHIRPath that
// channel files use for mapping overrides and tests:
//
//	Patient.name[0].family
//	Encounter.serviceType.text
//	Patient.extension(https://hospital.example/fhir/vip).valueString
//	Observation[2].valueQuantity.value
//
// The first step is a resource type, optionally indexed (the n-th resource
// of that type in a Bundle, from 0). A name may be followed by [n] (one
// repetition) or, for extension and modifierExtension, by (url): the
// extension with that url. Without an index, a path through a list means
// every element (when reading) or the first (when writing).
type Path struct {
	Type  string
	Index int // which resource of Type; -1: every one
	Steps []PathStep
}

// PathStep is one element name of a Path.
type PathStep struct {
	Name  string
	Index int    // -1: not given
	URL   string // extension(url)
}

// ParsePath parses a path such as "Patient.name[0].family".
func ParsePath(s string) (Path, error) {
	parts, err := splitPath(s)
	if err != nil {
		return Path{}, err
	}
	head, err := parseStep(parts[0])
	if err != nil || head.URL != "" || head.Name == "" || head.Name[0] < 'A' || head.Name[0] > 'Z' {
		return Path{}, fmt.Errorf("path %q must start with a resource type, e.g. Patient.name.family", s)
	}
	p := Path{Type: head.Name, Index: head.Index}
	for _, part := range parts[1:] {
		st, err := parseStep(part)
		if err != nil {
			return Path{}, fmt.Errorf("path %q: %w", s, err)
		}
		p.Steps = append(p.Steps, st)
	}
	return p, nil
}

// splitPath splits at dots outside parentheses (URLs hold dots).
func splitPath(s string) ([]string, error) {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case '.':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("path %q: unbalanced parentheses", s)
	}
	parts = append(parts, s[start:])
	for _, p := range parts {
		if p == "" {
			return nil, fmt.Errorf("path %q has an empty step", s)
		}
	}
	return parts, nil
}

func parseStep(s string) (PathStep, error) {
	st := PathStep{Index: -1}
	switch {
	case strings.HasSuffix(s, "]"):
		i := strings.IndexByte(s, '[')
		n, err := strconv.Atoi(s[i+1 : len(s)-1])
		if i < 0 || err != nil || n < 0 {
			return st, fmt.Errorf("step %q: write name[n] with n from 0", s)
		}
		st.Name, st.Index = s[:i], n
	case strings.HasSuffix(s, ")"):
		i := strings.IndexByte(s, '(')
		if i < 0 || i == len(s)-2 {
			return st, fmt.Errorf("step %q: write extension(url)", s)
		}
		st.Name, st.URL = s[:i], s[i+1:len(s)-1]
		if st.Name != "extension" && st.Name != "modifierExtension" {
			return st, fmt.Errorf("step %q: only extension(url) and modifierExtension(url) select by url", s)
		}
	default:
		st.Name = s
	}
	for _, r := range st.Name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return st, fmt.Errorf("step %q: %q is not an element name", s, st.Name)
		}
	}
	return st, nil
}

// String formats p as ParsePath reads it.
func (p Path) String() string {
	var b strings.Builder
	b.WriteString(p.Type)
	if p.Index >= 0 {
		fmt.Fprintf(&b, "[%d]", p.Index)
	}
	for _, st := range p.Steps {
		b.WriteString("." + st.Name)
		switch {
		case st.URL != "":
			b.WriteString("(" + st.URL + ")")
		case st.Index >= 0:
			fmt.Fprintf(&b, "[%d]", st.Index)
		}
	}
	return b.String()
}

// Settable reports why SetString could not set p in a resource of p.Type:
// an unknown type or element (with the closest name), or a leaf that is
// not a string element. Channel lint calls it, so a typo fails at load.
func (p Path) Settable() error {
	mk, ok := registry[p.Type]
	if !ok {
		return fmt.Errorf("%s is not a resource type this engine writes (%s)", p.Type, strings.Join(modelled(), ", "))
	}
	t := reflect.TypeOf(mk()).Elem()
	for i, st := range p.Steps {
		f, ok := jsonField(t, st.Name)
		if !ok {
			return fmt.Errorf("%s has no element %q%s", stepsString(p, i), st.Name, closestField(t, st.Name))
		}
		t = f.Type
		if t.Kind() == reflect.Slice {
			t = t.Elem()
		} else if st.Index >= 0 || st.URL != "" {
			return fmt.Errorf("%s.%s does not repeat: drop [n]", stepsString(p, i), st.Name)
		}
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
	}
	if t.Kind() != reflect.String {
		return fmt.Errorf("%s is not a string element (a code, string, uri or date): set one of its parts", p)
	}
	return nil
}

func stepsString(p Path, n int) string {
	return Path{Type: p.Type, Index: -1, Steps: p.Steps[:n]}.String()
}

func modelled() []string {
	var names []string
	for n := range registry {
		if n != "Bundle" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// SetString sets the string element that p's steps name in res, making
// what is missing on the way: a list gets the element [n] (or its first),
// extension(url) the extension with that url. It copies every list and
// struct on the path before writing (copy on write), so values res shares
// with other resources (a previous version, an EHR's Patient) never change.
func SetString(res Resource, p Path, value string) error {
	if err := p.Settable(); err != nil {
		return err
	}
	if res.ResourceType() != p.Type {
		return fmt.Errorf("path %s set on a %s", p, res.ResourceType())
	}
	v := reflect.ValueOf(res).Elem()
	for _, st := range p.Steps {
		f, _ := jsonField(v.Type(), st.Name)
		v = v.FieldByIndex(f.Index)
		if v.Kind() == reflect.Slice {
			v.Set(reflect.AppendSlice(reflect.MakeSlice(v.Type(), 0, v.Len()+1), v))
			v = sliceElem(v, st)
		}
		if v.Kind() == reflect.Pointer {
			cp := reflect.New(v.Type().Elem())
			if !v.IsNil() {
				cp.Elem().Set(v.Elem())
			}
			v.Set(cp)
			v = cp.Elem()
		}
	}
	v.SetString(value)
	return nil
}

// sliceElem returns the element of list v that st selects, appending it
// when missing.
func sliceElem(v reflect.Value, st PathStep) reflect.Value {
	if st.URL != "" {
		for i := 0; i < v.Len(); i++ {
			if v.Index(i).FieldByName("URL").String() == st.URL {
				return v.Index(i)
			}
		}
		e := reflect.New(v.Type().Elem()).Elem()
		e.FieldByName("URL").SetString(st.URL)
		v.Set(reflect.Append(v, e))
		return v.Index(v.Len() - 1)
	}
	i := max(st.Index, 0)
	for v.Len() <= i {
		v.Set(reflect.Append(v, reflect.New(v.Type().Elem()).Elem()))
	}
	return v.Index(i)
}

// jsonField finds the field of struct type t whose JSON name is name.
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == name && tag != "-" {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// closestField suggests the element name nearest to name.
func closestField(t reflect.Type, name string) string {
	if t.Kind() != reflect.Struct {
		return ""
	}
	best, bestD := "", 3
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if tag == "" || tag == "-" || tag[0] == '_' {
			continue
		}
		if d := editDistance(strings.ToLower(tag), strings.ToLower(name)); d < bestD {
			best, bestD = tag, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(": did you mean %q?", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// Select returns the values p names in a Bundle decoded into any (as
// encoding/json decodes it): the resources of p.Type in entry order (the
// p.Index-th only when given), then each step; a list without an index
// contributes every element.
func Select(bundle any, p Path) []any {
	var cur []any
	b, _ := bundle.(map[string]any)
	entries, _ := b["entry"].([]any)
	n := 0
	for _, e := range entries {
		em, _ := e.(map[string]any)
		res, _ := em["resource"].(map[string]any)
		if res == nil || res["resourceType"] != p.Type {
			continue
		}
		if p.Index < 0 || p.Index == n {
			cur = append(cur, res)
		}
		n++
	}
	for _, st := range p.Steps {
		var next []any
		for _, c := range cur {
			m, _ := c.(map[string]any)
			v, ok := m[st.Name]
			if !ok {
				continue
			}
			list, isList := v.([]any)
			switch {
			case !isList:
				if st.Index <= 0 && st.URL == "" {
					next = append(next, v)
				}
			case st.URL != "":
				for _, x := range list {
					if xm, _ := x.(map[string]any); xm["url"] == st.URL {
						next = append(next, x)
					}
				}
			case st.Index >= 0:
				if st.Index < len(list) {
					next = append(next, list[st.Index])
				}
			default:
				next = append(next, list...)
			}
		}
		cur = next
	}
	return cur
}
